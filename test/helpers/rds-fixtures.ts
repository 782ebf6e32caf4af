/**
 * Databases for the resources area's RDS tests, made in moto through the SDK (the sandbox account).
 * The master password is left to Secrets Manager (ManageMasterUserPassword): no password here.
 */
import { CreateDBClusterCommand, CreateDBInstanceCommand, DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import type { CreateDBClusterCommandInput, CreateDBInstanceCommandInput, DBCluster, DBInstance } from '@aws-sdk/client-rds';
import type { StepContext } from '../../src/engine/types.js';

/** A small instance, private, encrypted, protected and kept 7 days unless `extra` says otherwise. */
export async function makeInstance(ctx: StepContext, id: string, extra: Partial<CreateDBInstanceCommandInput> = {}, region = 'us-east-1'): Promise<void> {
  await ctx.client(RDSClient, region).send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'app_admin',
      ManageMasterUserPassword: true,
      PubliclyAccessible: false,
      StorageEncrypted: true,
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
      AutoMinorVersionUpgrade: true,
      MultiAZ: true,
      BackupRetentionPeriod: 7,
      ...extra,
    }),
  );
}

/**
 * An Aurora MySQL instance of cluster `cluster`: the settings Aurora keeps on the cluster (storage,
 * master user, encryption, deletion protection, backups, IAM authentication, Multi-AZ) are not
 * sent, so only what `extra` adds is.
 */
export async function makeClusterInstance(ctx: StepContext, id: string, cluster: string, extra: Partial<CreateDBInstanceCommandInput> = {}): Promise<void> {
  await makeInstance(ctx, id, {
    Engine: 'aurora-mysql',
    DBClusterIdentifier: cluster,
    DBInstanceClass: 'db.r6g.large',
    AllocatedStorage: undefined,
    MasterUsername: undefined,
    ManageMasterUserPassword: undefined,
    StorageEncrypted: undefined,
    DeletionProtection: undefined,
    BackupRetentionPeriod: undefined,
    EnableIAMDatabaseAuthentication: undefined,
    MultiAZ: undefined,
    ...extra,
  });
}

/** A cluster (Aurora MySQL unless `extra.Engine` says otherwise), made as `makeInstance` makes instances. */
export async function makeCluster(ctx: StepContext, id: string, extra: Partial<CreateDBClusterCommandInput> = {}, region = 'us-east-1'): Promise<void> {
  await ctx.client(RDSClient, region).send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: 'aurora-mysql',
      MasterUsername: 'app_admin',
      ManageMasterUserPassword: true,
      StorageEncrypted: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 7,
      ...extra,
    }),
  );
}

export async function describeInstance(ctx: StepContext, id: string, region = 'us-east-1'): Promise<DBInstance> {
  return (await ctx.client(RDSClient, region).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances![0]!;
}

export async function describeCluster(ctx: StepContext, id: string, region = 'us-east-1'): Promise<DBCluster> {
  return (await ctx.client(RDSClient, region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters![0]!;
}
