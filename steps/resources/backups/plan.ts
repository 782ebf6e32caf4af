/**
 * The fix of resources.backups: retention raised to 7 days, and for every database no plan covers,
 * a tag-based AWS Backup selection that does. In order: retention (per database), the role AWS
 * Backup uses (global, only what is missing of it), the vault and the daily plan (per region without
 * secure-start-daily), the tag on each database that lacks it, and last the selections (per region):
 * an endpoint without selections (moto) stops the fix there, after everything else is in place.
 */
import { BackupClient, CreateBackupPlanCommand, CreateBackupSelectionCommand, CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, IAMClient, paginateListAttachedRolePolicies } from '@aws-sdk/client-iam';
import { AddTagsToResourceCommand, ModifyDBClusterCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import type { Plan, PlanAction, StepContext } from '../../../src/engine/step-kit.js';
import { errorCode } from '../../../src/engine/step-kit.js';
import type { CoverageData, RetentionData } from './check.js';
import { KEEP_DAYS, MIN_RETENTION, PLAN, VAULT } from './check.js';
import type { TagCondition } from './coverage.js';
import { coverOf } from './coverage.js';

export const ROLE = 'secure-start-backup';
export const MANAGED_POLICIES = ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores'];
/** Where AWS keeps them: arn:<partition>:iam::aws:policy/service-role/<name>. */
export const managedPolicyArn = (partition: string, name: string): string => `arn:${partition}:iam::aws:policy/service-role/${name}`;
export const roleArn = (partition: string, account: string): string => `arn:${partition}:iam::${account}:role/${ROLE}`;

/** Only AWS Backup may assume the role. */
export const TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** The daily plan's document (exported for tests). */
export const planDocument = () => ({
  BackupPlanName: PLAN,
  Rules: [
    {
      RuleName: 'daily-35-days',
      TargetBackupVaultName: VAULT,
      ScheduleExpression: 'cron(0 5 ? * * *)',
      StartWindowMinutes: 60,
      CompletionWindowMinutes: 480,
      Lifecycle: { DeleteAfterDays: KEEP_DAYS },
    },
  ],
});

/** The selection name for a tag: `secure-start-backup-secure-start`, within AWS's 1–50 of `A-Za-z0-9-_.`. */
export function selectionName(tag: TagCondition): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '');
  return `secure-start-${clean(tag.key)}-${clean(tag.value)}`.slice(0, 50).replace(/-+$/, '');
}

/** The selection: every resource of the account in that region tagged `key=value` (Conditions, as AWS recommends). */
export function selectionDocument(tag: TagCondition, partition: string, account: string) {
  return {
    SelectionName: selectionName(tag),
    IamRoleArn: roleArn(partition, account),
    Resources: ['*'],
    Conditions: { StringEquals: [{ ConditionKey: `aws:ResourceTag/${tag.key}`, ConditionValue: tag.value }] },
  };
}

function retentionAction(d: RetentionData): PlanAction {
  const cluster = d.kind === 'cluster';
  // From 0 the change restarts the database: it waits for the maintenance window. From 1–6 it applies at once, without a restart.
  const now = d.days > 0;
  const id = cluster ? { DBClusterIdentifier: d.id } : { DBInstanceIdentifier: d.id };
  const params = { ...id, BackupRetentionPeriod: MIN_RETENTION, ApplyImmediately: now };
  const operation = cluster ? 'ModifyDBCluster' : 'ModifyDBInstance';
  return {
    service: 'rds',
    operation,
    region: d.region,
    params,
    summary: `Keep ${MIN_RETENTION} days of automated backups of ${d.label} in ${d.region} (now ${d.days})${now ? '' : ', from the next maintenance window'}`,
    inverse: { service: 'rds', operation, region: d.region, params: { ...id, BackupRetentionPeriod: d.days, ApplyImmediately: true }, summary: `Keep ${d.days} day${d.days === 1 ? '' : 's'} of backups of ${d.label} again` },
    async run(ctx) {
      const rds = ctx.client(RDSClient, d.region);
      if (cluster) await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: d.id, BackupRetentionPeriod: MIN_RETENTION, ApplyImmediately: now }));
      else await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: d.id, BackupRetentionPeriod: MIN_RETENTION, ApplyImmediately: now }));
    },
  };
}

const notFound = (err: unknown) => ['NoSuchEntity', 'NoSuchEntityException'].includes(errorCode(err));

