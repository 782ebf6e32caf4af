/**
 * resources.backups: the databases keep at least 7 days of automated backups (FSBP RDS.11), and
 * each region with databases has an AWS Backup plan that selects something.
 *
 * Per region: the shared database reads (../_shared/rds.ts), ListBackupPlans, and
 * ListBackupSelections per plan (no batch form). moto does not implement ListBackupSelections
 * (HTTP 500): what the plans select is then `unsupported`, with the reason.
 *
 * The fix raises retention to 7 days (ModifyDBInstance / ModifyDBCluster), and in a region without
 * a plan creates the vault `secure-start-vault` and the plan `secure-start-daily` (daily, kept 35
 * days). The tag-based selection is given as guidance (the exact command), not made by the tool.
 */
import { BackupClient, CreateBackupPlanCommand, CreateBackupVaultCommand, paginateListBackupPlans, paginateListBackupSelections } from '@aws-sdk/client-backup';
import type { BackupPlansListMember } from '@aws-sdk/client-backup';
import { ModifyDBClusterCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import type { Finding, Plan, PlanAction, Step, StepContext } from '../../../src/engine/step-kit.js';
import { describeError, errorCode, errorKind, mapLimit, regionFailure } from '../../../src/engine/step-kit.js';
import { REGION_CONCURRENCY, clusterLabel, databases, instanceLabel, noDatabases, rdsRegionFailure, seedDayOneDatabase } from '../_shared/rds.js';
import meta from './meta.js';

export const MIN_RETENTION = 7;
export const VAULT = 'secure-start-vault';
export const PLAN = 'secure-start-daily';
export const KEEP_DAYS = 35;
export const TAG = { key: 'backup', value: 'secure-start' };

interface RetentionData {
  kind: 'instance' | 'cluster';
  id: string;
  region: string;
  label: string;
  days: number;
}

interface NoPlanData {
  kind: 'plan';
  region: string;
}

/** RDS.11: stand-alone instances and clusters keep ≥ 7 days; cluster members and read replicas follow their source (exported for unit tests). */
export function retentionFindings(region: string, dbs: { instances: DBInstance[]; clusters: DBCluster[] }): Finding[] {
  const units = [
    ...dbs.clusters.map((c) => ({ kind: 'cluster' as const, id: c.DBClusterIdentifier!, arn: c.DBClusterArn!, label: clusterLabel(c), days: c.BackupRetentionPeriod })),
    ...dbs.instances
      .filter((i) => !i.DBClusterIdentifier && !i.ReadReplicaSourceDBInstanceIdentifier)
      .map((i) => ({ kind: 'instance' as const, id: i.DBInstanceIdentifier!, arn: i.DBInstanceArn!, label: instanceLabel(i), days: i.BackupRetentionPeriod })),
  ];
  return units.map((u) => {
    const base = { resource: u.arn ?? u.id, region };
    const where = `Database ${u.label} in ${region}`;
    if (u.days === undefined) return { ...base, status: 'manual', message: `${where}: RDS did not say how long it keeps automated backups.` };
    if (u.days >= MIN_RETENTION) return { ...base, status: 'pass', message: `${where} keeps automated backups ${u.days} days.` };
    const data: RetentionData = { kind: u.kind, id: u.id, region, label: u.label, days: u.days };
    return {
      ...base,
      status: 'fail',
      message:
        u.days === 0
          ? `${where} has automated backups turned off: no point-in-time restore is possible.`
          : `${where} keeps automated backups only ${u.days} day${u.days === 1 ? '' : 's'}: a problem noticed after that cannot be undone (FSBP RDS.11 asks for ${MIN_RETENTION}).`,
      data: { ...data },
    };
  });
}

async function listPlans(ctx: StepContext, region: string): Promise<BackupPlansListMember[]> {
  const out: BackupPlansListMember[] = [];
  for await (const page of paginateListBackupPlans({ client: ctx.client(BackupClient, region), pageSize: 100 }, {})) out.push(...(page.BackupPlansList ?? []));
  return out;
}

/** How many selections each plan has; `unsupported` when the endpoint lacks the API. */
async function countSelections(ctx: StepContext, region: string, plans: BackupPlansListMember[]): Promise<number | { unsupported: string }> {
  try {
    const counts = await mapLimit(plans, 4, async (p) => {
      let n = 0;
      for await (const page of paginateListBackupSelections({ client: ctx.client(BackupClient, region), pageSize: 100 }, { BackupPlanId: p.BackupPlanId! }))
        n += page.BackupSelectionsList?.length ?? 0;
      return n;
    });
    return counts.reduce((a, b) => a + b, 0);
  } catch (err) {
    if (errorKind(err) === 'unsupported') return { unsupported: describeError(err) };
    throw err;
  }
}

async function backupFindings(ctx: StepContext, region: string, hasDatabases: boolean): Promise<Finding[]> {
  const resource = `arn:${ctx.target.partition}:backup:${region}:${ctx.target.accountId}:backup-plan:*`;
  try {
    const plans = await listPlans(ctx, region);
    if (!plans.length) {
      if (!hasDatabases) return [];
      const data: NoPlanData = { kind: 'plan', region };
      return [{ resource, region, status: 'fail', message: `No AWS Backup plan in ${region}: nothing copies the data there to a backup vault on a schedule.`, data: { ...data } }];
    }
    const names = plans.map((p) => p.BackupPlanName).join(', ');
    const selected = await countSelections(ctx, region, plans);
    if (typeof selected !== 'number')
      return [
        {
          resource,
          region,
          status: 'unsupported',
          message:
            `AWS Backup plan${plans.length > 1 ? 's' : ''} ${names} in ${region}: what they back up could not be read. ${selected.unsupported}` +
            (ctx.target.sandbox ? ' (moto does not implement backup selections.)' : ''),
        },
      ];
    if (!selected)
      return [{ resource, region, status: 'fail', message: `AWS Backup plan${plans.length > 1 ? 's' : ''} ${names} in ${region} select${plans.length > 1 ? '' : 's'} nothing: no resource is backed up by ${plans.length > 1 ? 'them' : 'it'}.` }];
    return [{ resource, region, status: 'pass', message: `AWS Backup in ${region}: ${names}, with ${selected} selection${selected === 1 ? '' : 's'} of resources.` }];
  } catch (err) {
    return [regionFailure(err, { region, resource, service: 'AWS Backup', permissions: ['backup:ListBackupPlans', 'backup:ListBackupSelections'] })];
  }
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
    inverse: { service: 'rds', operation, region: d.region, params: { ...id, BackupRetentionPeriod: d.days, ApplyImmediately: true }, summary: `Keep ${d.days} days of backups of ${d.label} again` },
    async run(ctx) {
      const rds = ctx.client(RDSClient, d.region);
      if (cluster) await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: d.id, BackupRetentionPeriod: MIN_RETENTION, ApplyImmediately: now }));
      else await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: d.id, BackupRetentionPeriod: MIN_RETENTION, ApplyImmediately: now }));
    },
  };
}

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

