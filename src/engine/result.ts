import type { Area, Finding, References, Severity, Status } from './types.js';

/** The outcome of one step in a run: what reports, the wizard and the progress file show. */
export interface StepResult {
  step: string;
  area: Area;
  title: string;
  severity: Severity;
  status: Status;
  references: References;
  findings: Finding[];
  /** Set when the step could not be checked (status error or unsupported). */
  error?: string;
}

export type Summary = Record<Status, number>;