/** What exists of the role: whether it exists, may be assumed by AWS Backup, and which managed policies it has. */
export async function roleState(ctx: Pick<StepContext, 'client'>): Promise<{ exists: boolean; trustsBackup: boolean; attached: string[] }> {
  const iam = ctx.client(IAMClient);
  let doc: string | undefined;
  try {
    doc = (await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role?.AssumeRolePolicyDocument;
  } catch (err) {
    if (notFound(err)) return { exists: false, trustsBackup: false, attached: [] };
    throw err;
  }
  const attached: string[] = [];
  for await (const page of paginateListAttachedRolePolicies({ client: iam, pageSize: 100 }, { RoleName: ROLE }))
    for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) attached.push(p.PolicyArn);
  return { exists: true, trustsBackup: !!doc && decodeURIComponent(doc).includes('backup.amazonaws.com'), attached };
}

/** The role AWS Backup uses: only what is missing of it, so a fix stopped half-way is finished by the next one. */
async function roleActions(ctx: StepContext, warnings: string[]): Promise<PlanAction[]> {
  const state = await roleState(ctx);
  const actions: PlanAction[] = [];
  const t = ctx.target;
  if (!state.exists) {
    const params = { RoleName: ROLE, AssumeRolePolicyDocument: JSON.stringify(TRUST_POLICY), Description: 'AWS Backup backs up and restores what the secure-start selections name' };
    actions.push({
      service: 'iam',
      operation: 'CreateRole',
      region: 'global',
      params,
      summary: `Create the IAM role ${ROLE} that only AWS Backup may assume`,
      inverse: { service: 'iam', operation: 'DeleteRole', region: 'global', params: { RoleName: ROLE }, summary: `Delete the role ${ROLE}` },
      async run(c) {
        await c.client(IAMClient).send(new CreateRoleCommand(params));
      },
    });
  } else if (!state.trustsBackup)
    warnings.push(`The role ${ROLE} exists, but its trust policy does not name backup.amazonaws.com: AWS Backup cannot use it until it does (IAM console, the role's Trust relationships).`);
  for (const name of MANAGED_POLICIES) {
    const PolicyArn = managedPolicyArn(t.partition, name);
    if (state.attached.includes(PolicyArn)) continue;
    const params = { RoleName: ROLE, PolicyArn };
    actions.push({
      service: 'iam',
      operation: 'AttachRolePolicy',
      region: 'global',
      params,
      summary: `Give the role ${ROLE} the AWS managed policy ${name}`,
      inverse: { service: 'iam', operation: 'DetachRolePolicy', region: 'global', params, summary: `Take ${name} off the role ${ROLE}` },
      async run(c) {
        await c.client(IAMClient).send(new AttachRolePolicyCommand(params));
      },
    });
  }
  return actions;
}

/** The vault and the daily plan; `planIds` gets the new plan's id for the selection made later. */
function vaultAndPlan(region: string, planIds: Map<string, string>): PlanAction[] {
  const vault = { BackupVaultName: VAULT };
  const doc = { BackupPlan: planDocument() };
  const inverseIds = { BackupPlanId: '(the id of the plan this call creates)' };
  return [
    {
      service: 'backup',
      operation: 'CreateBackupVault',
      region,
      params: vault,
      summary: `Create the backup vault ${VAULT} in ${region} (encrypted with the AWS managed key)`,
      inverse: { service: 'backup', operation: 'DeleteBackupVault', region, params: vault, summary: `Delete the vault ${VAULT} (only possible while it is empty)` },
      async run(ctx) {
        try {
          await ctx.client(BackupClient, region).send(new CreateBackupVaultCommand(vault));
        } catch (err) {
          // A vault of that name made earlier (a plan deleted since) is reused as it is, and undo leaves it.
          if (errorCode(err) !== 'AlreadyExistsException') throw err;
          return { output: { created: false } };
        }
        return { output: { created: true } };
      },
    },
    {
      service: 'backup',
      operation: 'CreateBackupPlan',
      region,
      params: doc,
      summary: `Create the backup plan ${PLAN} in ${region}: a backup every day at 05:00 UTC, each kept ${KEEP_DAYS} days`,
      inverse: { service: 'backup', operation: 'DeleteBackupPlan', region, params: inverseIds, summary: `Delete the backup plan ${PLAN} (its backups stay in the vault until they expire)` },
      async run(ctx) {
        const out = await ctx.client(BackupClient, region).send(new CreateBackupPlanCommand(doc));
        if (out.BackupPlanId) {
          planIds.set(region, out.BackupPlanId);
          inverseIds.BackupPlanId = out.BackupPlanId;
        }
        return { output: { BackupPlanId: out.BackupPlanId } };
      },
    },
  ];
}

