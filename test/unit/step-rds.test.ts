/** The database steps' pure judgement: what each finds in DescribeDBInstances / DescribeDBClusters answers. */
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { DB_NAME, isRdsEngine, namedIn } from '../../steps/resources/_shared/rds.js';
import { retentionFindings } from '../../steps/resources/backups/index.js';
import { modifyAction } from '../../steps/resources/rds-hardening/index.js';
import type { HardeningData } from '../../steps/resources/rds-hardening/judge.js';
import { hardeningFindings, supportsIamAuth } from '../../steps/resources/rds-hardening/judge.js';
import { regionFindings } from '../../steps/resources/rds-private/index.js';

const target = { target: { accountId: '123456789012', principalArn: 'arn:aws:iam::123456789012:user/a', isRoot: false, sandbox: true, partition: 'aws', homeRegion: 'us-east-1' } };
const inst = (id: string, extra: Partial<DBInstance> = {}): DBInstance => ({
  DBInstanceIdentifier: id,
  DBInstanceArn: `arn:aws:rds:us-east-1:123456789012:db:${id}`,
  Engine: 'postgres',
  PubliclyAccessible: false,
  StorageEncrypted: true,
  DeletionProtection: true,
  IAMDatabaseAuthenticationEnabled: true,
  AutoMinorVersionUpgrade: true,
  MultiAZ: true,
  BackupRetentionPeriod: 7,
  ...extra,
});
const cluster = (id: string, extra: Partial<DBCluster> = {}): DBCluster => ({
  DBClusterIdentifier: id,
  DBClusterArn: `arn:aws:rds:us-east-1:123456789012:cluster:${id}`,
  Engine: 'aurora-postgresql',
  StorageEncrypted: true,
  DeletionProtection: true,
  IAMDatabaseAuthenticationEnabled: true,
  BackupRetentionPeriod: 7,
  ...extra,
});

describe('names and engines', () => {
  it('matches a bare name in any region and region/name only there', () => {
    expect(namedIn(['db1'], 'eu-west-1', 'db1')).toBe(true);
    expect(namedIn(['us-east-1/db1'], 'eu-west-1', 'db1')).toBe(false);
    expect(namedIn(['eu-west-1/db1'], 'eu-west-1', 'db1')).toBe(true);
    expect(DB_NAME.test('ap-southeast-2/orders-1')).toBe(true);
    expect(DB_NAME.test('1orders')).toBe(false);
  });

  it('leaves Neptune and DocumentDB out, and knows which engines take IAM authentication', () => {
    expect([isRdsEngine('neptune'), isRdsEngine('docdb'), isRdsEngine('aurora-mysql')]).toEqual([false, false, true]);
    expect(['mysql', 'mariadb', 'postgres', 'aurora-mysql', 'aurora-postgresql'].every(supportsIamAuth)).toBe(true);
    expect(['oracle-ee', 'sqlserver-se', 'db2-se', 'custom-oracle-ee'].some(supportsIamAuth)).toBe(false);
  });
});

describe('rds-private judgement', () => {
  it('fails a public instance, asks a person when RDS does not say, and judges Multi-AZ DB cluster members on the cluster', () => {
    const found = regionFindings(target, 'us-east-1', {
      instances: [inst('open', { PubliclyAccessible: true }), inst('silent', { PubliclyAccessible: undefined }), inst('member', { DBClusterIdentifier: 'maz', PubliclyAccessible: true })],
      clusters: [cluster('maz', { Engine: 'postgres', PubliclyAccessible: false })],
    });
    expect(found.map((f) => [f.resource.split(':').pop(), f.status])).toEqual([
      ['open', 'fail'],
      ['silent', 'manual'],
      ['maz', 'pass'],
    ]);
  });
});

describe('rds-hardening judgement', () => {
  it('a pending IAM change is a failure that names the maintenance window', () => {
    const found = hardeningFindings('us-east-1', {
      instances: [inst('db', { IAMDatabaseAuthenticationEnabled: false, PendingModifiedValues: { IAMDatabaseAuthenticationEnabled: true, DBInstanceClass: 'db.m5.large' }, PreferredMaintenanceWindow: 'sun:03:00-sun:03:30' })],
      clusters: [],
    });
    expect(found).toEqual([
      expect.objectContaining({ status: 'fail', message: expect.stringContaining('scheduled to be turned on in the next maintenance window (sun:03:00-sun:03:30 UTC)'), data: expect.objectContaining({ pending: true, otherPending: ['DBInstanceClass'] }) }),
    ]);
  });

  it('an Aurora member is judged only on minor upgrades; the cluster on the rest; Oracle not on IAM', () => {
    const found = hardeningFindings('us-east-1', {
      instances: [inst('a-1', { DBClusterIdentifier: 'a', Engine: 'aurora-postgresql', StorageEncrypted: false, AutoMinorVersionUpgrade: false }), inst('ora', { Engine: 'oracle-ee', IAMDatabaseAuthenticationEnabled: false })],
      clusters: [cluster('a', { StorageEncrypted: false })],
    });
    expect(found.map((f) => `${f.resource.split(':').pop()} ${f.status} ${(f.data as HardeningData | undefined)?.setting ?? ''}`.trim())).toEqual(['a fail encryption', 'a-1 fail minorUpgrades', 'ora pass']);
  });

  it('one action per database, with the settings it lacks and their inverse', () => {
    const d = (setting: HardeningData['setting']): HardeningData => ({ kind: 'cluster', id: 'a', region: 'eu-west-1', label: 'cluster a (aurora-mysql)', engine: 'aurora-mysql', setting });
    const a = modifyAction([d('deletionProtection'), d('iamAuth')], true);
    expect(a).toMatchObject({ operation: 'ModifyDBCluster', region: 'eu-west-1', params: { DBClusterIdentifier: 'a', DeletionProtection: true, EnableIAMDatabaseAuthentication: true, ApplyImmediately: true } });
    expect(a.inverse!.params).toEqual({ DBClusterIdentifier: 'a', DeletionProtection: false, EnableIAMDatabaseAuthentication: false, ApplyImmediately: true });
    expect(a.summary).toBe('Turn on deletion protection and IAM authentication for cluster a (aurora-mysql) in eu-west-1');
  });
});

describe('backups judgement (RDS.11)', () => {
  it('7 days pass, fewer fail, 0 says backups are off; read replicas and cluster members follow their source', () => {
    const found = retentionFindings('us-east-1', {
      instances: [inst('ok'), inst('short', { BackupRetentionPeriod: 2 }), inst('off', { BackupRetentionPeriod: 0 }), inst('replica', { BackupRetentionPeriod: 0, ReadReplicaSourceDBInstanceIdentifier: 'ok' }), inst('m', { DBClusterIdentifier: 'c' })],
      clusters: [cluster('c', { BackupRetentionPeriod: 1 })],
    });
    expect(found.map((f) => [f.resource.split(':').pop(), f.status])).toEqual([
      ['c', 'fail'],
      ['ok', 'pass'],
      ['short', 'fail'],
      ['off', 'fail'],
    ]);
    expect(found[3]!.message).toContain('automated backups turned off');
  });
});
