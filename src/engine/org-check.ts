/**
 * The selected steps checked in several accounts of an organization (`check --org`, the classroom
 * scoreboard): the same checks as `check`, through forEachAccount's bounded fan-out.
 */
import type { ClientFactory } from '../aws/factory.js';
import type { RunRegions } from './context.js';
import type { StepResult } from './result.js';
import { buildReport } from './report.js';
import { checkAll } from './runner.js';
import { DEFAULT_ORG_ROLE, forEachAccount, memberRegions, type OrgAccount } from './org.js';
import type { OrgAccountReport, OrgReport } from './org-report.js';
import { accountStatus, orgSummary } from './org-report.js';
import type { StepEntry, Target } from './types.js';

export interface CheckAccountsOptions {
  factory: ClientFactory;
  caller: Target;
  version: string;
  entries: readonly StepEntry[];
  accounts: readonly OrgAccount[];
  /** Ids asked for (`--accounts`) that are not active accounts of the organization: reported as errors. */
  missing?: readonly string[];
  /** The caller's run regions: named ones are used in every account, enabled ones are read per account. */
  regions: RunRegions & { error?: string };
  roleName?: string;
  /** Accounts at once (default DEFAULT_ACCOUNT_CONCURRENCY); each account checks 4 steps at once. */
  concurrency?: number;
  /** Turns an account's results into what is reported (accepted-as-is decisions from its progress file…). */
  adjust?: (target: Target, results: StepResult[]) => Promise<StepResult[]>;
  onAccountDone?: (done: number, total: number) => void;
}

export async function checkAccounts(opts: CheckAccountsOptions): Promise<OrgReport> {
  const roleName = opts.roleName ?? DEFAULT_ORG_ROLE;
  const startedAt = new Date();
  let done = 0;
  const outcomes = await forEachAccount(
    {
      factory: opts.factory,
      caller: opts.caller,
      accounts: opts.accounts,
      roleName,
      regions: memberRegions(opts.regions),
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    },
    async ({ ctx, target }) => {
      const checked = await checkAll(opts.entries, ctx);
      const results = checked.map((c) => c.result);
      opts.onAccountDone?.(++done, opts.accounts.length);
      const regions = await ctx.regionInfo().catch(() => opts.regions);
      return { results: opts.adjust ? await opts.adjust(target, results) : results, regions: regions.regions };
    },
  );
  const accounts: OrgAccountReport[] = outcomes.map((o) => {
    const base = { accountId: o.account.id, name: o.account.name };
    if (o.error !== undefined) return { ...base, status: 'error', error: o.error };
    const single = buildReport({ version: opts.version, target: o.target!, regions: opts.regions, startedAt, finishedAt: new Date(), results: o.result.results });
    return { ...base, status: accountStatus(o.result.results), principalArn: o.target!.principalArn, regions: o.result.regions, results: single.results, summary: single.summary };
  });
  for (const id of opts.missing ?? []) accounts.push({ accountId: id, name: '', status: 'error', error: 'Not an active account of this organization.' });
  const caller = buildReport({ version: opts.version, target: opts.caller, regions: opts.regions, startedAt, finishedAt: new Date(), results: [] });
  return {
    tool: caller.tool,
    target: { ...caller.target, roleName },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    accounts,
    summary: orgSummary(accounts),
  };
}
