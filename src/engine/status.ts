import type { StepResult, Summary } from './result.js';
import type { Finding, Status } from './types.js';
import { STATUSES } from './types.js';

/** A step's status from its findings: fail beats error beats manual beats unsupported beats pass. */
export function stepStatus(findings: Finding[]): Status {
  const has = (s: Status) => findings.some((f) => f.status === s);
  for (const s of ['fail', 'error', 'manual', 'unsupported'] as const) if (has(s)) return s;
  if (findings.length > 0 && findings.every((f) => f.status === 'skipped')) return 'skipped';
  return 'pass';
}

export function summarize(results: StepResult[]): Summary {
  const summary = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Summary;
  for (const r of results) summary[r.status]++;
  return summary;
}

/** Exit codes (ARCHITECTURE.md): 0 nothing failed, 1 a step failed, 3 nothing failed but something could not be checked. */
export function exitCodeFor(results: StepResult[]): 0 | 1 | 3 {
  if (results.some((r) => r.status === 'fail')) return 1;
  if (results.some((r) => r.status === 'error')) return 3;
  return 0;
}
