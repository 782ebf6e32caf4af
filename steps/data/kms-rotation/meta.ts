import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'data.kms-rotation',
  area: 'data',
  title: 'Customer managed KMS keys rotate their key material automatically',
  severity: 'medium',
  scope: 'regional',
  references: {
    cis: ['4.6'],
    fsbp: ['KMS.4'],
    docs: [
      'https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html',
      'https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4',
      'https://aws.amazon.com/kms/pricing/',
    ],
  },
  lesson: 'data/kms-rotation.md',
  permissions: {
    check: ['kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey', 'kms:GetKeyRotationStatus'],
    fix: ['kms:EnableKeyRotation', 'kms:DisableKeyRotation'],
  },
  fix: {
    kind: 'auto',
    costScale: 'dollars',
    cost:
      'Nothing when you turn it on. Each key’s first and second rotation add $1/month each (a rotating key ends up at $3/month instead of $1); ' +
      'rotations after the second add nothing. With the default yearly period the first extra dollar starts about a year from now.',
    risk:
      'None for applications: the key keeps its id, ARN, aliases and policy, and KMS keeps every earlier version of the key material, ' +
      'so anything encrypted before still decrypts. Data is not re-encrypted.',
    destructive: false,
    paid: true,
  },
};

export default meta;
