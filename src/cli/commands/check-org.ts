/**
 * `check --org [--role-name NAME] [--accounts id1,id2]`: the selected steps in every active account
 * of the caller's organization (or those named), through a role in each, in one report.
 */
import { recordedDecision, withDecision } from '../../engine/decision.js';
import { UserError } from '../../engine/errors.js';
import { checkAccounts } from '../../engine/org-check.js';
import { orgExitCode, renderOrgMarkdown, renderOrgTable } from '../../engine/org-report.js';
import { listOrgAccounts, parseAccountIds, parseRoleName, pickAccounts } from '../../engine/org.js';
import { safeJson } from '../../engine/safe-text.js';
import { plural } from '../../engine/wrap.js';
import { defaultProgressPath, readProgress } from '../../progress/index.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';
import { runRegions } from '../progress.js';
import { info, startSession } from '../session.js';

export async function run(opts: GlobalOptions): Promise<number> {
  const entries = selectSteps(opts);
  const roleName = parseRoleName(opts.roleName);
  const ids = opts.accounts !== undefined ? parseAccountIds(opts.accounts) : undefined;
  if (opts.progress) throw new UserError('--progress names one account’s file; --org reads each account’s own.', 'Drop --progress.');
  if (opts.learner !== undefined) throw new UserError('--learner and --org do not go together.', 'Use `sandbox scoreboard` for a class, or check --org from the sandbox without --learner.');
  const session = await startSession(opts);
  try {
    const all = await listOrgAccounts(session.factory);
    const { accounts, missing } = pickAccounts(all, ids);
    if (!accounts.length && !missing.length) throw new UserError('The organization has no active account to check.');
    const regions = await runRegions(session, entries);
    if (opts.format === 'table') info(`Checking ${plural(entries.length, 'step')} in ${plural(accounts.length, 'account')}, read-only…`);
    const report = await checkAccounts({
      factory: session.factory,
      caller: session.target,
      version: session.version,
      entries,
      accounts,
      missing,
      regions,
      roleName,
      // Steps accepted as is in an account's own progress file (on this machine) are reported as skipped.
      adjust: async (target, results) => {
        const recorded = await readProgress(defaultProgressPath(target.accountId, target.sandbox), target).catch(() => undefined);
        return results.map((r) => withDecision(r, recordedDecision(recorded?.steps[r.step])));
      },
    });
    const out =
      opts.format === 'json' ? safeJson(report) + '\n' : opts.format === 'markdown' ? renderOrgMarkdown(report) : renderOrgTable(report, process.stdout.columns || 100);
    process.stdout.write(out);
    return orgExitCode(report.accounts);
  } finally {
    await session.close();
  }
}
