import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.backups',
  area: 'resources',
  title: 'Databases keep at least 7 days of automated backups, and an AWS Backup plan backs up each of them',
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
    check: [
      'rds:DescribeDBInstances',
      'rds:DescribeDBClusters',
      'backup:ListBackupPlans',
      'backup:GetBackupPlan',
      'backup:ListBackupSelections',
      'backup:GetBackupSelection',
      // The plan's reads: what exists of the role AWS Backup uses.
      'iam:GetRole',
      'iam:ListAttachedRolePolicies',
      // Undo's reads: what is there now, compared with what the fix wrote.
      'iam:ListRolePolicies',
      'backup:DescribeBackupVault',
      'backup:ListRecoveryPointsByBackupVault',
    ],
    fix: [
      'rds:ModifyDBInstance',
      'rds:ModifyDBCluster',
      'rds:AddTagsToResource',
      'iam:CreateRole',
      'iam:AttachRolePolicy',
      'backup:CreateBackupVault',
      'backup:CreateBackupPlan',
      'backup:CreateBackupSelection',
      // CreateBackupSelection hands AWS Backup the role (src/aws/actions.ts, IMPLIED).
      'iam:PassRole',
      // Undo: each change reversed (steps/resources/backups/undo.ts).
      'rds:RemoveTagsFromResource',
      'iam:DetachRolePolicy',
      'iam:DeleteRole',
      'backup:DeleteBackupSelection',
      'backup:DeleteBackupPlan',
      'backup:DeleteBackupVault',
      'backup:DeleteRecoveryPoint',
    ],
    grants: [
      { actions: ['rds:ModifyDBInstance', 'rds:ModifyDBCluster'], why: 'the databases are whichever the account has' },
      {
        actions: ['rds:AddTagsToResource'],
        resources: ['arn:aws:rds:*:*:db:*', 'arn:aws:rds:*:*:cluster:*'],
        why: 'it tags databases and clusters only, with the one tag you choose for the selection',
      },
      {
        actions: ['iam:CreateRole'],
        resources: ['arn:aws:iam::*:role/secure-start-*'],
        why: 'the only role it makes is secure-start-backup (a role of that name could still be given any policy: only the name is narrowed)',
      },
      {
        actions: ['iam:AttachRolePolicy'],
        resources: ['arn:aws:iam::*:role/secure-start-backup'],
        conditions: {
          ArnEquals: {
            'iam:PolicyARN': [
              'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
              'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
            ],
          },
        },
        why: 'it gives its own role the two AWS managed policies for AWS Backup, and nothing else',
      },
      {
        actions: ['iam:PassRole'],
        resources: ['arn:aws:iam::*:role/secure-start-backup'],
        conditions: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
        why: 'the selection is handed its own role, to AWS Backup only',
      },
      {
        actions: ['backup:CreateBackupVault'],
        resources: ['arn:aws:backup:*:*:backup-vault:secure-start-vault'],
        why: 'it creates only its own vault',
      },
      { actions: ['backup:CreateBackupPlan', 'backup:CreateBackupSelection'], why: 'a new plan has no ARN before it exists, and its selection is made on it' },
      {
        actions: ['rds:RemoveTagsFromResource'],
        resources: ['arn:aws:rds:*:*:db:*', 'arn:aws:rds:*:*:cluster:*'],
        why: 'undo takes the tag it put on a database off again',
      },
      {
        actions: ['iam:DetachRolePolicy', 'iam:DeleteRole'],
        resources: ['arn:aws:iam::*:role/secure-start-backup'],
        why: 'undo takes the AWS Backup policies off its own role and deletes it, while the role is as the fix left it',
      },
      {
        actions: ['backup:DeleteBackupVault', 'backup:DeleteRecoveryPoint'],
        resources: ['arn:aws:backup:*:*:backup-vault:secure-start-vault', 'arn:aws:backup:*:*:recovery-point:*'],
        why: 'undo deletes its own vault; the backups in it only when you confirm that destructive action',
      },
      { actions: ['backup:DeleteBackupPlan', 'backup:DeleteBackupSelection'], why: 'undo deletes the plan it made (by id) and that plan\'s selections' },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'cents',
    cost:
      'AWS Backup bills the backups it keeps per GB-month of warm storage (the first backup of a database is a full copy, later ones ' +
      'add what changed) and each restore per GB; the per-region prices for RDS snapshots are on https://aws.amazon.com/backup/pricing/ ' +
      '(read 2026-12-05; no minimum fee, no set-up charge). RDS keeps automated backups up to the size of the database in a region free. ' +
      'Daily backups kept 35 days of a small database: cents to a few dollars a month, growing with the data. The role, vault and plan are free.',
    risk:
      'None for running databases when retention goes from 1–6 days to 7 (applied at once, no restart). From 0 (backups off) ' +
      'the change restarts the database, so it waits for the maintenance window. The selection backs up anything in the region that carries ' +
      'the tag, not only databases: tag only what should be backed up.',
    destructive: false,
    paid: true,
  },
};

export default meta;
