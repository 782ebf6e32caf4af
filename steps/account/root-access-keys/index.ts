/**
 * account.root-access-keys: the root user has no access keys (inactive ones count too, as in CIS 2.4).
 *
 * Check: the live account summary (AccountAccessKeysPresent) decides; the credential report's root
 * row gives the details (which slot, active or not, last use) and tells whether this endpoint has a
 * root user at all. moto has none, so in the sandbox the step is `unsupported` with the reason: a
 * hard-coded 0 must not become a pass (see ../_shared/root-user.ts, shared by both root steps).
 *
 * Fix: only the root user can manage its own keys.
 * - Caller is root: an interactive plan. Deactivate each key (undoable), ask the person to confirm
 *   nothing uses them any more, then delete them (destructive). The key this very run signs with is
 *   left alone: switching it off would cut the run off mid-plan; the guidance says how to remove it.
 * - Anyone else: no actions, the exact console steps as guidance; the wizard offers to check again.
 * Undo: a deactivated key is switched on again (as root); a deleted one cannot come back.
 */
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
  paginateListAccessKeys,
} from '@aws-sdk/client-iam';
import type { AccessKeyMetadata } from '@aws-sdk/client-iam';
import type { ActionIO, Finding, Plan, PlanAction, Step, StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { invokedAs, irreversible, nothingToUndo, recordedInverse, undoWith } from '../../../src/engine/step-kit.js';
import { consoleUrl, day, readRootState, reportNote, rootArn, whyUnknown } from '../_shared/root-user.js';
import type { RootState } from '../_shared/root-user.js';
import meta from './meta.js';

export function consoleSteps(ctx: StepContext, keyIds?: string[]): string {
  const which = keyIds?.length ? ` (${keyIds.join(', ')})` : '';
  return [
    'Only the root user can remove its own access keys, in the AWS console:',
    '',
    `1. Open ${consoleUrl(ctx)}, choose **Root user**, and sign in with the account's email address and password.`,
    '2. Open the menu under your account name (top right) and choose **Security credentials**.',
    `3. In **Access keys**, for each key${which}: **Actions** → **Deactivate**.`,
    '4. Wait long enough to be sure nothing you run still uses them (scripts, CI jobs, servers): with the keys inactive, ' +
      'such a job gets "access denied" instead of working. Move any such job to an IAM role or an IAM Identity Center user.',
    '5. Then, for each key: **Actions** → **Delete**, type the key ID to confirm, and choose **Delete**.',
    '6. Come back here and check again.',
  ].join('\n');
}

/** "key 1 active, created 2024-01-02, last used 2026-11-20" for each key slot the report shows in use. */
function describeSlots(state: RootState): string[] {
  return (state.row?.accessKeys ?? [])
    .filter((k) => k.active || k.lastRotated)
    .map((k) => {
      const parts = [`key ${k.slot} ${k.active ? 'active' : 'inactive'}`];
      if (k.lastRotated) parts.push(`created ${day(k.lastRotated)}`);
      parts.push(k.lastUsed ? `last used ${day(k.lastUsed)}` : 'never used');
      return parts.join(', ');
    });
}

async function check(ctx: StepContext): Promise<Finding[]> {
  const state = await readRootState(ctx);
  const base = { resource: rootArn(ctx), region: 'global' };
  if (state.accessKeysPresent) {
    const slots = describeSlots(state);
    const listed = slots.length
      ? `: ${slots.join('; ')}`
      : ' (the credential report, which can be up to four hours old, does not list them yet)';
    return [
      {
        ...base,
        status: 'fail',
        message:
          `The root user has access keys${listed}. A root key can do anything in the account, and no IAM policy can limit it.` + reportNote(state),
        data: { keysPresent: true },
      },
    ];
  }
  // A 0 from an endpoint without a root user is a constant, not a reading: it must not pass.
  const unknown = whyUnknown(ctx, state, 'AccountAccessKeysPresent');
  if (unknown) return [{ ...base, status: 'unsupported', message: unknown }];
  return [{ ...base, status: 'pass', message: 'The root user has no access keys.' + reportNote(state), data: { keysPresent: false } }];
}

/** The access key id this run signs its requests with, when the credentials say. */
async function callerKeyId(iam: IAMClient): Promise<string | undefined> {
  try {
    return (await iam.config.credentials()).accessKeyId;
  } catch {
    return undefined;
  }
}

interface RootKey {
  id: string;
  active: boolean;
  created?: string;
  /** "last used 2026-11-20 (s3, us-east-1)" or "never used"; undefined when it could not be read. */
  lastUse?: string;
}

async function lastUse(iam: IAMClient, id: string): Promise<string | undefined> {
  try {
    const used = (await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }))).AccessKeyLastUsed;
    if (!used?.LastUsedDate) return 'never used';
    const where = [used.ServiceName, used.Region].filter((s) => s && s !== 'N/A').join(', ');
    return `last used ${day(used.LastUsedDate)}${where ? ` (${where})` : ''}`;
  } catch {
    return undefined;
  }
}

