import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.backups',
  area: 'resources',
  title: 'Databases keep at least 7 days of automated backups, and AWS Backup plans back up the data of each region',
  severity: 'high',
  scope: 'regional',
  references: {
    fsbp: ['RDS.11'],
    docs: [
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html',
      'https://docs.aws.amazon.com/aws-backup/latest/devguide/about-backup-plans.html',
      'https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html',
      'https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-11',
      'https://aws.amazon.com/backup/pricing/',
      'https://aws.amazon.com/rds/pricing/',
    ],
  },
  lesson: 'resources/backups.md',
  permissions: {
    check: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters', 'backup:ListBackupPlans', 'backup:ListBackupSelections'],
    fix: ['rds:ModifyDBInstance', 'backup:CreateBackupVault', 'backup:CreateBackupPlan'],
    grants: [
      { actions: ['rds:ModifyDBInstance'], why: 'the databases are whichever the account has' },
      {
        actions: ['backup:CreateBackupVault'],
        resources: ['arn:aws:backup:*:*:backup-vault:secure-start-vault'],
        why: 'it creates only its own vault',
      },
      { actions: ['backup:CreateBackupPlan'], why: 'a new plan has no ARN before it exists' },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'cents',
    cost:
      'RDS keeps automated backups up to the size of the database for free; beyond that, and every copy AWS Backup keeps, is ' +
      'billed per GB-month (see the AWS Backup and RDS pricing pages). Daily backups kept 35 days of a small database: cents to a ' +
      'few dollars a month; they grow with the data.',
    risk:
      'None for running databases when retention goes from 1–6 days to 7 (applied at once, no restart). From 0 (backups off) ' +
      'the change restarts the database, so it waits for the maintenance window. The plan and vault change nothing until a selection names resources.',
    destructive: false,
    paid: true,
  },
};

export default meta;
