import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.identity-center',
  area: 'account',
  title: 'People sign in to the console and the CLI through IAM Identity Center, not with IAM user passwords and keys',
  severity: 'medium',
  scope: 'global',
  references: {
    cis: ['2.19'],
    docs: [
      'https://docs.aws.amazon.com/singlesignon/latest/userguide/get-set-up-for-idc.html',
      'https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-instances.html',
      'https://docs.aws.amazon.com/cli/latest/userguide/sso-configure-profile-token.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp',
    ],
  },
  lesson: 'account/identity-center.md',
  permissions: {
    check: ['sso:ListInstances', 'organizations:DescribeOrganization', 'iam:GenerateCredentialReport', 'iam:GetCredentialReport', 'iam:GetAccountAuthorizationDetails', 'iam:GetLoginProfile', 'iam:ListMFADevices', 'iam:ListAccessKeys'],
    fix: [],
  },
  fix: {
    kind: 'guided',
    costScale: 'free',
    cost: 'free (IAM Identity Center and AWS Organizations cost nothing)',
    risk:
      'Nothing changes through this tool: you enable Identity Center and create users by hand. Remove an IAM user’s password or keys ' +
      'only after that person has signed in through Identity Center, or they are locked out; programs using the keys stop working.',
    destructive: false,
    paid: false,
  },
};

export default meta;
