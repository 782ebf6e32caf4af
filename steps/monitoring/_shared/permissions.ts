/**
 * IAM actions the shared monitoring pieces call, for the steps' declared permissions. Plain data
 * with no imports, so each step's meta.ts can use it and start-up still loads no SDK.
 */

/** The logging bucket (logging-bucket.ts): what the plan reads, and what its actions call. */
export const LOGGING_BUCKET_PERMISSIONS = {
  read: ['s3:ListBucket', 's3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock', 's3:GetEncryptionConfiguration', 's3:GetBucketOwnershipControls'],
  fix: [
    's3:CreateBucket',
    's3:PutBucketPublicAccessBlock',
    's3:PutBucketOwnershipControls',
    's3:PutEncryptionConfiguration',
    's3:PutBucketPolicy',
    // Read again just before writing: a bucket policy edited since the plan is never overwritten.
    's3:GetBucketPolicy',
  ],
  /** What undoing it calls (steps with `undo` add these to their fix): the policy as it was, the bucket it made, emptied first when the person chooses. */
  undo: ['s3:DeleteBucketPolicy', 's3:DeleteBucket', 's3:ListBucket', 's3:DeleteObject'],
} as const;

/** The logging bucket's writes, on its own name only (`secure-start-logs-<account>-<region>`); a PermissionGrant. */
export const LOGGING_BUCKET_GRANT = {
  actions: [...LOGGING_BUCKET_PERMISSIONS.fix],
  resources: ['arn:aws:s3:::secure-start-logs-*'],
  why: 'the only bucket it makes and changes is the logging bucket secure-start-logs-<account>-<region>',
};

/** LOGGING_BUCKET_GRANT with undo's calls, for the steps whose undo deletes or restores the bucket. */
export const LOGGING_BUCKET_UNDO_GRANT = {
  actions: [...LOGGING_BUCKET_PERMISSIONS.fix, ...LOGGING_BUCKET_PERMISSIONS.undo],
  resources: ['arn:aws:s3:::secure-start-logs-*'],
  why: 'the only bucket it makes, changes and (on undo) empties or deletes is the logging bucket secure-start-logs-<account>-<region>',
};

/** The trails (trails.ts). */
export const TRAIL_READ_PERMISSIONS = ['cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'] as const;