function tagAction(d: CoverageData, tag: TagCondition): PlanAction {
  const params = { ResourceName: d.arn, Tags: [{ Key: tag.key, Value: tag.value }] };
  const had = d.tags[tag.key];
  return {
    service: 'rds',
    operation: 'AddTagsToResource',
    region: d.region,
    params,
    summary: `Tag ${d.label} in ${d.region} ${tag.key}=${tag.value}${had !== undefined ? ` (now ${tag.key}=${had})` : ''}, so the plan backs it up`,
    inverse:
      had === undefined
        ? { service: 'rds', operation: 'RemoveTagsFromResource', region: d.region, params: { ResourceName: d.arn, TagKeys: [tag.key] }, summary: `Remove the tag ${tag.key} from ${d.label}` }
        : { service: 'rds', operation: 'AddTagsToResource', region: d.region, params: { ResourceName: d.arn, Tags: [{ Key: tag.key, Value: had }] }, summary: `Tag ${d.label} ${tag.key}=${had} again` },
    async run(ctx) {
      await ctx.client(RDSClient, d.region).send(new AddTagsToResourceCommand(params));
    },
  };
}

function selectionAction(region: string, tag: TagCondition, ctx: StepContext, planIds: Map<string, string>, existingPlanId: string | undefined): PlanAction {
  const selection = selectionDocument(tag, ctx.target.partition, ctx.target.accountId);
  const params = { BackupPlanId: existingPlanId ?? '(the id of the plan created above)', BackupSelection: selection };
  const inverseIds = { BackupPlanId: params.BackupPlanId, SelectionId: '(the id of the selection this call creates)' };
  return {
    service: 'backup',
    operation: 'CreateBackupSelection',
    region,
    params,
    summary: `Back up everything tagged ${tag.key}=${tag.value} in ${region} with the plan ${PLAN} (selection ${selection.SelectionName}, role ${ROLE})`,
    inverse: { service: 'backup', operation: 'DeleteBackupSelection', region, params: inverseIds, summary: `Delete the selection ${selection.SelectionName} of the plan ${PLAN}` },
    async run(c) {
      const BackupPlanId = existingPlanId ?? planIds.get(region);
      if (!BackupPlanId) throw new Error(`The plan ${PLAN} in ${region} was not created in this run, so there is no plan to add the selection to. Run the fix again.`);
      params.BackupPlanId = BackupPlanId;
      inverseIds.BackupPlanId = BackupPlanId;
      const out = await c.client(BackupClient, region).send(new CreateBackupSelectionCommand({ BackupPlanId, BackupSelection: selection }));
      if (out.SelectionId) inverseIds.SelectionId = out.SelectionId;
      return { output: { BackupPlanId, SelectionId: out.SelectionId } };
    },
  };
}

/** The whole plan from the failing findings' data and the chosen tag. */
export async function buildPlan(ctx: StepContext, retention: RetentionData[], uncovered: CoverageData[], tag: TagCondition): Promise<Plan> {
  const actions: PlanAction[] = retention.map(retentionAction);
  const warnings: string[] = [];
  const byRegion = new Map<string, CoverageData[]>();
  for (const d of uncovered) byRegion.set(d.region, [...(byRegion.get(d.region) ?? []), d]);
  const planIds = new Map<string, string>();
  const plans: PlanAction[] = [];
  const tags: PlanAction[] = [];
  const selections: PlanAction[] = [];
  for (const [region, dbs] of byRegion) {
    const first = dbs[0]!;
    if (!first.ourPlanId) plans.push(...vaultAndPlan(region, planIds));
    for (const d of dbs) if (d.tags[tag.key] !== tag.value) tags.push(tagAction(d, tag));
    // Our plan may already select this tag: then tagging is enough.
    const selected = dbs.every((d) => coverOf(d.ourRules, { arn: d.arn, tags: { ...d.tags, [tag.key]: tag.value } }) !== undefined);
    if (!first.ourPlanId || !selected) selections.push(selectionAction(region, tag, ctx, planIds, first.ourPlanId));
  }
  if (selections.length) actions.push(...(await roleActions(ctx, warnings)));
  actions.push(...plans, ...tags, ...selections);
  if (selections.length && ctx.target.sandbox)
    warnings.push(
      'This emulator may not implement AWS Backup selections (moto does not): the fix then stops at the selection, and what it made before stays ' +
        '(role, vault, plan, tags). The step is then reported unsupported, not fixed.',
    );
  return { actions, ...(warnings.length ? { warnings } : {}) };
}
