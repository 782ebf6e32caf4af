/**
 * Undo of resources.backups, one journalled change at a time (newest first), from what the fix
 * recorded and what is there now. Nothing is reversed over a later edit: retention only while it is
 * still 7 days, a tag only while it still has the value the fix set, the selection and the plan only
 * while they are as created, the role only while it has no policy but the two AWS Backup ones and
 * the trust the fix wrote, the vault only while empty (a vault holding backups only by a destructive
 * action, which deletes them).
 */
import {
  BackupClient,
  DeleteBackupPlanCommand,
  DeleteBackupSelectionCommand,
  DeleteBackupVaultCommand,
  DeleteRecoveryPointCommand,
  DescribeBackupVaultCommand,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  paginateListBackupSelections,
  paginateListRecoveryPointsByBackupVault,
} from '@aws-sdk/client-backup';
import { DeleteRoleCommand, DetachRolePolicyCommand, GetRoleCommand, IAMClient, paginateListAttachedRolePolicies, paginateListRolePolicies } from '@aws-sdk/client-iam';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import type { PlanAction, StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, errorCode, errorKind, irreversible, nothingToUndo, recordedInverse, sameJson, undoWith } from '../../../src/engine/step-kit.js';
import { MIN_RETENTION, PLAN, VAULT } from './check.js';
import { MANAGED_POLICIES, ROLE, managedPolicyArn, planDocument } from './plan.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const gone = (err: unknown, codes: string[]) => codes.includes(errorCode(err));

/** Retention back to the days recorded before the fix, while it is still the fix's 7 days. */
async function undoRetention(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const p = entry.params as Record<string, unknown>;
  const cluster = entry.operation === 'ModifyDBCluster';
  const id = str(cluster ? p.DBClusterIdentifier : p.DBInstanceIdentifier);
  const before = (entry.inverse?.params as { BackupRetentionPeriod?: unknown } | undefined)?.BackupRetentionPeriod;
  if (typeof before !== 'number') return irreversible(`The journal did not record how many days of backups ${id} kept before the fix.`);
  const rds = ctx.client(RDSClient, entry.region);
  let now: number | undefined;
  try {
    if (cluster) {
      const c = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0];
      now = c?.PendingModifiedValues?.BackupRetentionPeriod ?? c?.BackupRetentionPeriod;
    } else {
      const i = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
      now = i?.PendingModifiedValues?.BackupRetentionPeriod ?? i?.BackupRetentionPeriod;
    }
  } catch (err) {
    if (gone(err, ['DBInstanceNotFound', 'DBInstanceNotFoundFault', 'DBClusterNotFoundFault', 'DBClusterNotFound'])) return nothingToUndo(`Database ${id} in ${entry.region} no longer exists.`);
    throw err;
  }
  if (now === undefined) return nothingToUndo(`Database ${id} in ${entry.region} no longer exists.`);
  if (now === before) return nothingToUndo(`${id} in ${entry.region} keeps ${before} days of backups again, as before the fix.`);
  if (now !== MIN_RETENTION) return drifted(`The backup retention of ${id} in ${entry.region}`, { now: `${now} days`, wrote: `${MIN_RETENTION} days` });
  const action = recordedInverse(entry);
  // Back to 0 turns automated backups off, and RDS deletes the ones it kept.
  return undoWith(before === 0 ? { ...action, destructive: true, summary: `${action.summary} (turns automated backups off: RDS deletes the ones it kept)` } : action);
}

/** The tag off again (or its earlier value back), while it still has the value the fix set. */
async function undoTag(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const p = entry.params as { ResourceName?: string; Tags?: { Key?: string; Value?: string }[] };
  const arn = str(p.ResourceName);
  const tag = p.Tags?.[0];
  if (!tag?.Key || !entry.inverse) return irreversible(`The journal did not record the tag put on ${arn}.`);
  const id = arn.split(':').pop()!;
  const rds = ctx.client(RDSClient, entry.region);
  let tags: { Key?: string; Value?: string }[] | undefined;
  try {
    tags = arn.includes(':cluster:')
      ? (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0]?.TagList
      : (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0]?.TagList;
  } catch (err) {
    if (gone(err, ['DBInstanceNotFound', 'DBInstanceNotFoundFault', 'DBClusterNotFoundFault', 'DBClusterNotFound'])) return nothingToUndo(`Database ${id} in ${entry.region} no longer exists.`);
    throw err;
  }
  if (!tags) return nothingToUndo(`Database ${id} in ${entry.region} no longer exists.`);
  const now = tags.find((t) => t.Key === tag.Key)?.Value;
  const before = entry.inverse.operation === 'AddTagsToResource' ? (entry.inverse.params as { Tags: { Value: string }[] }).Tags[0]?.Value : undefined;
  if (now === before) return nothingToUndo(`${id} in ${entry.region} has the tag ${tag.Key} as before the fix.`);
  if (now !== tag.Value) return drifted(`The tag ${tag.Key} of ${id} in ${entry.region}`, { now: now ?? '(no such tag)', wrote: tag.Value ?? '' });
  return undoWith(recordedInverse(entry));
}

