import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.ebs-encryption',
  area: 'resources',
  title: 'EBS encryption by default is on in every region of the run, and no volume is left unencrypted',
  severity: 'medium',
  scope: 'regional',
  references: {
    cis: ['6.1.1'],
    fsbp: ['EC2.7', 'EC2.3'],
    docs: [
      'https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html',
      'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html',
      'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html#encrypt-unencrypted',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-7',
    ],
  },
  lesson: 'resources/ebs-encryption.md',
  permissions: {
    check: ['ec2:GetEbsEncryptionByDefault', 'ec2:DescribeVolumes'],
    fix: ['ec2:EnableEbsEncryptionByDefault', 'ec2:DisableEbsEncryptionByDefault'],
    grants: [{ actions: ['ec2:EnableEbsEncryptionByDefault', 'ec2:DisableEbsEncryptionByDefault'], why: 'an account setting of each region, with no resource to name' }],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free: encrypted volumes cost the same as unencrypted ones, and the AWS managed key aws/ebs has no monthly fee.',
    risk:
      'Only new volumes and snapshot copies are affected; existing volumes stay as they are. New volumes use the aws/ebs key, whose ' +
      'snapshots cannot be shared with other accounts: share through a customer managed key instead. A few old instance types ' +
      '(previous generations such as m1, c1, t1) do not support encrypted volumes and will no longer launch in that region.',
    destructive: false,
    paid: false,
  },
};

export default meta;
