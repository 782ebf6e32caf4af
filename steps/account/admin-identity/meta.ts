import type { StepMeta } from '../../../src/engine/types.js';

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
    ],
    // GetLoginProfile: whether a chosen existing user has a console password; GetAccountPasswordPolicy: how long the new one must be.
    fix: [
      'iam:GetLoginProfile',
      'iam:GetAccountPasswordPolicy',
      'iam:CreateGroup',
      'iam:AttachGroupPolicy',
      'iam:CreateUser',
      // CreateUser with Tags (tag-on-create) needs TagUser too.
      'iam:TagUser',
      'iam:CreateLoginProfile',
      'iam:AddUserToGroup',
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
