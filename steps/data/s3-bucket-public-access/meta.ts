import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'data.s3-bucket-public-access',
  area: 'data',
  title: 'No S3 bucket is open to the public through its ACL or policy, and every bucket has Block Public Access on',
  severity: 'critical',
  scope: 'global',
  references: {
    fsbp: ['S3.2', 'S3.3', 'S3.8'],
    docs: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-8',
    ],
  },
  lesson: 'data/s3-bucket-public-access.md',
  permissions: {
    check: [
      's3:ListAllMyBuckets',
      's3:GetBucketLocation',
      's3:GetBucketPublicAccessBlock',
      's3:GetBucketAcl',
      's3:GetBucketPolicy',
      's3:GetAccountPublicAccessBlock',
    ],
    fix: ['s3:PutBucketPublicAccessBlock'],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'A bucket that is public today stops being public at once: a website, download links or anything else that reads it ' +
      'without AWS credentials gets Access Denied. Each public bucket is confirmed by name (default No). ' +
      'Afterwards S3 refuses new public ACLs and public policies on these buckets.',
    destructive: false,
    paid: false,
  },
};

export default meta;
