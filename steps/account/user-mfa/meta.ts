import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.user-mfa',
  area: 'account',
  title: 'Every IAM user who can sign in to the console with a password also has MFA',
  severity: 'high',
  scope: 'global',
  references: {
    cis: ['2.10'],
    fsbp: ['IAM.5'],
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html#enable-virt-mfa-for-own-iam-user',
      'https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteLoginProfile.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-5',
    ],
  },
  lesson: 'account/user-mfa.md',
  permissions: {
    check: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport', 'iam:GetLoginProfile', 'iam:ListMFADevices', 'iam:ListAccessKeys'],
    // The fix only removes passwords; users enrol their own MFA device by hand (the plan's guidance).
    fix: ['iam:DeleteLoginProfile'],
    grants: [{ actions: ['iam:DeleteLoginProfile'], why: 'the users are the ones the person picks from the credential report at run time' }],
  },
  fix: {
    kind: 'guided',
    costScale: 'free',
    cost: 'free (virtual MFA apps and IAM are free; hardware keys cost what the vendor charges)',
    risk:
      'Removing a console password locks that user out of the console at once, and the password cannot be restored: ' +
      'only a new one can be set. Their access keys keep working. Users you leave in place keep signing in as before until they enrol MFA.',
    destructive: true,
    paid: false,
  },
};

export default meta;
