/**
 * account.unused-credentials, check: the stale passwords and keys the credential report shows, as
 * findings whose data (user, key slot, dates) the questions and the plan read back.
 */
import { z } from 'zod';
import type { Finding, StepContext } from '../../../src/engine/step-kit.js';
import { accountResource, agedForSandbox, count, dayAndAge, sandboxAgeNote } from '../_shared/credentials-inputs.js';
import { credentialReport, currentCredentials, reportLagNote } from '../_shared/iam-data.js';
import type { CredentialRow } from '../_shared/iam-data.js';
import { MAX_KEY_AGE_DAYS, UNUSED_DAYS, assessCredentials, clock } from './assess.js';
import type { KeyIssue, PasswordIssue } from './assess.js';

const iso = z.string().nullable();

const passwordSchema = z.object({
  kind: z.literal('unused-password'),
  user: z.string(),
  arn: z.string(),
  lastUsed: iso,
  setOn: iso,
  idleDays: z.number(),
});
const keySchema = z.object({
  kind: z.literal('stale-key'),
  user: z.string(),
  arn: z.string(),
  slot: z.union([z.literal(1), z.literal(2)]),
  /** Created (the report's last_rotated), as shown: moved back on the sandbox's aged users. */
  createdOn: iso,
  /** Created as IAM wrote it in the report: what the plan matches the listed keys on. */
  reportCreatedOn: iso,
  lastUsed: iso,
  unusedDays: z.number().nullable(),
  ageDays: z.number().nullable(),
});
export type StalePassword = z.infer<typeof passwordSchema>;
export type StaleKey = z.infer<typeof keySchema>;

const isoOf = (d: Date | undefined) => (d ? d.toISOString() : null);
export const dateOf = (s: string | null) => (s ? new Date(s) : undefined);

export function passwordMessage(p: StalePassword, now: Date): string {
  const lastUsed = dateOf(p.lastUsed);
  const setOn = dateOf(p.setOn);
  if (lastUsed) return `The console password of ${p.user} has not been used since ${dayAndAge(lastUsed, now)}.`;
  return `The console password of ${p.user} has never been used since it was set${setOn ? ` on ${dayAndAge(setOn, now)}` : `, ${p.idleDays} days ago`}.`;
}

export function keyMessage(k: StaleKey, now: Date): string {
  const created = dateOf(k.createdOn);
  const lastUsed = dateOf(k.lastUsed);
  const head = `Access key ${k.slot} of ${k.user} is active`;
  const createdOn = created ? ` on ${dayAndAge(created, now)}` : '';
  const tooOld = `past the ${MAX_KEY_AGE_DAYS}-day limit for keys`;
  if (k.unusedDays === null) {
    const used = lastUsed ? `; it was last used on ${dayAndAge(lastUsed, now)}, so something still relies on it` : '';
    return `${head} and ${k.ageDays} days old (created${createdOn || ' long ago'}), ${tooOld}${used}.`;
  }
  const idle = lastUsed ? `was last used on ${dayAndAge(lastUsed, now)}` : `has never been used since it was created${createdOn}`;
  const old = k.ageDays !== null ? `, and at ${k.ageDays} days old it is ${tooOld}` : '';
  return `${head} but ${idle}${old}.`;
}

/** A key issue as finding data; `reportCreatedOn` is the slot's creation time as IAM wrote it (not aged). */
function staleKey(issue: KeyIssue, reportCreatedOn: Date | undefined): StaleKey {
  return {
    kind: 'stale-key',
    user: issue.user,
    arn: issue.arn,
    slot: issue.slot,
    createdOn: isoOf(issue.createdOn),
    reportCreatedOn: isoOf(reportCreatedOn),
    lastUsed: isoOf(issue.lastUsed),
    unusedDays: issue.unusedDays ?? null,
    ageDays: issue.ageDays ?? null,
  };
}

function stalePassword(issue: PasswordIssue): StalePassword {
  return { kind: 'unused-password', user: issue.user, arn: issue.arn, lastUsed: isoOf(issue.lastUsed), setOn: isoOf(issue.setOn), idleDays: issue.idleDays };
}


export function stalePasswords(findings: readonly Finding[]): StalePassword[] {
  return findings.filter((f) => f.status === 'fail' && f.data?.kind === 'unused-password').map((f) => passwordSchema.parse(f.data));
}

export function staleKeys(findings: readonly Finding[]): StaleKey[] {
  return findings.filter((f) => f.status === 'fail' && f.data?.kind === 'stale-key').map((f) => keySchema.parse(f.data));
}


/** The check of the step: a finding per stale password or key, or one pass. */
export async function checkCredentials(ctx: StepContext): Promise<Finding[]> {
  const now = clock.now();
  const sandbox = ctx.target.sandbox;
  // After a change in this run, the users the report would name are read one by one (it may predate the change).
  const named = new Set(assessCredentials(agedForSandbox(await credentialReport(ctx), sandbox), now).map((i) => i.user));
  const current = await currentCredentials(ctx, (r) => named.has(r.user));
  const report = current.rows;
  const rows = agedForSandbox(report, sandbox);
  const issues = assessCredentials(rows, now);
  const lag = reportLagNote(ctx, current);
  // The plan matches keys on the dates IAM wrote, never on the sandbox's aged ones.
  const byUser = new Map<string, CredentialRow>(report.map((r) => [r.user, r]));
  const findings: Finding[] = [];
  for (const issue of issues) {
    const note = sandboxAgeNote(issue.arn, sandbox) + lag;
    if (issue.kind === 'password') {
      const data = stalePassword(issue);
      findings.push({ status: 'fail', resource: issue.arn, region: 'global', message: passwordMessage(data, now) + note, data });
      continue;
    }
    const reported = byUser.get(issue.user)?.accessKeys.find((k) => k.slot === issue.slot)?.lastRotated;
    const data = staleKey(issue, reported);
    findings.push({ status: 'fail', resource: issue.arn, region: 'global', message: keyMessage(data, now) + note, data });
  }
  if (findings.length) return findings;
  const users = rows.filter((r) => !r.isRoot).length;
  return [
    {
      status: 'pass',
      resource: accountResource(ctx),
      region: 'global',
      message:
        `No console password or active access key has gone unused for ${UNUSED_DAYS} days or more, and no active access key is ` +
        `older than ${MAX_KEY_AGE_DAYS} days (${count(users, 'IAM user')} checked).`,
    },
  ];
}
