/**
 * The databases of one region, read once per region per run and shared by resources.rds-private,
 * resources.rds-hardening and resources.backups (and by any step that needs them, such as the RDS
 * snapshot part of resources.public-sharing).
 *
 * Two paginated reads per region, DescribeDBInstances and DescribeDBClusters (100 a page, the API's
 * largest), memoised in the run's shared reads under `rds:instances:<region>` and
 * `rds:clusters:<region>`: the three steps checking eu-west-1 cost two reads however many databases
 * it holds. A failed read is not memoised; an applied fix drops every shared read, so a re-check
 * sees the account as it is now.
 *
 * Neptune and DocumentDB answer the same API, but they are other services with their own controls:
 * they are left out here.
 */
import { CreateDBInstanceCommand, ModifyDBInstanceCommand, RDSClient, paginateDescribeDBClusters, paginateDescribeDBInstances } from '@aws-sdk/client-rds';
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import type { Finding, RegionFailureContext, StepContext } from '../../../src/engine/step-kit.js';
import { errorCode, regionFailure, sandboxOnly } from '../../../src/engine/step-kit.js';

/** MaxRecords of DescribeDBInstances and DescribeDBClusters: 20 to 100. */
export const RDS_PAGE_SIZE = 100;
/** How many regions are read at once. */
export const REGION_CONCURRENCY = 8;
/** The two reads, for meta.permissions and AccessDenied messages. */
export const RDS_READS = ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'];

/** Engines that share the RDS API but are other services (FSBP Neptune.*, DocumentDB.*). */
const OTHER_SERVICES = /^(neptune|docdb)/;

type Ctx = Pick<StepContext, 'client' | 'shared'>;

export interface Databases {
  instances: DBInstance[];
  clusters: DBCluster[];
}

export const isRdsEngine = (engine: string | undefined): boolean => !OTHER_SERVICES.test(engine ?? '');

export function dbInstances(ctx: Ctx, region: string): Promise<DBInstance[]> {
  return ctx.shared(`rds:instances:${region}`, async () => {
    const out: DBInstance[] = [];
    for await (const page of paginateDescribeDBInstances({ client: ctx.client(RDSClient, region), pageSize: RDS_PAGE_SIZE }, {}))
      out.push(...(page.DBInstances ?? []));
    return out;
  });
}

export function dbClusters(ctx: Ctx, region: string): Promise<DBCluster[]> {
  return ctx.shared(`rds:clusters:${region}`, async () => {
    const out: DBCluster[] = [];
    for await (const page of paginateDescribeDBClusters({ client: ctx.client(RDSClient, region), pageSize: RDS_PAGE_SIZE }, {}))
      out.push(...(page.DBClusters ?? []));
    return out;
  });
}

/** The region's RDS databases (instances and clusters), Neptune and DocumentDB left out, sorted by identifier. */
export async function databases(ctx: Ctx, region: string): Promise<Databases> {
  const [instances, clusters] = await Promise.all([dbInstances(ctx, region), dbClusters(ctx, region)]);
  const byId = <T>(id: (t: T) => string | undefined) => (a: T, b: T) => (id(a) ?? '').localeCompare(id(b) ?? '');
  return {
    instances: instances.filter((i) => isRdsEngine(i.Engine)).sort(byId((i) => i.DBInstanceIdentifier)),
    clusters: clusters.filter((c) => isRdsEngine(c.Engine)).sort(byId((c) => c.DBClusterIdentifier)),
  };
}

/** Aurora keeps storage, deletion protection, IAM authentication and backups on the cluster. */
export const isAurora = (engine: string | undefined): boolean => (engine ?? '').startsWith('aurora');

/** The region's finding when its databases could not be read. */
export function rdsRegionFailure(ctx: Pick<StepContext, 'target'>, region: string, err: unknown, permissions: string[] = RDS_READS): Finding {
  return regionFailure(err, { region, ...rdsRead(ctx, region, permissions) });
}

/** What a failed read of a region's databases is about: the `failure` of the kit's `eachRegion`. */
export function rdsRead(ctx: Pick<StepContext, 'target'>, region: string, permissions: string[] = RDS_READS): Omit<RegionFailureContext, 'region'> {
  return { resource: `arn:${ctx.target.partition}:rds:${region}:${ctx.target.accountId}:db:*`, service: 'Amazon RDS', permissions };
}

/** The pass finding of a region without databases. */
export function noDatabases(ctx: Pick<StepContext, 'target'>, region: string, what: string): Finding {
  return {
    status: 'pass',
    resource: `arn:${ctx.target.partition}:rds:${region}:${ctx.target.accountId}:db:*`,
    region,
    message: `No RDS databases in ${region}: ${what}.`,
  };
}

/** `day-one-db (postgres)`. */
export const instanceLabel = (i: DBInstance): string => `${i.DBInstanceIdentifier} (${i.Engine ?? 'unknown engine'})`;
export const clusterLabel = (c: DBCluster): string => `cluster ${c.DBClusterIdentifier} (${c.Engine ?? 'unknown engine'})`;

/**
 * Databases named in an answers file: `"name"` matches that identifier in any region of the run,
 * `"region/name"` only in that region (the wizard records this form).
 */
export function namedIn(names: readonly string[], region: string, identifier: string): boolean {
  return names.includes(identifier) || names.includes(`${region}/${identifier}`);
}

/** RDS identifiers: 1–63 letters, digits and hyphens, optionally after `region/`. */
export const DB_NAME = /^([a-z]{2}(-[a-z]+)+-\d\/)?[A-Za-z][A-Za-z0-9-]{0,62}$/;

/** The day-one database: public, unencrypted, no deletion protection, one day of backups. */
export const DAY_ONE_DB = 'day-one-db';

/**
 * day-one scenario (shared by the three database steps, whichever seeds first): a small PostgreSQL
 * instance in the home region that is publicly accessible, unencrypted, without deletion protection,
 * IAM authentication or automatic minor upgrades, and keeps automated backups one day. Seeding again
 * puts those settings back (its encryption cannot be changed, so it stays as it was made). The master
 * password is managed by Secrets Manager: no password is written here.
 */
export async function seedDayOneDatabase(ctx: StepContext): Promise<void> {
  sandboxOnly(ctx);
  const rds = ctx.client(RDSClient, ctx.target.homeRegion);
  const insecure = { PubliclyAccessible: true, DeletionProtection: false, BackupRetentionPeriod: 1, AutoMinorVersionUpgrade: false };
  try {
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: DAY_ONE_DB,
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'app_admin',
        ManageMasterUserPassword: true,
        StorageEncrypted: false,
        EnableIAMDatabaseAuthentication: false,
        MultiAZ: false,
        Tags: [{ Key: 'app', Value: 'day-one' }],
        ...insecure,
      }),
    );
  } catch (err) {
    if (errorCode(err) !== 'DBInstanceAlreadyExists') throw err;
    await rds.send(
      new ModifyDBInstanceCommand({ DBInstanceIdentifier: DAY_ONE_DB, ApplyImmediately: true, EnableIAMDatabaseAuthentication: false, ...insecure }),
    );
  }
}
