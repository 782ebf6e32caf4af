import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'data.s3-account-public-access',
  area: 'data',
  title: 'S3 Block Public Access is on for the whole account, all four settings',
  severity: 'high',
  scope: 'global',
  references: {
    cis: ['3.1.4'],
    fsbp: ['S3.1'],
    docs: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-account.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-1',
    ],
  },
  lesson: 'data/s3-account-public-access.md',
  permissions: {
    // The bucket reads list the buckets that are public today, which the fix would close.
    check: [
      's3:GetAccountPublicAccessBlock',
      's3:ListAllMyBuckets',
      's3:GetBucketLocation',
      's3:GetBucketPublicAccessBlock',
      's3:GetBucketAcl',
      's3:GetBucketPolicy',
    ],
    fix: ['s3:PutAccountPublicAccessBlock'],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Every bucket in the account that is public today stops being public at once (the plan names them; a website served ' +
      'straight from S3 goes dark). From then on S3 refuses public ACLs and public bucket policies anywhere in the account, ' +
      'so a deployment that sets one fails until the setting is relaxed.',
    destructive: false,
    paid: false,
  },
};

export default meta;