/** The selection deleted, while it is as created. */
async function undoSelection(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const BackupPlanId = str(entry.output?.BackupPlanId);
  const SelectionId = str(entry.output?.SelectionId);
  const wrote = (entry.params as { BackupSelection?: Record<string, unknown> }).BackupSelection ?? {};
  const name = str(wrote.SelectionName);
  if (!BackupPlanId || !SelectionId) return irreversible(`The journal has no id for the selection ${name}: delete it by hand (AWS Backup console, plan ${PLAN}, Resource assignments).`);
  let now: Record<string, unknown> | undefined;
  try {
    now = (await ctx.client(BackupClient, entry.region).send(new GetBackupSelectionCommand({ BackupPlanId, SelectionId }))).BackupSelection as Record<string, unknown> | undefined;
  } catch (err) {
    if (gone(err, ['ResourceNotFoundException'])) return nothingToUndo(`The selection ${name} of the plan ${PLAN} in ${entry.region} no longer exists.`);
    throw err;
  }
  if (!now) return nothingToUndo(`The selection ${name} of the plan ${PLAN} in ${entry.region} no longer exists.`);
  const fields = ['SelectionName', 'IamRoleArn', 'Resources', 'Conditions'] as const;
  const pick = (s: Record<string, unknown>) => Object.fromEntries(fields.map((f) => [f, s[f] ?? null]));
  if (!sameJson(pick(now), pick(wrote))) return drifted(`The selection ${name} in ${entry.region}`, { now: pick(now), wrote: pick(wrote) });
  return undoWith({
    service: 'backup',
    operation: 'DeleteBackupSelection',
    region: entry.region,
    params: { BackupPlanId, SelectionId },
    summary: `Delete the selection ${name} of the plan ${PLAN} in ${entry.region} (backups already taken stay in the vault until they expire or are deleted)`,
    async run(c) {
      await c.client(BackupClient, entry.region).send(new DeleteBackupSelectionCommand({ BackupPlanId, SelectionId }));
    },
  });
}

/** The rule fields the fix set, to compare with the plan as it is now. */
const ruleFields = (r: Record<string, unknown>) => ({
  RuleName: r.RuleName ?? null,
  TargetBackupVaultName: r.TargetBackupVaultName ?? null,
  ScheduleExpression: r.ScheduleExpression ?? null,
  StartWindowMinutes: r.StartWindowMinutes ?? null,
  CompletionWindowMinutes: r.CompletionWindowMinutes ?? null,
  DeleteAfterDays: (r.Lifecycle as { DeleteAfterDays?: number } | undefined)?.DeleteAfterDays ?? null,
  MoveToColdStorageAfterDays: (r.Lifecycle as { MoveToColdStorageAfterDays?: number } | undefined)?.MoveToColdStorageAfterDays ?? null,
  CopyActions: (r.CopyActions as unknown[] | undefined)?.length ? r.CopyActions : null,
});

/** The plan's selections, or undefined when the endpoint does not implement selections (moto): then it can have none. */
async function selectionsOf(ctx: StepContext, region: string, BackupPlanId: string): Promise<{ id: string; name: string }[] | undefined> {
  try {
    const out: { id: string; name: string }[] = [];
    for await (const page of paginateListBackupSelections({ client: ctx.client(BackupClient, region) }, { BackupPlanId }))
      for (const s of page.BackupSelectionsList ?? []) if (s.SelectionId) out.push({ id: s.SelectionId, name: s.SelectionName ?? s.SelectionId });
    return out;
  } catch (err) {
    if (errorKind(err) === 'unsupported') return undefined;
    throw err;
  }
}

