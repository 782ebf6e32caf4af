import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.root-access-keys',
  area: 'account',
  title: 'The root user has no access keys, active or inactive',
  severity: 'critical',
  scope: 'global',
  references: {
    cis: ['2.4'],
    fsbp: ['IAM.4'],
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4',
    ],
  },
  lesson: 'account/root-access-keys.md',
  permissions: {
    // The plan, as root, lists its own keys and when they were last used (harmless reads, kept in the check policy).
    check: ['iam:GetAccountSummary', 'iam:GenerateCredentialReport', 'iam:GetCredentialReport', 'iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed'],
    // As root only: switch its keys off, then delete them.
    fix: ['iam:UpdateAccessKey', 'iam:DeleteAccessKey'],
    grants: [
      {
        actions: ['iam:UpdateAccessKey', 'iam:DeleteAccessKey'],
        rootOnly: true,
        why: 'only the root user can act on its own keys; granted to anyone else they would reach every user’s keys',
      },
    ],
  },
  fix: {
    kind: 'guided',
    costScale: 'free',
    cost: 'free',
    risk:
      'Any script, server or CI job that still signs requests with a root access key fails as soon as the key is deactivated. ' +
      'Deactivating can be undone; deleting cannot, and the wizard asks before it deletes.',
    destructive: true,
    paid: false,
  },
};

export default meta;
