/**
 * The check of resources.backups, per region: the shared database reads (../_shared/rds.ts), then,
 * only where there are databases, what AWS Backup protects: ListBackupPlans (paginated) →
 * GetBackupPlan per plan, ListBackupSelections (paginated) → GetBackupSelection per selection (no
 * batch form of either). Requests grow with regions, plans and selections, not with databases.
 *
 * Two findings per database: automated backup retention (FSBP RDS.11), and coverage (whether a
 * plan's selection names it by ARN, pattern or tag, ./coverage.ts). Where the endpoint does not
 * implement selections (moto), coverage is `unsupported` with the reason, never a pass; where AWS
 * Backup cannot be read at all, the region gets one finding by the shared regional rule.
 */
import { BackupClient, GetBackupPlanCommand, GetBackupSelectionCommand, paginateListBackupPlans, paginateListBackupSelections } from '@aws-sdk/client-backup';
import type { BackupSelection, Condition, ConditionParameter } from '@aws-sdk/client-backup';
import type { DBCluster, DBInstance, Tag } from '@aws-sdk/client-rds';
import type { Finding, StepContext } from '../../../src/engine/step-kit.js';
import { describeError, errorKind, mapLimit, regionFailure } from '../../../src/engine/step-kit.js';
import { clusterLabel, instanceLabel } from '../_shared/rds.js';
import type { SelectionRule, TagCondition } from './coverage.js';
import { coverOf, coverText } from './coverage.js';

export const MIN_RETENTION = 7;
export const VAULT = 'secure-start-vault';
export const PLAN = 'secure-start-daily';
export const KEEP_DAYS = 35;
/** Plans (and selections of a plan) read at once in one region. */
const PLAN_CONCURRENCY = 4;

/** The Backup reads, for meta.permissions and AccessDenied messages. */
export const BACKUP_READS = ['backup:ListBackupPlans', 'backup:GetBackupPlan', 'backup:ListBackupSelections', 'backup:GetBackupSelection'];

export interface RetentionData {
  kind: 'instance' | 'cluster';
  id: string;
  region: string;
  label: string;
  days: number;
}

/** A database no plan covers: what the plan needs to make it covered. */
export interface CoverageData {
  kind: 'coverage';
  db: 'instance' | 'cluster';
  id: string;
  arn: string;
  region: string;
  label: string;
  tags: Record<string, string>;
  /** The id of the plan secure-start-daily in the region, when it exists. */
  ourPlanId?: string;
  /** The selections of that plan. */
  ourRules: SelectionRule[];
}

/** A database or cluster that keeps its own backups (cluster members and read replicas follow their source). */
export interface Unit {
  kind: 'instance' | 'cluster';
  id: string;
  arn: string;
  label: string;
  days: number | undefined;
  tags: Record<string, string>;
}

const tagsOf = (list: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']));

export function unitsOf(dbs: { instances: DBInstance[]; clusters: DBCluster[] }): Unit[] {
  return [
    ...dbs.clusters.map((c) => ({ kind: 'cluster' as const, id: c.DBClusterIdentifier!, arn: c.DBClusterArn!, label: clusterLabel(c), days: c.BackupRetentionPeriod, tags: tagsOf(c.TagList) })),
    ...dbs.instances
      .filter((i) => !i.DBClusterIdentifier && !i.ReadReplicaSourceDBInstanceIdentifier)
      .map((i) => ({ kind: 'instance' as const, id: i.DBInstanceIdentifier!, arn: i.DBInstanceArn!, label: instanceLabel(i), days: i.BackupRetentionPeriod, tags: tagsOf(i.TagList) })),
  ];
}

/** RDS.11: stand-alone instances and clusters keep ≥ 7 days (exported for unit tests). */
export function retentionFindings(region: string, dbs: { instances: DBInstance[]; clusters: DBCluster[] }): Finding[] {
  return unitsOf(dbs).map((u) => retentionFinding(region, u));
}

function retentionFinding(region: string, u: Unit): Finding {
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
}

/** What AWS Backup holds in a region: its plans, and their selections unless the endpoint cannot list them. */
export interface RegionBackup {
  plans: { id: string; name: string }[];
  rules: SelectionRule[];
  /** Set when the endpoint does not implement selections: the reason. */
  selectionsUnsupported?: string;
}

const pairs = (list: ConditionParameter[] | undefined): TagCondition[] =>
  (list ?? []).filter((c) => c.ConditionKey !== undefined).map((c) => ({ key: c.ConditionKey!, value: c.ConditionValue ?? '' }));

/** A selection as GetBackupSelection returns it, as the matcher reads it (exported for unit tests). */
export function ruleOf(planName: string, sel: Partial<BackupSelection>): SelectionRule {
  const c = sel.Conditions;
  return {
    planName,
    selectionName: sel.SelectionName ?? '(unnamed)',
    resources: sel.Resources ?? [],
    notResources: sel.NotResources ?? [],
    listOfTags: (sel.ListOfTags ?? [])
      .filter((t: Condition) => t.ConditionType === 'STRINGEQUALS' && t.ConditionKey !== undefined)
      .map((t: Condition) => ({ key: t.ConditionKey!, value: t.ConditionValue ?? '' })),
    stringEquals: pairs(c?.StringEquals),
    stringNotEquals: pairs(c?.StringNotEquals),
    stringLike: pairs(c?.StringLike),
    stringNotLike: pairs(c?.StringNotLike),
  };
}

/** The region's plans with at least one rule, and every selection of them (paginated, bounded concurrency). */
export async function readBackup(ctx: Pick<StepContext, 'client'>, region: string): Promise<RegionBackup> {
  const client = ctx.client(BackupClient, region);
  const listed: { id: string; name: string }[] = [];
  for await (const page of paginateListBackupPlans({ client, pageSize: 100 }, {}))
    for (const p of page.BackupPlansList ?? []) if (p.BackupPlanId) listed.push({ id: p.BackupPlanId, name: p.BackupPlanName ?? p.BackupPlanId });
  // A plan without a rule backs nothing up (AWS requires one; an emulator may not).
  const withRules = await mapLimit(listed, PLAN_CONCURRENCY, async (p) => {
    const doc = await client.send(new GetBackupPlanCommand({ BackupPlanId: p.id }));
    return doc.BackupPlan?.Rules?.length ? p : undefined;
  });
  const plans = withRules.filter((p): p is { id: string; name: string } => p !== undefined);
  try {
    const perPlan = await mapLimit(plans, PLAN_CONCURRENCY, async (p) => {
      const ids: string[] = [];
      for await (const page of paginateListBackupSelections({ client, pageSize: 100 }, { BackupPlanId: p.id }))
        for (const s of page.BackupSelectionsList ?? []) if (s.SelectionId) ids.push(s.SelectionId);
      return mapLimit(ids, PLAN_CONCURRENCY, async (id) => {
        const out = await client.send(new GetBackupSelectionCommand({ BackupPlanId: p.id, SelectionId: id }));
        // An answer without the selection names nothing: never read as "selects everything".
        return out.BackupSelection ? ruleOf(p.name, out.BackupSelection) : undefined;
      });
    });
    return { plans, rules: perPlan.flat().filter((r): r is SelectionRule => r !== undefined) };
  } catch (err) {
    if (errorKind(err) === 'unsupported') return { plans, rules: [], selectionsUnsupported: describeError(err) };
    throw err;
  }
}

const list = (names: string[]): string => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? ''));

