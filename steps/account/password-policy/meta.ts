import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.password-policy',
  area: 'account',
  title: 'IAM user passwords follow a strong policy: 14+ characters, all character types, last 24 not reusable',
  severity: 'high',
  scope: 'global',
  references: {
    cis: ['2.8', '2.9'],
    fsbp: ['IAM.7'],
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html',
      'https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-7',
    ],
  },
  lesson: 'account/password-policy.md',
  permissions: { check: ['iam:GetAccountPasswordPolicy'], fix: ['iam:UpdateAccountPasswordPolicy', 'iam:DeleteAccountPasswordPolicy'] },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Existing passwords keep working until they are next changed; from then on IAM users must choose passwords that meet the new rules. ' +
      'Setting an expiry takes effect at once: passwords older than it must be changed at the next sign-in.',
    destructive: false,
    paid: false,
  },
};

export default meta;
