import type { StepMeta } from '../../../src/engine/step-kit.js';

/**
 * What applying the plan calls, then what its undo calls: the inverses, newest first (put the
 * user's own back, leave the group, delete what it made). All of it is granted on every resource
 * (the grant below says why), so the fix list and the grant are one list.
 */
const FIX = [
  'iam:CreateGroup',
  'iam:PutGroupPolicy',
  'iam:AttachGroupPolicy',
  'iam:AddUserToGroup',
  'iam:DetachUserPolicy',
  'iam:DeleteUserPolicy',
  // undo
  'iam:AttachUserPolicy',
  'iam:PutUserPolicy',
  'iam:RemoveUserFromGroup',
  'iam:DetachGroupPolicy',
  'iam:DeleteGroupPolicy',
  'iam:DeleteGroup',
];

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.groups-only',
  area: 'account',
  title: 'IAM users get their permissions only through groups, never from policies of their own',
  severity: 'low',
  scope: 'global',
  references: {
    cis: ['2.13'],
    fsbp: ['IAM.2'],
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-2',
    ],
  },
  lesson: 'account/groups-only.md',
  permissions: {
    check: ['iam:GetAccountAuthorizationDetails'],
    fix: FIX,
    grants: [
      {
        actions: [...FIX],
        why:
          'the users are whoever holds policies of their own, and the groups it makes are named after those policies, so no name ' +
          'pattern is known in advance; moving any policy into a group is what the step does, so its fix policy can grant anything to a group; ' +
          'its undo moves them back the same way',
      },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Every listed user is changed. Each keeps exactly the permissions they had: they join a group holding the same policies ' +
      'before their own are removed. Existing groups are only reused when they hold exactly the same policies, never edited, so ' +
      'nobody else gains or loses anything. New groups count towards the account quota of 300 groups.',
    destructive: true,
    paid: false,
  },
};

export default meta;
