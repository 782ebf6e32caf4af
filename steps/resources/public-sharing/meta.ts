import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.public-sharing',
  area: 'resources',
  title: 'No EBS snapshot, AMI or RDS snapshot is shared with everyone, and snapshot and AMI Block Public Access are on',
  severity: 'critical',
  scope: 'regional',
  references: {
    fsbp: ['EC2.1', 'RDS.1', 'EC2.182'],
    docs: [
      'https://docs.aws.amazon.com/ebs/latest/userguide/block-public-access-snapshots.html',
      'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html',
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/block-public-access-to-amis.html',
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html',
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-1',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-1',
    ],
  },
  lesson: 'resources/public-sharing.md',
  permissions: {
    check: [
      'ec2:DescribeSnapshots',
      'ec2:DescribeSnapshotAttribute',
      'ec2:DescribeImages',
      'rds:DescribeDBSnapshots',
      'rds:DescribeDBSnapshotAttributes',
      'ec2:GetSnapshotBlockPublicAccessState',
      'ec2:GetImageBlockPublicAccessState',
    ],
    fix: [
      'ec2:ModifySnapshotAttribute',
      'ec2:ModifyImageAttribute',
      'rds:ModifyDBSnapshotAttribute',
      'ec2:EnableSnapshotBlockPublicAccess',
      'ec2:EnableImageBlockPublicAccess',
      'ec2:DisableSnapshotBlockPublicAccess',
      'ec2:DisableImageBlockPublicAccess',
    ],
    grants: [
      { actions: ['ec2:ModifySnapshotAttribute', 'ec2:ModifyImageAttribute', 'rds:ModifyDBSnapshotAttribute'], why: 'the snapshots and images are whichever the account shares publicly' },
      { actions: ['ec2:EnableSnapshotBlockPublicAccess', 'ec2:EnableImageBlockPublicAccess', 'ec2:DisableSnapshotBlockPublicAccess', 'ec2:DisableImageBlockPublicAccess'], why: 'account settings of each region, with no resource to name' },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free: sharing settings and Block Public Access cost nothing.',
    risk:
      'Whoever restores or launches a public snapshot or image from another account loses access to it: each public one is changed only ' +
      'when you name it (default No). Snapshot Block Public Access in block-all-sharing mode also treats every snapshot of the region that ' +
      'is still public as private. AMI Block Public Access stops new public sharing; AMIs already public stay so until changed.',
    destructive: false,
    destructiveWhen: 'for a snapshot or image that is shared with everyone',
    paid: false,
  },
};

export default meta;
