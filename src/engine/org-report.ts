/**
 * The `check --org` report: the single-account report's header (the caller), then one entry per
 * account in `accounts` (its results and summary, or the error that kept it from being checked).
 * The table and markdown print one section per account, each the single-account rendering.
 */
import type { Report } from './report.js';
import { renderMarkdownReport, renderTable } from './report.js';
import { mdText, safeText } from './safe-text.js';
import type { Status } from './types.js';
import { STATUSES } from './types.js';
import { plural, wrap } from './wrap.js';

export interface OrgAccountReport {
  accountId: string;
  name: string;
  /** `error` when the account could not be checked (the role could not be assumed…), else the worst step status: fail, error, or pass. */
  status: 'pass' | 'fail' | 'error';
  results?: Report['results'];
  summary?: Report['summary'];
  /** Regions the account's regional steps checked. */
  regions?: string[];
  principalArn?: string;
  /** Why the account could not be checked. */
  error?: string;
}

export interface OrgReport {
  tool: Report['tool'];
  /** The caller: the organization's management (or delegated administrator) account. */
  target: Report['target'] & { roleName: string };
  startedAt: string;
  finishedAt: string;
  accounts: OrgAccountReport[];
  /** Every account's step statuses added up, plus `accounts`: how many accounts ended in each status. */
  summary: Record<Status, number> & { accounts: Record<OrgAccountReport['status'], number> };
}

/** An account's status from its step results: any fail, else any error, else pass. */
export function accountStatus(results: readonly { status: Status }[]): OrgAccountReport['status'] {
  if (results.some((r) => r.status === 'fail')) return 'fail';
  if (results.some((r) => r.status === 'error')) return 'error';
  return 'pass';
}

export function orgSummary(accounts: readonly OrgAccountReport[]): OrgReport['summary'] {
  const steps = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const byAccount = { pass: 0, fail: 0, error: 0 };
  for (const a of accounts) {
    byAccount[a.status]++;
    for (const s of STATUSES) steps[s] += a.summary?.[s] ?? 0;
  }
  return { ...steps, accounts: byAccount };
}

/** The exit code of the worst account: 1 when a step failed anywhere, 3 when an account or a step could not be checked, else 0. */
export function orgExitCode(accounts: readonly OrgAccountReport[]): 0 | 1 | 3 {
  if (accounts.some((a) => a.status === 'fail')) return 1;
  if (accounts.some((a) => a.status === 'error')) return 3;
  return 0;
}

/** A single-account report for one account's section of the table or markdown. */
function accountReport(org: OrgReport, a: OrgAccountReport): Report {
  return {
    tool: org.tool,
    target: { ...org.target, accountId: a.accountId, principalArn: a.principalArn ?? org.target.principalArn, regions: a.regions ?? org.target.regions },
    startedAt: org.startedAt,
    finishedAt: org.finishedAt,
    results: a.results ?? [],
    summary: a.summary ?? orgSummary([]),
  };
}

function heading(a: OrgAccountReport): string {
  return `Account ${a.name ? `${a.name} ` : ''}(${a.accountId}): ${a.status.toUpperCase()}`;
}

function accountsLine(r: OrgReport): string {
  const s = r.summary.accounts;
  const parts = (['fail', 'error', 'pass'] as const).filter((k) => s[k] > 0).map((k) => `${s[k]} ${k}`);
  return `${plural(r.accounts.length, 'account')} through the role ${r.target.roleName}: ${parts.join(', ') || 'none'}`;
}

export function renderOrgTable(r: OrgReport, columns = 100): string {
  const width = Math.max(40, columns);
  const out: string[] = [...wrap(safeText(`Organization checked from ${r.target.accountId} · ${r.target.principalArn}`), width), ...wrap(safeText(accountsLine(r)), width)];
  for (const a of r.accounts) {
    out.push('', '='.repeat(Math.min(width, 60)), ...wrap(safeText(heading(a)), width));
    if (a.error !== undefined) out.push(...wrap(safeText(a.error), width, { first: 'ERROR'.padEnd(12), rest: ' '.repeat(12) }));
    else out.push(renderTable(accountReport(r, a), width).trimEnd());
  }
  return out.join('\n') + '\n';
}

export function renderOrgMarkdown(r: OrgReport): string {
  const out = [
    '# secure-start organization report',
    '',
    `- Checked from: ${mdText(`${r.target.accountId} · ${r.target.principalArn}`)}`,
    `- ${mdText(accountsLine(r))}`,
    `- Checked: ${r.startedAt} to ${r.finishedAt}`,
  ];
  for (const a of r.accounts) {
    out.push('', `## ${mdText(heading(a))}`, '');
    if (a.error !== undefined) out.push(`Could not be checked: ${mdText(a.error)}`);
    // Each account's section is the single-account report one heading level down.
    else out.push(renderMarkdownReport(accountReport(r, a)).trimEnd().replace(/^(#+) /gm, '#$1 '));
  }
  return out.join('\n') + '\n';
}
