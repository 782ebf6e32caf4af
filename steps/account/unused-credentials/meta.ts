import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.unused-credentials',
  area: 'account',
  title: 'No IAM password or access key has gone unused for 45 days, and no active access key is older than 90 days',
  severity: 'medium',
  scope: 'global',
  references: {
    cis: ['2.11', '2.12'],
    fsbp: ['IAM.3', 'IAM.8'],
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id-credentials-access-keys-update.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-3',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-8',
    ],
  },
  lesson: 'account/unused-credentials.md',
  permissions: {
    // The check reads the credential report; after a change in this run (IAM may hand back a report
    // up to four hours old) it reads the users the report names one by one. The report has no key
    // ids: the plan reads them (ListAccessKeys) for the users whose keys were chosen.
    check: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport', 'iam:GetLoginProfile', 'iam:ListMFADevices', 'iam:ListAccessKeys'],
    fix: ['iam:UpdateAccessKey', 'iam:DeleteLoginProfile'],
    grants: [
      {
        actions: ['iam:UpdateAccessKey', 'iam:DeleteLoginProfile'],
        why: 'the keys and passwords are the ones the person picks from the credential report at run time',
      },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Whatever still uses a deactivated key (a script, a CI job, a forgotten server) fails from that moment; the key can be ' +
      'reactivated. A removed console password cannot be restored, only replaced by a new one. Nothing is changed unless you ' +
      'choose it key by key and user by user, or list it in the answers file.',
    destructive: true,
    paid: false,
  },
};

export default meta;