async function rootKeys(iam: IAMClient): Promise<RootKey[]> {
  const metas: AccessKeyMetadata[] = [];
  // Without a user name IAM lists the caller's own keys: as root, the root user's.
  for await (const page of paginateListAccessKeys({ client: iam }, {})) metas.push(...(page.AccessKeyMetadata ?? []));
  return Promise.all(
    metas
      .filter((m): m is AccessKeyMetadata & { AccessKeyId: string } => !!m.AccessKeyId)
      .map(async (m) => ({
        id: m.AccessKeyId,
        active: m.Status === 'Active',
        ...(m.CreateDate ? { created: day(m.CreateDate)! } : {}),
        ...(await lastUse(iam, m.AccessKeyId).then((u) => (u ? { lastUse: u } : {}))),
      })),
  );
}

function keyLabel(k: RootKey): string {
  const about = [k.created && `created ${k.created}`, k.lastUse].filter(Boolean).join(', ');
  return `${k.id}${about ? ` (${about})` : ''}`;
}

/** Why a deleted root key cannot be undone (the plan says it before the fix, `undo` after). */
const DELETED_KEY = 'AWS cannot bring back a deleted access key: its secret is gone for good (a new key would be a new secret).';

/**
 * Undo: a key the fix deactivated is switched on again while it is still inactive (only the root
 * user can, as for the fix); a deleted key cannot come back.
 */
async function undo(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const id = String(entry.params.AccessKeyId);
  if (entry.operation === 'DeleteAccessKey') return irreversible(`Root access key ${id} was deleted. ${DELETED_KEY}`);
  if (entry.operation !== 'UpdateAccessKey' || entry.params.Status !== 'Inactive' || !entry.inverse)
    return irreversible(`This version of ${meta.id} does not know how to undo ${entry.operation}.`);
  if (!ctx.target.isRoot) return irreversible(`Only the root user can switch its own access key ${id} back on: sign in as root and run undo again, or use the console.`);
  // Without a user name, IAM lists the caller's own keys: as root, the root user's.
  const keys = (await ctx.client(IAMClient).send(new ListAccessKeysCommand({}))).AccessKeyMetadata ?? [];
  const key = keys.find((k) => k.AccessKeyId === id);
  if (!key) return irreversible(`Root access key ${id} has been deleted since it was deactivated. ${DELETED_KEY}`);
  if (key.Status === 'Active') return nothingToUndo(`Root access key ${id} is already active again, as before the fix.`);
  return undoWith(recordedInverse(entry));
}

