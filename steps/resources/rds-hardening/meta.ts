import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.rds-hardening',
  area: 'resources',
  title: 'RDS databases are encrypted, protected from deletion, take minor upgrades and accept IAM authentication where they can',
  severity: 'high',
  scope: 'regional',
  references: {
    cis: ['3.2.1', '3.2.2', '3.2.4'],
    fsbp: ['RDS.3', 'RDS.8', 'RDS.10', 'RDS.13'],
    docs: [
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html',
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html#Overview.Encryption.Limitations',
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection',
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html',
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Maintenance.html',
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html',
      'https://aws.amazon.com/rds/pricing/',
    ],
  },
  lesson: 'resources/rds-hardening.md',
  permissions: {
    check: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'],
    fix: ['rds:ModifyDBInstance', 'rds:ModifyDBCluster'],
    grants: [{ actions: ['rds:ModifyDBInstance', 'rds:ModifyDBCluster'], why: 'the databases are whichever the account has' }],
  },
  fix: {
    kind: 'guided',
    costScale: 'free',
    cost:
      'free: deletion protection, IAM authentication and minor upgrades cost nothing. Encryption (guided, by hand) uses the free ' +
      'AWS managed key; a copy of the database runs beside the old one until you delete it. Multi-AZ (advice only) doubles the instance price.',
    risk:
      'Deletion protection: deleting the database then needs one more step. IAM authentication: nothing changes for password ' +
      'logins; it is applied in the next maintenance window unless you choose now. Minor upgrades: RDS upgrades the engine in the ' +
      'maintenance window, a restart of a few minutes (under a minute with Multi-AZ).',
    destructive: false,
    paid: false,
  },
};

export default meta;
