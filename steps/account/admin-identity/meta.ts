import type { StepMeta } from '../../../src/engine/step-kit.js';

/**
 * The fix's calls on the administrator and group the person names (or picks) at run time, then
 * its undo's, newest first and each only while as the fix left it. No name is known in advance,
 * so the grant below leaves them on every resource.
 */
const ON_CHOSEN_NAMES = [
  'iam:CreateGroup',
  'iam:CreateUser',
  'iam:CreateLoginProfile',
  'iam:AddUserToGroup',
  // undo
  'iam:RemoveUserFromGroup',
  'iam:DeleteLoginProfile',
  'iam:DeleteUser',
  'iam:DetachGroupPolicy',
  'iam:DeleteGroup',
];

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.admin-identity',
  area: 'account',
  title: 'Day-to-day administration uses a named administrator, not the root user',
  severity: 'high',
  scope: 'global',
  references: {
    cis: ['2.7'],
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_create.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_create.html',
      'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html',
      'https://docs.aws.amazon.com/singlesignon/latest/userguide/what-is.html',
    ],
  },
  lesson: 'account/admin-identity.md',
  permissions: {
    check: [
      'iam:GetAccountAuthorizationDetails',
      'sso:ListInstances',
      'sso:ListPermissionSets',
      'sso:ListManagedPoliciesInPermissionSet',
      'sso:ListAccountAssignments',
      'organizations:DescribeOrganization',
      // The plan's read: whether a chosen existing user already has a console password.
      'iam:GetLoginProfile',
      // undo's reads: whether the administrator it made has started to use the account.
      'iam:GetUser',
      'iam:ListMFADevices',
      'iam:ListAccessKeys',
    ],
    // GetAccountPasswordPolicy: how long the new password must be, read as it is made.
    // CreateUser with Tags (tag-on-create) needs TagUser too (src/aws/actions.ts, IMPLIED).
    fix: ['iam:GetAccountPasswordPolicy', 'iam:AttachGroupPolicy', 'iam:TagUser', ...ON_CHOSEN_NAMES],
    grants: [
      {
        actions: ['iam:AttachGroupPolicy'],
        conditions: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' } },
        why: 'the only policy it attaches is AdministratorAccess',
      },
      {
        actions: [...ON_CHOSEN_NAMES],
        why:
          'the administrator and their group are named by the person at run time (or exist already), so no name can be fixed in advance; ' +
          'whoever holds this can make an administrator, which is what the step is for (and its undo removes only what the fix made)',
      },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Creates a person with full administrator rights. Their first console password is shown once and must be changed at first sign-in; ' +
      'until they add MFA (account.user-mfa), that password alone protects the account, so hand it over privately. ' +
      'An existing group or user you pick gains administrator rights for all its members.',
    destructive: false,
    paid: false,
  },
};

export default meta;
