/**
 * What resources.rds-hardening finds, per database: pure functions over what DescribeDBInstances and
 * DescribeDBClusters returned (unit-tested without AWS).
 *
 * The unit is the place where AWS keeps the setting: a stand-alone instance holds all of them; an
 * Aurora cluster holds encryption, deletion protection and IAM authentication, and each of its
 * instances its own minor-upgrade setting; a Multi-AZ DB cluster (MySQL or PostgreSQL with two
 * readable standbys) holds everything on the cluster, its members nothing of their own.
 */
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import type { Finding } from '../../../src/engine/step-kit.js';
import { clusterLabel, instanceLabel, isAurora } from '../_shared/rds.js';

export type Setting = 'encryption' | 'deletionProtection' | 'iamAuth' | 'minorUpgrades';

/** What a failing finding carries for the plan. */
export interface HardeningData {
  kind: 'instance' | 'cluster';
  id: string;
  region: string;
  label: string;
  engine: string;
  setting: Setting;
  /** The change is already scheduled for the next maintenance window (PendingModifiedValues). */
  pending?: boolean;
  /** Other changes waiting for the maintenance window, which ApplyImmediately would also apply now. */
  otherPending?: string[];
  maintenanceWindow?: string;
  /** For the encryption guidance: where the copy must go. */
  subnetGroup?: string;
  securityGroups?: string[];
  instanceClass?: string;
  publiclyAccessible?: boolean;
}

/** Engines with IAM database authentication: MySQL, MariaDB, PostgreSQL and Aurora (not Oracle, SQL Server, Db2, Custom). */
export function supportsIamAuth(engine: string | undefined): boolean {
  return /^(mysql|mariadb|postgres|aurora|aurora-mysql|aurora-postgresql)$/.test(engine ?? '');
}

const SAYS: Record<Setting, { ok: string; bad: string; why: string }> = {
  encryption: {
    ok: 'encrypted at rest',
    bad: 'is not encrypted at rest',
    why: 'its storage, snapshots and backups can be read by whoever gets hold of a copy, and encryption can only be added by restoring an encrypted copy (CIS 3.2.1, FSBP RDS.3)',
  },
  deletionProtection: {
    ok: 'deletion protection on',
    bad: 'has no deletion protection',
    why: 'one DeleteDBInstance call, by mistake or by an intruder, removes it (FSBP RDS.8)',
  },
  iamAuth: {
    ok: 'IAM authentication on',
    bad: 'does not accept IAM authentication',
    why: 'applications must hold a long-lived database password instead of short-lived IAM tokens (FSBP RDS.10)',
  },
  minorUpgrades: {
    ok: 'automatic minor upgrades on',
    bad: 'does not take automatic minor version upgrades',
    why: 'security fixes in new minor versions wait until someone applies them by hand (CIS 3.2.2, FSBP RDS.13)',
  },
};

/** PendingModifiedValues fields other than `except`, as names: what ApplyImmediately would also bring forward. */
function otherPending(pending: object | undefined, except: string): string[] {
  return Object.entries(pending ?? {})
    .filter(([k, v]) => k !== except && v !== undefined && v !== null)
    .map(([k]) => k);
}

interface Unit {
  kind: 'instance' | 'cluster';
  id: string;
  arn: string;
  label: string;
  engine: string;
  region: string;
  values: Partial<Record<Setting, boolean | undefined>>;
  pendingIam?: boolean;
  pending?: object;
  extra: Pick<HardeningData, 'maintenanceWindow' | 'subnetGroup' | 'securityGroups' | 'instanceClass' | 'publiclyAccessible'>;
}

function unitFindings(u: Unit): Finding[] {
  const base = { resource: u.arn, region: u.region };
  const where = `Database ${u.label} in ${u.region}`;
  const out: Finding[] = [];
  const good: string[] = [];
  for (const setting of Object.keys(u.values) as Setting[]) {
    const value = u.values[setting];
    const says = SAYS[setting];
    if (value === true) {
      good.push(says.ok);
      continue;
    }
    const pending = setting === 'iamAuth' && u.pendingIam === true;
    const data: HardeningData = {
      kind: u.kind,
      id: u.id,
      region: u.region,
      label: u.label,
      engine: u.engine,
      setting,
      ...(pending ? { pending } : {}),
      ...(setting === 'iamAuth' ? { otherPending: otherPending(u.pending, 'IAMDatabaseAuthenticationEnabled') } : {}),
      ...u.extra,
    };
    if (value === undefined) {
      out.push({ ...base, status: 'manual', message: `${where}: RDS did not say whether it is ${says.ok.replace(/ on$/, ' is on')}; look in the RDS console.` });
      continue;
    }
    const message = pending
      ? `${where} ${says.bad} yet: it is scheduled to be turned on in the next maintenance window${u.extra.maintenanceWindow ? ` (${u.extra.maintenanceWindow} UTC)` : ''}.`
      : `${where} ${says.bad}: ${says.why}.`;
    out.push({ ...base, status: 'fail', message, data: { ...data } });
  }
  if (good.length && !out.length) out.unshift({ ...base, status: 'pass', message: `${where}: ${good.join(', ')}.` });
  return out;
}

