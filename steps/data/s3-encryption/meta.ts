import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'data.s3-encryption',
  area: 'data',
  title: 'S3 buckets encrypt new objects at rest by default (SSE-S3, or SSE-KMS with a bucket key)',
  severity: 'medium',
  scope: 'global',
  references: {
    docs: [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html',
      'https://aws.amazon.com/kms/pricing/',
    ],
  },
  lesson: 'data/s3-encryption.md',
  permissions: {
    // GetBucketPolicy: which buckets receive logs from AWS services (they need the key's permission under SSE-KMS).
    // GetKeyRotationStatus: undo reads whether the key it made still rotates.
    check: ['s3:ListAllMyBuckets', 's3:GetBucketLocation', 's3:GetEncryptionConfiguration', 's3:GetBucketPolicy', 'kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey', 'kms:GetKeyRotationStatus'],
    // Undo: DeleteBucketEncryption is s3:PutEncryptionConfiguration; the key it made is deleted (scheduled), named no more, not rotated.
    fix: ['s3:PutEncryptionConfiguration', 'kms:CreateKey', 'kms:CreateAlias', 'kms:EnableKeyRotation', 'kms:ScheduleKeyDeletion', 'kms:DeleteAlias', 'kms:DisableKeyRotation'],
    grants: [
      {
        actions: ['kms:CreateAlias', 'kms:DeleteAlias'],
        resources: ['arn:aws:kms:*:*:alias/secure-start-*', 'arn:aws:kms:*:*:key/*'],
        why: 'the only alias it makes (and its undo removes) is alias/secure-start-s3 (AWS checks the alias and the key it points to)',
      },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'dollars',
    cost:
      'SSE-S3: free. SSE-KMS: $1/month for each customer managed key the fix creates (up to $3/month once it has rotated twice), ' +
      'plus KMS requests at $0.03 per 10,000 beyond 20,000 a month, which the bucket key cuts to a small fraction.',
    risk:
      'Only objects uploaded from now on use the new default; stored objects keep their encryption. With SSE-KMS, every reader and writer ' +
      'also needs permission to use the key: anonymous readers of a public bucket or website lose access to new objects, and other accounts need a key-policy grant.',
    destructive: false,
    paid: true,
  },
};

export default meta;
