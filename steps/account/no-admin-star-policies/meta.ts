import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.no-admin-star-policies',
  area: 'account',
  title: 'No customer-managed IAM policy allows every action on every resource',
  severity: 'high',
  scope: 'global',
  references: {
    cis: ['2.14'],
    fsbp: ['IAM.1'],
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
      'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1',
    ],
  },
  lesson: 'account/no-admin-star-policies.md',
  permissions: { check: ['iam:GetAccountAuthorizationDetails'], fix: [] },
  fix: {
    kind: 'advice',
    costScale: 'free',
    cost: 'free',
    risk:
      'Nothing is changed by the tool. Narrowing or removing a policy by hand takes rights away from every user, group and role ' +
      'it is attached to: find out what they really use first.',
    destructive: false,
    paid: false,
  },
};

export default meta;
