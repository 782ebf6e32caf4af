import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'data.s3-tls-only',
  area: 'data',
  title: 'Every S3 bucket refuses requests that do not use TLS (HTTPS)',
  severity: 'medium',
  scope: 'global',
  references: {
    cis: ['3.1.1'],
    fsbp: ['S3.5'],
    docs: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport',
      'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-5',
    ],
  },
  lesson: 'data/s3-tls-only.md',
  permissions: {
    // The Block Public Access reads: only for a policy that still grants public access (S3 would refuse to store it).
    check: [
      's3:ListAllMyBuckets',
      's3:GetBucketLocation',
      's3:GetBucketPolicy',
      's3:GetBucketWebsite',
      's3:GetBucketPublicAccessBlock',
      's3:GetAccountPublicAccessBlock',
    ],
    // GetBucketPolicy again just before writing: a policy edited since the plan is never overwritten.
    fix: ['s3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:DeleteBucketPolicy'],
    grants: [{ actions: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'], why: 'every bucket of the account is in scope, whatever its name' }],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Clients that still use plain HTTP get Access Denied: very old SDKs or tools, http:// links, and static websites served ' +
      'from the S3 website endpoint (which speaks only HTTP; such buckets are confirmed by name). Every existing policy ' +
      'statement is kept as it is; one Deny statement is added.',
    destructive: false,
    paid: false,
  },
};

export default meta;
