/**
 * Bulk IAM reads shared by the account steps, each made once per run through `ctx.shared`:
 * the credential report (generated, polled with back-off, parsed) and the account authorization
 * details (users, groups, roles and managed policies in a handful of paginated calls).
 */
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import type { GetAccountAuthorizationDetailsCommandOutput } from '@aws-sdk/client-iam';
import type { StepContext } from '../../../src/engine/step-kit.js';

/** One row of the credential report, with the columns the steps use typed. */
export interface CredentialRow {
  user: string;
  arn: string;
  /** `<root_account>` for the root user. */
  isRoot: boolean;
  userCreationTime: Date | undefined;
  passwordEnabled: boolean;
  passwordLastUsed: Date | undefined;
  passwordLastChanged: Date | undefined;
  mfaActive: boolean;
  accessKeys: Array<{ slot: 1 | 2; active: boolean; lastRotated: Date | undefined; lastUsed: Date | undefined }>;
  /** Every column as IAM wrote it. */
  raw: Record<string, string>;
}

export class CredentialReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialReportError';
  }
}

/** IAM writes N/A, not_supported and no_information where a date has no value. */
function date(v: string | undefined): Date | undefined {
  if (!v || !/^\d{4}-/.test(v)) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The report is plain CSV without quoting (IAM names cannot hold commas). */
export function parseCredentialReport(csv: string): CredentialRow[] {
  const lines = csv.trim().split(/\r?\n/);
  const header = lines.shift()?.split(',') ?? [];
  if (!header.includes('user') || !header.includes('arn')) throw new CredentialReportError('The credential report has no user/arn header.');
  return lines
    .filter((l) => l.trim())
    .map((line) => {
      const cells = line.split(',');
      const raw = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
      const key = (slot: 1 | 2) => ({
        slot,
        active: raw[`access_key_${slot}_active`] === 'true',
        lastRotated: date(raw[`access_key_${slot}_last_rotated`]),
        lastUsed: date(raw[`access_key_${slot}_last_used_date`]),
      });
      return {
        user: raw.user ?? '',
        arn: raw.arn ?? '',
        isRoot: raw.user === '<root_account>',
        userCreationTime: date(raw.user_creation_time),
        passwordEnabled: raw.password_enabled === 'true',
        passwordLastUsed: date(raw.password_last_used),
        passwordLastChanged: date(raw.password_last_changed),
        mfaActive: raw.mfa_active === 'true',
        accessKeys: [key(1), key(2)],
        raw,
      };
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Generates the report (IAM reuses one younger than four hours) and polls with back-off until it is
 * ready. LimitExceeded and AccessDenied are thrown as they come: the engine reports the step as
 * `error` naming the cause.
 */
export async function loadCredentialReport(ctx: StepContext, opts: { maxWaitMs?: number; firstDelayMs?: number } = {}): Promise<CredentialRow[]> {
  return (await loadDatedCredentialReport(ctx, opts)).rows;
}

/** The report's rows and when IAM made it (GetCredentialReport's GeneratedTime). */
export interface DatedCredentialReport {
  rows: CredentialRow[];
  generatedAt: Date | undefined;
}

async function loadDatedCredentialReport(ctx: StepContext, opts: { maxWaitMs?: number; firstDelayMs?: number } = {}): Promise<DatedCredentialReport> {
  const iam = ctx.client(IAMClient);
  const deadline = Date.now() + (opts.maxWaitMs ?? 60_000);
  let delay = opts.firstDelayMs ?? 250;
  for (;;) {
    const state = await iam.send(new GenerateCredentialReportCommand({}));
    if (state.State === 'COMPLETE') break;
    if (Date.now() + delay > deadline) throw new CredentialReportError('IAM did not finish the credential report in time; try again in a minute.');
    await sleep(delay);
    delay = Math.min(delay * 2, 4000);
  }
  const report = await iam.send(new GetCredentialReportCommand({}));
  const content = report.Content;
  if (!content) throw new CredentialReportError('IAM returned an empty credential report.');
  return { rows: parseCredentialReport(new TextDecoder().decode(content)), generatedAt: report.GeneratedTime };
}

function datedCredentialReport(ctx: StepContext): Promise<DatedCredentialReport> {
  return ctx.shared('iam:credential-report', () => loadDatedCredentialReport(ctx));
}

/** The credential report, read once per run and shared by every step that needs it. */
export async function credentialReport(ctx: StepContext): Promise<CredentialRow[]> {
  return (await datedCredentialReport(ctx)).rows;
}

/** What a user's own reads say now: the credential report's columns that a change can move. */
interface UserCredentials {
  passwordEnabled: boolean;
  mfaActive: boolean;
  keys: { status: string | undefined; createDate: Date | undefined }[];
}

/** GetLoginProfile, ListMFADevices and ListAccessKeys for one user; undefined when the user is gone. */
async function readUserCredentials(ctx: StepContext, user: string): Promise<UserCredentials | undefined> {
  const iam = ctx.client(IAMClient);
  const gone = (err: unknown) => err instanceof NoSuchEntityException || (err as { name?: string })?.name === 'NoSuchEntity';
  try {
    const [mfa, keys, password] = await Promise.all([
      iam.send(new ListMFADevicesCommand({ UserName: user })),
      iam.send(new ListAccessKeysCommand({ UserName: user })),
      iam.send(new GetLoginProfileCommand({ UserName: user })).then(
        () => true,
        (err: unknown) => {
          if (gone(err)) return false;
          throw err;
        },
      ),
    ]);
    return {
      passwordEnabled: password,
      mfaActive: (mfa.MFADevices ?? []).length > 0,
      keys: (keys.AccessKeyMetadata ?? []).map((k) => ({ status: k.Status, createDate: k.CreateDate })),
    };
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  }
}

const sameSecond = (a: Date | undefined, b: Date | undefined) => Boolean(a && b && Math.floor(a.getTime() / 1000) === Math.floor(b.getTime() / 1000));

/** A report row brought up to date with the user's own reads. Pure. */
export function refreshRow(row: CredentialRow, now: UserCredentials): CredentialRow {
  const accessKeys = row.accessKeys.map((k) => {
    // The report's slot is the key created at its last_rotated time; a key no longer listed is gone.
    const listed = now.keys.find((l) => sameSecond(l.createDate, k.lastRotated));
    if (!k.active) return k;
    return { ...k, active: listed ? listed.status === 'Active' : false };
  });
  return { ...row, passwordEnabled: now.passwordEnabled, mfaActive: now.mfaActive, accessKeys };
}

export interface CurrentCredentials {
  rows: CredentialRow[];
  /** Users read one by one because the report is older than a change made in this run. */
  reread: string[];
  /** When IAM made the report. */
  generatedAt: Date | undefined;
}

/**
 * The credential report's rows, with the users that `pick` chooses (the ones the step would name)
 * read again one by one when the report is older than a change made in this run: IAM hands back
 * the same report for up to four hours, so after a fix or a change by hand the report alone could
 * still show what was just changed. Users who no longer exist are left out.
 */
export async function currentCredentials(ctx: StepContext, pick: (row: CredentialRow) => boolean): Promise<CurrentCredentials> {
  const report = await datedCredentialReport(ctx);
  const changed = ctx.changedAt?.();
  const outdated = changed !== undefined && (report.generatedAt === undefined || report.generatedAt.getTime() < changed.getTime());
  const chosen = outdated ? report.rows.filter((r) => !r.isRoot && pick(r)) : [];
  if (!chosen.length) return { rows: report.rows, reread: [], generatedAt: report.generatedAt };
  const fresh = new Map<string, UserCredentials | undefined>();
  await Promise.all(
    chosen.map(async (r) => fresh.set(r.user, await ctx.shared(`iam:user-credentials:${r.user}`, () => readUserCredentials(ctx, r.user)))),
  );
  const rows = report.rows.flatMap((r) => {
    if (!fresh.has(r.user)) return [r];
    const now = fresh.get(r.user);
    return now ? [refreshRow(r, now)] : [];
  });
  return { rows, reread: chosen.map((r) => r.user), generatedAt: report.generatedAt };
}

/**
 * On a real account, what the person should know when users were read one by one: the report can
 * lag by up to four hours. Empty in the sandbox (the emulator writes its report afresh on every read).
 */
export function reportLagNote(ctx: StepContext, current: CurrentCredentials): string {
  if (ctx.target.sandbox || !current.reread.length) return '';
  const made = current.generatedAt ? ` (made ${current.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)` : '';
  return (
    ` IAM's credential report${made} can lag by up to four hours after a change, so ` +
    `${current.reread.length === 1 ? current.reread[0] : `${current.reread.length} users`} ${current.reread.length === 1 ? 'was' : 'were'} read one by one instead.`
  );
}

export type AuthorizationDetails = Required<
  Pick<GetAccountAuthorizationDetailsCommandOutput, 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies'>
>;

/** Policy documents come URL-encoded from this API. */
export function decodePolicyDocument(doc: string | undefined): unknown {
  if (!doc) return undefined;
  try {
    return JSON.parse(decodeURIComponent(doc));
  } catch {
    try {
      return JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
}

export async function loadAuthorizationDetails(ctx: StepContext): Promise<AuthorizationDetails> {
  const iam = ctx.client(IAMClient);
  const out: AuthorizationDetails = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  let marker: string | undefined;
  do {
    // AWS managed policies are left out: hundreds of them, and steps only need their names and ARNs.
    const page = await iam.send(
      new GetAccountAuthorizationDetailsCommand({ Filter: ['User', 'Group', 'Role', 'LocalManagedPolicy'], Marker: marker, MaxItems: 1000 }),
    );
    out.UserDetailList.push(...(page.UserDetailList ?? []));
    out.GroupDetailList.push(...(page.GroupDetailList ?? []));
    out.RoleDetailList.push(...(page.RoleDetailList ?? []));
    // moto leaves PolicyName out of this answer; the ARN ends with it.
    out.Policies.push(...(page.Policies ?? []).map((p) => ({ ...p, PolicyName: p.PolicyName ?? p.Arn?.split('/').pop() })));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

/** Users, groups, roles and policies, read once per run and shared. */
export function authorizationDetails(ctx: StepContext): Promise<AuthorizationDetails> {
  return ctx.shared('iam:authorization-details', () => loadAuthorizationDetails(ctx));
}