/** Per database: covered by a plan (how), or only by its own automated backups (exported for unit tests). */
export function coverageFindings(region: string, units: Unit[], backup: RegionBackup, sandbox: boolean): Finding[] {
  const ours = backup.plans.find((p) => p.name === PLAN);
  const ourRules = backup.rules.filter((r) => r.planName === PLAN);
  return units.map((u): Finding => {
    const base = { resource: u.arn, region };
    const where = `Database ${u.label} in ${region}`;
    const own = u.days ? `only its RDS automated backups (${u.days} day${u.days === 1 ? '' : 's'}) protect it` : 'nothing else backs it up either';
    if (backup.selectionsUnsupported && backup.plans.length)
      return {
        ...base,
        status: 'unsupported',
        message:
          `${where}: whether AWS Backup backs it up could not be read. Plan${backup.plans.length > 1 ? 's' : ''} ${list(backup.plans.map((p) => p.name))} ` +
          `exist${backup.plans.length > 1 ? '' : 's'}, but what ${backup.plans.length > 1 ? 'they select' : 'it selects'} cannot be listed here: ${backup.selectionsUnsupported}` +
          (sandbox ? ' (moto does not implement backup selections.)' : ''),
      };
    const hit = coverOf(backup.rules, u);
    if (hit) return { ...base, status: 'pass', message: `${where} is backed up by AWS Backup plan ${hit.rule.planName} (selection ${hit.rule.selectionName}, ${coverText(hit.cover)}).` };
    const data: CoverageData = { kind: 'coverage', db: u.kind, id: u.id, arn: u.arn, region, label: u.label, tags: u.tags, ...(ours ? { ourPlanId: ours.id } : {}), ourRules };
    const why = backup.plans.length
      ? `no selection of AWS Backup plan${backup.plans.length > 1 ? 's' : ''} ${list(backup.plans.map((p) => p.name))} names it`
      : `no AWS Backup plan in ${region} backs it up`;
    return { ...base, status: 'fail', message: `${where}: ${why}; ${own}.`, data: { ...data } };
  });
}

/** The region's findings after its databases were read: retention, then coverage (or the region's Backup failure). */
export async function regionFindings(ctx: StepContext, region: string, units: Unit[]): Promise<Finding[]> {
  const retention = units.map((u) => retentionFinding(region, u));
  if (!units.length) return [];
  let backup: RegionBackup;
  try {
    backup = await readBackup(ctx, region);
  } catch (err) {
    const resource = `arn:${ctx.target.partition}:backup:${region}:${ctx.target.accountId}:backup-plan:*`;
    return [...retention, regionFailure(err, { region, resource, service: 'AWS Backup', permissions: BACKUP_READS })];
  }
  return [...retention, ...coverageFindings(region, units, backup, ctx.target.sandbox)];
}
