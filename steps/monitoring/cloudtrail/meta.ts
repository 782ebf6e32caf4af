import type { StepMeta } from '../../../src/engine/step-kit.js';
import { LOGGING_BUCKET_UNDO_GRANT, LOGGING_BUCKET_PERMISSIONS, TRAIL_READ_PERMISSIONS } from '../_shared/permissions.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'monitoring.cloudtrail',
  area: 'monitoring',
  title: 'A multi-region CloudTrail trail records every management event, with log-file validation',
  severity: 'high',
  scope: 'global',
  references: {
    cis: ['4.1', '4.2'],
    fsbp: ['CloudTrail.1', 'CloudTrail.4'],
    docs: [
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html',
    ],
  },
  lesson: 'monitoring/cloudtrail.md',
  permissions: {
    check: [
      ...TRAIL_READ_PERMISSIONS,
      // The plan reads the shared logging bucket when it has to make a trail.
      ...LOGGING_BUCKET_PERMISSIONS.read,
    ],
    fix: [
      'cloudtrail:CreateTrail',
      'cloudtrail:UpdateTrail',
      'cloudtrail:PutEventSelectors',
      'cloudtrail:StartLogging',
      // Undo: the trail it made, logging stopped.
      'cloudtrail:DeleteTrail',
      'cloudtrail:StopLogging',
      ...LOGGING_BUCKET_PERMISSIONS.fix,
      ...LOGGING_BUCKET_PERMISSIONS.undo,
    ],
    grants: [
      { actions: ['cloudtrail:CreateTrail', 'cloudtrail:DeleteTrail'], resources: ['arn:aws:cloudtrail:*:*:trail/secure-start-*'], why: 'the only trail it makes (and its undo deletes) is secure-start-trail' },
      {
        actions: ['cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:StartLogging', 'cloudtrail:StopLogging'],
        why: 'an existing multi-region trail, whatever its name, is reused rather than doubled',
      },
      LOGGING_BUCKET_UNDO_GRANT,
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'cents',
    cost:
      'The first copy of management events in each region is free. You pay for S3 storage of the log files (compressed JSON ' +
      'plus small hourly digest files): typically a few cents a month for a small account. A trail that would be a second copy ' +
      'of management events (another trail already records them) costs $2.00 per 100,000 events; the plan says when that is so.',
    risk:
      'Nothing stops working: CloudTrail only records. An existing multi-region trail is reused and only what it lacks is changed ' +
      '(its bucket is never touched; data-event selectors are kept). A new trail and the shared logging bucket are made otherwise.',
    destructive: false,
    paid: true,
  },
};

export default meta;
