/**
 * What the account says about its root user, for account.root-mfa and account.root-access-keys.
 *
 * Two sources, each read once per run:
 * - `GetAccountSummary` (AccountMFAEnabled, AccountAccessKeysPresent). On AWS it is live, while the
 *   credential report below may be up to four hours old: right after a fix only the summary shows
 *   it. So the summary decides.
 * - The `<root_account>` row of the shared credential report. AWS always writes that row, so its
 *   absence is evidence that the endpoint has no root user at all (moto: no root row, and summary
 *   flags hard-coded to 0). In that case a 0 in the summary is a constant, not a reading, and a step
 *   must not turn it into a pass (keys) or a fail (MFA): it reports `unsupported` with the reason.
 *
 * A `1` in the summary is trusted wherever it comes from: no emulator hard-codes it, and on AWS it is
 * the live answer.
 */
import { GetAccountSummaryCommand, IAMClient } from '@aws-sdk/client-iam';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { describeError } from '../../../src/engine/step-kit.js';
import { credentialReport } from './iam-data.js';
import type { CredentialRow } from './iam-data.js';

export interface RootState {
  /** AccountMFAEnabled = 1 in the account summary. */
  mfaEnabled: boolean;
  /** AccountAccessKeysPresent = 1 in the account summary (active or inactive keys both count). */
  accessKeysPresent: boolean;
  /**
   * The credential report's root row: the row; `null` when the report has none (this endpoint has no
   * root user); `undefined` when the report could not be read (then `reportError` says why).
   */
  row: CredentialRow | null | undefined;
  reportError?: unknown;
}

/** The IAM account summary, read once per run and shared by both root steps. */
export function accountSummary(ctx: StepContext): Promise<Record<string, number>> {
  return ctx.shared('iam:account-summary', async () => {
    const out = await ctx.client(IAMClient).send(new GetAccountSummaryCommand({}));
    return out.SummaryMap ?? {};
  });
}

/**
 * Reads both sources. The summary is required (its error becomes the step's `error` result); the
 * report is optional: the summary alone answers on AWS, and the caller decides what a missing report
 * means (see `whyUnknown`).
 */
export async function readRootState(ctx: StepContext): Promise<RootState> {
  const [summary, report] = await Promise.allSettled([accountSummary(ctx), credentialReport(ctx)]);
  if (summary.status === 'rejected') throw summary.reason;
  const map = summary.value;
  const state: RootState = {
    mfaEnabled: map.AccountMFAEnabled === 1,
    accessKeysPresent: map.AccountAccessKeysPresent === 1,
    row: report.status === 'fulfilled' ? (report.value.find((r) => r.isRoot) ?? null) : undefined,
  };
  if (report.status === 'rejected') state.reportError = report.reason;
  return state;
}

/**
 * Why the summary's 0 cannot be taken as an answer here, or `undefined` when it can.
 *
 * - No root row in a report that was read: the endpoint has no root user (moto), so the 0 is a constant.
 * - The report could not be read in the sandbox: the emulator's 0 cannot be trusted and there is nothing
 *   else to go on, so the report's own error is thrown (the step reports `error` naming the cause).
 * - The report could not be read against AWS: the summary is AWS's live answer and is used alone.
 */
export function whyUnknown(ctx: StepContext, state: RootState, flag: 'AccountMFAEnabled' | 'AccountAccessKeysPresent'): string | undefined {
  if (state.row === null)
    return (
      `This endpoint has no root user: its credential report has no <root_account> row, and its account summary reports ${flag} = 0 ` +
      'with no root user behind it (moto hard-codes it). Whether the root user of a real account is secure cannot be told here; ' +
      'against AWS this step reads the real values.'
    );
  if (state.row === undefined && ctx.target.sandbox) throw state.reportError;
  return undefined;
}

/** A note for a message when the report was not read and the summary answered alone. */
export function reportNote(state: RootState): string {
  return state.row === undefined && state.reportError !== undefined
    ? ` (The credential report could not be read: ${describeError(state.reportError)} The live account summary answered.)`
    : '';
}

/** `arn:aws:iam::123456789012:root`: the root user, as findings name it. */
export function rootArn(ctx: StepContext): string {
  return `arn:${ctx.target.partition}:iam::${ctx.target.accountId}:root`;
}

/** The console's sign-in page, where "Root user" sign-in starts. */
export function consoleUrl(ctx: StepContext): string {
  switch (ctx.target.partition) {
    case 'aws-cn':
      return 'https://console.amazonaws.cn/';
    case 'aws-us-gov':
      return 'https://console.amazonaws-us-gov.com/';
    default:
      return 'https://console.aws.amazon.com/';
  }
}

/** `2026-11-29` for a date, for messages. */
export function day(d: Date | undefined): string | undefined {
  return d ? d.toISOString().slice(0, 10) : undefined;
}