function planActions(region: string): PlanAction[] {
  const vault = { BackupVaultName: VAULT };
  const doc = { BackupPlan: planDocument() };
  const planIds: { BackupPlanId: string } = { BackupPlanId: '(the id of the plan this call creates)' };
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
          // A vault of that name made earlier (a plan deleted since) is reused as it is.
          if (errorCode(err) !== 'AlreadyExistsException') throw err;
        }
      },
    },
    {
      service: 'backup',
      operation: 'CreateBackupPlan',
      region,
      params: doc,
      summary: `Create the backup plan ${PLAN} in ${region}: a backup every day at 05:00 UTC, each kept ${KEEP_DAYS} days`,
      inverse: { service: 'backup', operation: 'DeleteBackupPlan', region, params: planIds, summary: `Delete the backup plan ${PLAN} (its backups stay in the vault until they expire)` },
      async run(ctx) {
        const out = await ctx.client(BackupClient, region).send(new CreateBackupPlanCommand(doc));
        planIds.BackupPlanId = out.BackupPlanId ?? planIds.BackupPlanId;
        return { output: { BackupPlanId: out.BackupPlanId } };
      },
    },
  ];
}

function selectionGuidance(regions: string[], account: string): string {
  return [
    '### Choose what the plan backs up',
    '',
    `The plan backs up what its selection names. Select by tag, so that anything tagged \`${TAG.key}=${TAG.value}\` is included, ` +
      'with a role that AWS Backup may use (AWSBackupDefaultServiceRole, which the AWS Backup console creates the first time ' +
      'you assign resources there; any role with the AWS managed policy AWSBackupServiceRolePolicyForBackup will do):',
    '',
    '```sh',
    "cat > selection.json <<'EOF'",
    '{ "SelectionName": "secure-start-tagged",',
    `  "IamRoleArn": "arn:aws:iam::${account}:role/service-role/AWSBackupDefaultServiceRole",`,
    `  "ListOfTags": [{ "ConditionType": "STRINGEQUALS", "ConditionKey": "${TAG.key}", "ConditionValue": "${TAG.value}" }] }`,
    'EOF',
    ...regions.flatMap((r) => [
      `PLAN_ID=$(aws backup list-backup-plans --region ${r} \\`,
      `  --query "BackupPlansList[?BackupPlanName=='${PLAN}'].BackupPlanId" --output text)`,
      `aws backup create-backup-selection --region ${r} --backup-plan-id "$PLAN_ID" --backup-selection file://selection.json`,
    ]),
    `aws rds add-tags-to-resource --resource-name <database ARN> --tags Key=${TAG.key},Value=${TAG.value}`,
    '```',
    '',
    'Then test a restore: AWS Backup restore testing can restore a recent backup on a schedule and delete it afterwards.',
  ].join('\n');
}

const step: Step = {
  meta,

  async check(ctx) {
    const regions = await ctx.regions();
    const perRegion = await mapLimit(regions, REGION_CONCURRENCY, async (region) => {
      let dbs;
      try {
        dbs = await databases(ctx, region);
      } catch (err) {
        return [rdsRegionFailure(ctx, region, err)];
      }
      const retention = retentionFindings(region, dbs);
      const backup = await backupFindings(ctx, region, retention.length > 0);
      const all = [...retention, ...backup];
      return all.length ? all : [noDatabases(ctx, region, 'nothing to back up')];
    });
    return perRegion.flat();
  },

  async plan(ctx, findings): Promise<Plan> {
    const failing = findings.filter((f) => f.status === 'fail' && f.data).map((f) => f.data as unknown as RetentionData | NoPlanData);
    const actions: PlanAction[] = [];
    const planRegions: string[] = [];
    for (const d of failing) {
      if (d.kind === 'plan') {
        actions.push(...planActions(d.region));
        planRegions.push(d.region);
      } else actions.push(retentionAction(d));
    }
    return { actions, ...(planRegions.length ? { guidance: selectionGuidance(planRegions, ctx.target.accountId) } : {}) };
  },

  /** day-one scenario: the shared day-one database, with one day of backups and no backup plan (../_shared/rds.ts). */
  seed: seedDayOneDatabase,
};

export default step;
