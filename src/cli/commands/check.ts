import type { Answers } from '../../engine/answers.js';
import { loadAnswers } from '../../engine/answers.js';
import { UserError } from '../../engine/errors.js';
import { recordedDecision, withDecision } from '../../engine/decision.js';
import { splitEntry } from '../../engine/inputs.js';
import { buildReport, renderMarkdownReport, renderTable } from '../../engine/report.js';
import { checkAll } from '../../engine/runner.js';
import { safeJson } from '../../engine/safe-text.js';
import { exitCodeFor } from '../../engine/status.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { info, startSession } from '../session.js';
import { loadRecordedProgress, loadRecordedRegions, runRegions } from '../progress.js';
import { plural } from '../../engine/wrap.js';

export async function run(opts: GlobalOptions): Promise<number> {
  if (opts.org || opts.accounts !== undefined) return (await import('./check-org.js')).run(opts);
  if (opts.roleName !== undefined) throw new UserError('--role-name goes with --org.', 'Add --org to check every account of the organization through that role.');
  const entries = selectSteps(opts);
  // The answers file may carry decisions ("decision": "accept", with a reason): checked whole first.
  const answers: Answers = opts.answers ? await loadAnswers(opts.answers, entries) : {};
  const session = await startSession(opts);
  try {
    await loadRecordedRegions(opts, session);
    // Steps accepted as is, in the wizard or by fix --yes: reported as skipped, with the reason and the date.
    const recorded = await loadRecordedProgress(opts, session.target);
    // An empty region list is refused here, before any step is checked.
    const regions = await runRegions(session, entries);
    const startedAt = new Date();
    if (opts.format === 'table') info(`Checking ${plural(entries.length, 'step')}, read-only…`);
    const checked = await checkAll(entries, session.ctx);
    const results = checked.map((c) => {
      const id = c.entry.meta.id;
      return withDecision(c.result, splitEntry(answers[id]).decision ?? recordedDecision(recorded?.steps[id]));
    });
    const report = buildReport({
      version: session.version,
      target: session.target,
      // A caller who may not list regions still gets its report; the regional steps say why they could not check.
      regions,
      startedAt,
      finishedAt: new Date(),
      results,
    });
    const out =
      opts.format === 'json'
        ? safeJson(report) + '\n'
        : opts.format === 'markdown'
          ? renderMarkdownReport(report)
          : renderTable(report, process.stdout.columns || 100);
    process.stdout.write(out);
    return exitCodeFor(results);
  } finally {
    await session.close();
  }
}