/** Deactivate what is active, then one confirmation, then delete; the key in use is not touched. */
function rootPlan(keys: RootKey[]): PlanAction[] {
  const ids = keys.map((k) => k.id);
  let confirmed: boolean | undefined;

  const confirmDeletion = async (io: ActionIO | undefined): Promise<void> => {
    if (confirmed) return;
    if (!io) throw new Error(`Deleting root access keys needs a person to confirm nothing uses them: run the wizard (${invokedAs()} --step account.root-access-keys).`);
    const list = ids.join(', ');
    confirmed = await io.asker.confirm({
      message:
        `Root access key${ids.length === 1 ? '' : 's'} ${list} ${ids.length === 1 ? 'is' : 'are'} inactive now, so anything still using ` +
        `${ids.length === 1 ? 'it' : 'them'} gets "access denied". If nothing you run has broken, delete ${ids.length === 1 ? 'it' : 'them'} for good? ` +
        '(This cannot be undone.)',
      default: false,
    });
    if (!confirmed)
      throw new Error(
        `Not deleted: ${list} stay${ids.length === 1 ? 's' : ''} inactive. If something broke, reactivate the key in the console ` +
          '(Security credentials → Access keys → Actions → Activate), move that job to an IAM role or user, and run this step again.',
      );
  };

  const deactivate = keys
    .filter((k) => k.active)
    .map(
      (k): PlanAction => ({
        service: 'iam',
        operation: 'UpdateAccessKey',
        region: 'global',
        params: { AccessKeyId: k.id, Status: 'Inactive' },
        summary: `Deactivate root access key ${keyLabel(k)}`,
        inverse: {
          service: 'iam',
          operation: 'UpdateAccessKey',
          region: 'global',
          params: { AccessKeyId: k.id, Status: 'Active' },
          summary: `Reactivate root access key ${k.id}`,
        },
        async run(ctx) {
          await ctx.client(IAMClient).send(new UpdateAccessKeyCommand({ AccessKeyId: k.id, Status: 'Inactive' }));
        },
      }),
    );

  const remove = keys.map(
    (k): PlanAction => ({
      service: 'iam',
      operation: 'DeleteAccessKey',
      region: 'global',
      params: { AccessKeyId: k.id },
      summary: `Delete root access key ${k.id} for good, once you confirm nothing uses it`,
      destructive: true,
      irreversible: DELETED_KEY,
      async run(ctx, io) {
        await confirmDeletion(io);
        await ctx.client(IAMClient).send(new DeleteAccessKeyCommand({ AccessKeyId: k.id }));
      },
    }),
  );

  return [...deactivate, ...remove];
}

const step: Step<undefined> = {
  meta,
  check,

  async plan(ctx, findings): Promise<Plan> {
    if (findings.every((f) => f.status === 'pass')) return { actions: [] };
    if (!findings.some((f) => f.status === 'fail') || !ctx.target.isRoot) return { actions: [], guidance: consoleSteps(ctx) };

    const iam = ctx.client(IAMClient);
    const [keys, inUse] = await Promise.all([rootKeys(iam), callerKeyId(iam)]);
    const own = keys.find((k) => k.id === inUse);
    const others = keys.filter((k) => k !== own);
    const warnings: string[] = [];
    if (others.some((k) => k.active))
      warnings.push('Anything that still signs requests with these keys (scripts, CI jobs, servers) fails as soon as they are deactivated.');
    if (own)
      warnings.push(
        `This run signs its requests with root access key ${own.id}, so it cannot switch that key off without cutting itself off. ` +
          'Finish here, then delete that key in the console (steps below), and work as the administrator from account.admin-identity from then on.',
      );
    const actions = rootPlan(others);
    return {
      actions,
      ...(actions.length ? { interactive: true } : {}),
      // The key in use stays for the console; so does everything when IAM listed no key to act on.
      ...(own ? { guidance: consoleSteps(ctx, [own.id]) } : actions.length ? {} : { guidance: consoleSteps(ctx) }),
      ...(warnings.length ? { warnings } : {}),
    };
  },
  undo,
  // No seed: moto has no root user, so there is no root key to make (see ../_shared/root-user.ts).
};

export default step;