function multiAzAdvice(i: DBInstance, region: string): Finding | undefined {
  if (i.MultiAZ !== false || i.DBClusterIdentifier || i.ReadReplicaSourceDBInstanceIdentifier) return undefined;
  return {
    resource: i.DBInstanceArn ?? i.DBInstanceIdentifier!,
    region,
    status: 'manual',
    advice: true,
    message:
      `Database ${instanceLabel(i)} in ${region} runs in one Availability Zone: if that zone fails, it is down until AWS recovers it. ` +
      'Multi-AZ keeps a standby in a second zone and fails over in a minute or two, at about twice the price of the instance and its storage; ' +
      'worth it for production, rarely for development.',
  };
}

/** The findings of one region's databases. */
export function hardeningFindings(region: string, dbs: { instances: DBInstance[]; clusters: DBCluster[] }): Finding[] {
  const out: Finding[] = [];
  const clusterOf = new Map(dbs.clusters.map((c) => [c.DBClusterIdentifier, c]));
  for (const c of dbs.clusters) {
    const aurora = isAurora(c.Engine);
    out.push(
      ...unitFindings({
        kind: 'cluster',
        id: c.DBClusterIdentifier!,
        arn: c.DBClusterArn ?? c.DBClusterIdentifier!,
        label: clusterLabel(c),
        engine: c.Engine ?? '',
        region,
        values: {
          encryption: c.StorageEncrypted,
          deletionProtection: c.DeletionProtection,
          ...(aurora && supportsIamAuth(c.Engine) ? { iamAuth: c.IAMDatabaseAuthenticationEnabled } : {}),
          // A Multi-AZ DB cluster upgrades as one; Aurora instances decide for themselves.
          ...(aurora ? {} : { minorUpgrades: c.AutoMinorVersionUpgrade }),
        },
        pendingIam: c.PendingModifiedValues?.IAMDatabaseAuthenticationEnabled,
        pending: c.PendingModifiedValues,
        extra: {
          ...(c.PreferredMaintenanceWindow ? { maintenanceWindow: c.PreferredMaintenanceWindow } : {}),
          ...(c.DBSubnetGroup ? { subnetGroup: c.DBSubnetGroup } : {}),
          securityGroups: (c.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId!).filter(Boolean),
          ...(c.DBClusterInstanceClass ? { instanceClass: c.DBClusterInstanceClass } : {}),
        },
      }),
    );
  }
  for (const i of dbs.instances) {
    const cluster = i.DBClusterIdentifier ? clusterOf.get(i.DBClusterIdentifier) : undefined;
    if (i.DBClusterIdentifier && (!cluster || !isAurora(cluster.Engine))) continue; // a Multi-AZ DB cluster's member: judged on the cluster
    const member = !!cluster;
    out.push(
      ...unitFindings({
        kind: 'instance',
        id: i.DBInstanceIdentifier!,
        arn: i.DBInstanceArn ?? i.DBInstanceIdentifier!,
        label: instanceLabel(i),
        engine: i.Engine ?? '',
        region,
        values: member
          ? { minorUpgrades: i.AutoMinorVersionUpgrade }
          : {
              encryption: i.StorageEncrypted,
              deletionProtection: i.DeletionProtection,
              ...(supportsIamAuth(i.Engine) ? { iamAuth: i.IAMDatabaseAuthenticationEnabled } : {}),
              minorUpgrades: i.AutoMinorVersionUpgrade,
            },
        pendingIam: i.PendingModifiedValues?.IAMDatabaseAuthenticationEnabled,
        pending: i.PendingModifiedValues,
        extra: {
          ...(i.PreferredMaintenanceWindow ? { maintenanceWindow: i.PreferredMaintenanceWindow } : {}),
          ...(i.DBSubnetGroup?.DBSubnetGroupName ? { subnetGroup: i.DBSubnetGroup.DBSubnetGroupName } : {}),
          securityGroups: (i.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId!).filter(Boolean),
          ...(i.DBInstanceClass ? { instanceClass: i.DBInstanceClass } : {}),
          ...(i.PubliclyAccessible !== undefined ? { publiclyAccessible: i.PubliclyAccessible } : {}),
        },
      }),
    );
    const advice = multiAzAdvice(i, region);
    if (advice) out.push(advice);
  }
  return out;
}
