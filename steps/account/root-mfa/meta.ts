import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.root-mfa',
  area: 'account',
  title: 'Signing in as the root user takes a second factor (MFA)',
  severity: 'critical',
  scope: 'global',
  references: {
    cis: ['2.5', '2.6'],
    fsbp: ['IAM.6', 'IAM.9'],
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-virt-mfa-for-root.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_cliapi.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-9',
    ],
  },
  lesson: 'account/root-mfa.md',
  permissions: {
    // ListVirtualMFADevices only refines a pass (app or hardware key); the verdict needs the other three.
    // GetUser: the plan names the caller for EnableMFADevice (as root; a harmless read).
    check: ['iam:GetAccountSummary', 'iam:GenerateCredentialReport', 'iam:GetCredentialReport', 'iam:ListVirtualMFADevices', 'iam:GetUser'],
    // DeleteVirtualMFADevice removes a device that could not be enabled.
    fix: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:DeleteVirtualMFADevice'],
    grants: [
      {
        actions: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:DeleteVirtualMFADevice'],
        rootOnly: true,
        why: 'only the root user can put MFA on itself through the API; granted to anyone else they would put MFA devices on other users',
      },
    ],
  },
  fix: {
    kind: 'guided',
    costScale: 'free',
    cost: 'free (an authenticator app costs nothing; a hardware security key, if you prefer one, is bought separately)',
    risk:
      'From now on, signing in as root needs the phone or key that holds this MFA device. Lose it and you go through AWS account recovery ' +
      '(checks by email and phone), which takes time: register a second device, or keep the phone somewhere safe and backed up.',
    destructive: false,
    paid: false,
  },
};

export default meta;