/** The daily plan deleted, while its rules are as created and it selects nothing but what secure-start named. */
async function undoPlan(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const BackupPlanId = str(entry.output?.BackupPlanId);
  if (!BackupPlanId) return irreversible(`The journal has no id for the plan ${PLAN} in ${entry.region}: delete it by hand (AWS Backup console, Backup plans).`);
  const backup = ctx.client(BackupClient, entry.region);
  let rules: Record<string, unknown>[];
  try {
    const out = await backup.send(new GetBackupPlanCommand({ BackupPlanId }));
    if (out.DeletionDate) return nothingToUndo(`The plan ${PLAN} in ${entry.region} is deleted already.`);
    rules = (out.BackupPlan?.Rules ?? []) as unknown as Record<string, unknown>[];
  } catch (err) {
    if (gone(err, ['ResourceNotFoundException'])) return nothingToUndo(`The plan ${PLAN} in ${entry.region} no longer exists.`);
    throw err;
  }
  const wrote = planDocument().Rules.map((r) => ruleFields(r as unknown as Record<string, unknown>));
  const now = rules.map(ruleFields);
  if (!sameJson(now, wrote)) return drifted(`The rules of the plan ${PLAN} in ${entry.region}`, { now, wrote });
  const selections = await selectionsOf(ctx, entry.region, BackupPlanId);
  const others = (selections ?? []).filter((s) => !s.name.startsWith('secure-start-'));
  if (others.length) return drifted(`The plan ${PLAN} in ${entry.region}`, { now: `selections ${(selections ?? []).map((s) => s.name).join(', ')}`, wrote: 'secure-start selections only' });
  const ours = selections ?? [];
  return undoWith({
    service: 'backup',
    operation: 'DeleteBackupPlan',
    region: entry.region,
    params: { BackupPlanId },
    summary:
      `Delete the backup plan ${PLAN} in ${entry.region}${ours.length ? `, and first its selection${ours.length === 1 ? '' : 's'} ${ours.map((s) => s.name).join(', ')}` : ''} ` +
      '(backups already taken stay in the vault until they expire or are deleted)',
    async run(c) {
      const b = c.client(BackupClient, entry.region);
      // AWS deletes a plan only once it has no selections; the newer undo of the selection may have done it already.
      for (const s of ours)
        try {
          await b.send(new DeleteBackupSelectionCommand({ BackupPlanId, SelectionId: s.id }));
        } catch (err) {
          if (!gone(err, ['ResourceNotFoundException'])) throw err;
        }
      await b.send(new DeleteBackupPlanCommand({ BackupPlanId }));
    },
  });
}

/** The vault deleted while empty; one holding backups only by a destructive action that deletes them first. */
async function undoVault(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  if (entry.output?.created === false) return nothingToUndo(`The vault ${VAULT} in ${entry.region} existed before the fix, which reused it.`);
  const backup = ctx.client(BackupClient, entry.region);
  try {
    await backup.send(new DescribeBackupVaultCommand({ BackupVaultName: VAULT }));
  } catch (err) {
    if (gone(err, ['ResourceNotFoundException'])) return nothingToUndo(`The vault ${VAULT} in ${entry.region} no longer exists.`);
    throw err;
  }
  const points: string[] = [];
  try {
    for await (const page of paginateListRecoveryPointsByBackupVault({ client: backup }, { BackupVaultName: VAULT }))
      for (const r of page.RecoveryPoints ?? []) if (r.RecoveryPointArn) points.push(r.RecoveryPointArn);
  } catch (err) {
    // An endpoint without recovery points (moto) has none to list; DeleteBackupVault still refuses a vault that is not empty.
    if (errorKind(err) !== 'unsupported') throw err;
  }
  const del: PlanAction = {
    service: 'backup',
    operation: 'DeleteBackupVault',
    region: entry.region,
    params: { BackupVaultName: VAULT },
    summary: `Delete the backup vault ${VAULT} in ${entry.region} (it is empty)`,
    async run(c) {
      await c.client(BackupClient, entry.region).send(new DeleteBackupVaultCommand({ BackupVaultName: VAULT }));
    },
  };
  if (!points.length) return undoWith(del);
  return {
    kind: 'undo',
    warnings: [
      `The vault ${VAULT} in ${entry.region} holds ${points.length} backup${points.length === 1 ? '' : 's'}. Left as it is, they stay until they expire or someone deletes them.`,
    ],
    actions: [
      {
        ...del,
        destructive: true,
        summary: `Delete the ${points.length} backup${points.length === 1 ? '' : 's'} in the vault ${VAULT} in ${entry.region}, then the vault: they cannot be restored afterwards`,
        async run(c) {
          const b = c.client(BackupClient, entry.region);
          for (const RecoveryPointArn of points) await b.send(new DeleteRecoveryPointCommand({ BackupVaultName: VAULT, RecoveryPointArn }));
          await b.send(new DeleteBackupVaultCommand({ BackupVaultName: VAULT }));
        },
      },
    ],
  };
}

