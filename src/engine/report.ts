/** The `check` report: JSON (the contract in ARCHITECTURE.md), a table for terminals, markdown. */
import type { RegionsSource, RunRegions } from './context.js';
import { describeRegionsSource } from './context.js';
import type { StepResult } from './result.js';
import { mdCode, mdText, safeReport, safeText } from './safe-text.js';
import { summarize } from './status.js';
import type { Status, Target } from './types.js';
import { plural, wrap } from './wrap.js';

export interface Report {
  tool: { name: string; version: string };
  target: {
    accountId: string;
    principalArn: string;
    sandbox: boolean;
    endpoint?: string;
    regions: string[];
    /** Where `regions` came from: flag, progress-file, enabled-regions, sandbox or home-region. */
    regionsSource: RegionsSource;
    /** Why the region list could not be read (the regional steps then report errors). */
    regionsError?: string;
  };
  startedAt: string;
  finishedAt: string;
  results: Array<Omit<StepResult, 'error'> & { findings: Array<Omit<StepResult['findings'][number], 'data'>> }>;
  summary: Record<Status, number>;
}

export function buildReport(opts: {
  version: string;
  target: Target;
  regions: RunRegions & { error?: string };
  startedAt: Date;
  finishedAt: Date;
  results: StepResult[];
}): Report {
  const { target } = opts;
  return {
    tool: { name: 'secure-start', version: opts.version },
    target: {
      accountId: target.accountId,
      principalArn: target.principalArn,
      sandbox: target.sandbox,
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
      regions: opts.regions.regions,
      regionsSource: opts.regions.source,
      ...(opts.regions.error ? { regionsError: opts.regions.error } : {}),
    },
    startedAt: opts.startedAt.toISOString(),
    finishedAt: opts.finishedAt.toISOString(),
    results: opts.results.map((r) => ({
      step: r.step,
      area: r.area,
      title: r.title,
      severity: r.severity,
      status: r.status,
      references: { ...(r.references.cis ? { cis: r.references.cis } : {}), ...(r.references.fsbp ? { fsbp: r.references.fsbp } : {}) },
      findings: r.findings.map((f) => ({ status: f.status, resource: f.resource, region: f.region, message: f.message })),
    })),
    summary: summarize(opts.results),
  };
}

const LABEL: Record<Status, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  manual: 'MANUAL',
  error: 'ERROR',
  unsupported: 'UNSUPPORTED',
  skipped: 'SKIPPED',
};

function targetLine(r: Report): string {
  const where = r.target.sandbox ? `SANDBOX ${r.target.endpoint ?? ''}`.trim() : `AWS account ${r.target.accountId}`;
  return `${where} · ${r.target.principalArn}`;
}

/** `Regions: us-east-1, eu-west-1 (from --regions)`: which regions were checked and who chose them. */
export function regionsText(r: Pick<RunRegions, 'regions' | 'source' | 'file'> & { error?: string }): string {
  if (r.error) return `Regions: none could be listed (${r.error})`;
  return `Regions: ${r.regions.join(', ') || '—'} (${describeRegionsSource(r)})`;
}

function regionsLine(r: Report): string {
  const t = r.target;
  // The error's text comes from AWS: made safe like every other text from the account.
  return safeText(regionsText({ regions: t.regions, source: t.regionsSource, ...(t.regionsError ? { error: t.regionsError } : {}) }));
}

function summaryLine(r: Report): string {
  return (Object.keys(r.summary) as Status[])
    .filter((s) => r.summary[s] > 0)
    .map((s) => `${r.summary[s]} ${s}`)
    .join(', ');
}

/**
 * A plain table that reads well at 80 columns and in CI logs: every line wrapped at spaces by the
 * one routine of wrap.ts, so no step id, ARN or bucket name is cut. Account text is made safe first.
 */
export function renderTable(report: Report, columns = 100): string {
  const r = safeReport(report);
  const width = Math.max(40, columns);
  const out: string[] = [...wrap(targetLine(r), width), ...wrap(regionsLine(r), width), ''];
  const idWidth = Math.max(4, ...r.results.map((x) => x.step.length));
  for (const res of r.results) {
    const lead = `${LABEL[res.status].padEnd(11)} ${res.step.padEnd(idWidth)}  `;
    // The title hangs under itself, or under the status when the id leaves it too little room.
    const hang = width - lead.length >= 30 ? ' '.repeat(lead.length) : ' '.repeat(12);
    out.push(...wrap(res.title, width, { first: lead, rest: hang }));
    for (const f of res.findings) {
      if (res.status === 'pass' && f.status === 'pass') continue;
      const prefix = `  ${LABEL[f.status].padEnd(11)} `;
      out.push(...wrap(`${f.message}${f.region !== 'global' ? ` [${f.region}]` : ''}`, width, { first: prefix }));
    }
  }
  out.push('', `${plural(r.results.length, 'step')}: ${summaryLine(r) || 'none'}`);
  return out.join('\n') + '\n';
}

const md = mdText;

export function renderMarkdownReport(report: Report): string {
  const r = safeReport(report);
  const out = [
    '# secure-start report',
    '',
    `- Target: ${md(targetLine(r))}`,
    `- ${md(regionsLine(r))}`,
    `- Checked: ${r.startedAt} to ${r.finishedAt}`,
    `- Summary: ${summaryLine(r) || 'none'}`,
    '',
    '| Status | Step | Condition | References |',
    '|---|---|---|---|',
  ];
  for (const res of r.results) {
    const refs = [...(res.references.cis ?? []).map((c) => `CIS ${c}`), ...(res.references.fsbp ?? [])].join(', ');
    out.push(`| ${LABEL[res.status]} | \`${res.step}\` | ${md(res.title)} | ${refs || '—'} |`);
  }
  const detailed = r.results.filter((res) => res.status !== 'pass');
  if (detailed.length) {
    out.push('', '## Findings');
    for (const res of detailed) {
      out.push('', `### ${res.step} — ${LABEL[res.status]}`, '');
      for (const f of res.findings) out.push(`- **${LABEL[f.status]}** ${md(f.message)} (${mdCode(f.resource)}, ${md(f.region)})`);
    }
  }
  return out.join('\n') + '\n';
}
