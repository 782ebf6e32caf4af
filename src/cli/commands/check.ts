import { buildReport, renderMarkdownReport, renderTable } from '../../engine/report.js';
import { checkAll } from '../../engine/runner.js';
import { safeJson } from '../../engine/safe-text.js';
import { exitCodeFor } from '../../engine/status.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { info, startSession } from '../session.js';
import { loadRecordedRegions, runRegions } from '../progress.js';
import { plural } from '../../engine/wrap.js';

export async function run(opts: GlobalOptions): Promise<number> {
  const entries = selectSteps(opts);
  const session = await startSession(opts);
  try {
    await loadRecordedRegions(opts, session);
    // An empty region list is refused here, before any step is checked.
    const regions = await runRegions(session, entries);
    const startedAt = new Date();
    if (opts.format === 'table') info(`Checking ${plural(entries.length, 'step')}, read-only…`);
    const checked = await checkAll(entries, session.ctx);
    const results = checked.map((c) => c.result);
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