/** The role as IAM has it now, or undefined when it is gone. */
async function readRole(ctx: StepContext): Promise<{ trust: unknown; attached: string[]; inline: string[] } | undefined> {
  const iam = ctx.client(IAMClient);
  let doc: string | undefined;
  try {
    doc = (await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role?.AssumeRolePolicyDocument;
  } catch (err) {
    if (gone(err, ['NoSuchEntity', 'NoSuchEntityException'])) return undefined;
    throw err;
  }
  const attached: string[] = [];
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: ROLE })) for (const x of page.AttachedPolicies ?? []) if (x.PolicyArn) attached.push(x.PolicyArn);
  const inline: string[] = [];
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: ROLE })) inline.push(...(page.PolicyNames ?? []));
  return { trust: doc ? (JSON.parse(decodeURIComponent(doc)) as unknown) : undefined, attached, inline };
}

async function undoAttach(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const arn = str((entry.params as { PolicyArn?: unknown }).PolicyArn);
  const role = await readRole(ctx);
  if (!role?.attached.includes(arn)) return nothingToUndo(`${arn.split('/').pop()} is not attached to the role ${ROLE} any more.`);
  return undoWith(recordedInverse(entry));
}

/** The role deleted while it has the trust the fix wrote and no policy but the two AWS Backup ones (detached first). */
async function undoRole(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const role = await readRole(ctx);
  if (!role) return nothingToUndo(`The role ${ROLE} no longer exists.`);
  const ours = MANAGED_POLICIES.map((n) => managedPolicyArn(ctx.target.partition, n));
  const extra = [...role.attached.filter((a) => !ours.includes(a)), ...role.inline];
  if (extra.length) return drifted(`The policies of the role ${ROLE}`, { now: [...role.attached, ...role.inline].join(', '), wrote: MANAGED_POLICIES.join(', ') });
  const wrote = JSON.parse(str((entry.params as { AssumeRolePolicyDocument?: unknown }).AssumeRolePolicyDocument) || 'null') as unknown;
  if (!sameJson(role.trust, wrote)) return drifted(`The trust policy of the role ${ROLE}`, { now: role.trust, wrote });
  const attached = role.attached;
  return undoWith({
    service: 'iam',
    operation: 'DeleteRole',
    region: 'global',
    params: { RoleName: ROLE },
    summary: `Delete the role ${ROLE}${attached.length ? ', after taking the AWS Backup policies off it' : ''}`,
    async run(c) {
      const iam = c.client(IAMClient);
      // The newer undo of AttachRolePolicy may have detached them already.
      for (const PolicyArn of attached)
        try {
          await iam.send(new DetachRolePolicyCommand({ RoleName: ROLE, PolicyArn }));
        } catch (err) {
          if (!gone(err, ['NoSuchEntity', 'NoSuchEntityException'])) throw err;
        }
      await iam.send(new DeleteRoleCommand({ RoleName: ROLE }));
    },
  });
}

export async function undoChange(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  switch (entry.operation) {
    case 'ModifyDBInstance':
    case 'ModifyDBCluster':
      return undoRetention(ctx, entry);
    case 'AddTagsToResource':
      return undoTag(ctx, entry);
    case 'CreateBackupSelection':
      return undoSelection(ctx, entry);
    case 'CreateBackupPlan':
      return undoPlan(ctx, entry);
    case 'CreateBackupVault':
      return undoVault(ctx, entry);
    case 'AttachRolePolicy':
      return undoAttach(ctx, entry);
    case 'CreateRole':
      return undoRole(ctx, entry);
    default:
      return irreversible(`resources.backups made no ${entry.operation} change that it knows how to undo.`);
  }
}
