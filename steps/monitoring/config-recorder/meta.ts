import type { StepMeta } from '../../../src/engine/step-kit.js';
import { LOGGING_BUCKET_PERMISSIONS, LOGGING_BUCKET_UNDO_GRANT } from '../_shared/permissions.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'monitoring.config-recorder',
  area: 'monitoring',
  title: 'AWS Config records every supported resource in the selected regions and delivers the history to S3',
  severity: 'medium',
  scope: 'regional',
  references: {
    cis: ['4.3'],
    fsbp: ['Config.1'],
    docs: [
      'https://docs.aws.amazon.com/config/latest/developerguide/WhatIsConfig.html',
      'https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html',
      'https://docs.aws.amazon.com/config/latest/developerguide/manage-delivery-channel.html',
      'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html',
      'https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html',
      'https://aws.amazon.com/config/pricing/',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html#config-1',
    ],
  },
  lesson: 'monitoring/config-recorder.md',
  permissions: {
    check: [
      'config:DescribeConfigurationRecorders',
      'config:DescribeConfigurationRecorderStatus',
      'config:DescribeDeliveryChannels',
      // The plan's reads: the service-linked role, and the logging bucket's state.
      'iam:GetRole',
      ...LOGGING_BUCKET_PERMISSIONS.read,
    ],
    fix: [
      'config:PutConfigurationRecorder',
      'config:PutDeliveryChannel',
      'config:StartConfigurationRecorder',
      'iam:CreateServiceLinkedRole',
      // PutConfigurationRecorder hands the recorder its role.
      'iam:PassRole',
      // Undo: the recorder stopped, the channel and recorder it made deleted, the role it made deleted.
      'config:StopConfigurationRecorder',
      'config:DeleteDeliveryChannel',
      'config:DeleteConfigurationRecorder',
      'iam:DeleteServiceLinkedRole',
      ...LOGGING_BUCKET_PERMISSIONS.fix,
      ...LOGGING_BUCKET_PERMISSIONS.undo,
    ],
    grants: [
      {
        actions: ['iam:CreateServiceLinkedRole'],
        resources: ['arn:aws:iam::*:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig'],
        conditions: { StringEquals: { 'iam:AWSServiceName': 'config.amazonaws.com' } },
        why: 'the only service-linked role it makes is AWS Config’s',
      },
      {
        actions: ['iam:DeleteServiceLinkedRole'],
        resources: ['arn:aws:iam::*:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig'],
        why: 'the only service-linked role its undo deletes is AWS Config’s, when this tool made it',
      },
      {
        actions: ['iam:PassRole'],
        conditions: { StringEquals: { 'iam:PassedToService': 'config.amazonaws.com' } },
        why: 'roles are handed to AWS Config only; an existing recorder keeps the role it has, whatever its name',
      },
      LOGGING_BUCKET_UNDO_GRANT,
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'cents',
    cost:
      'AWS Config bills each configuration item it records: $0.003 per item with continuous recording (one item each time a recorded resource ' +
      'is created, changed or deleted). A small, quiet account records a few hundred to a few thousand items a month: cents to a few dollars, ' +
      'growing with how often resources change. Daily (periodic) recording, $0.012 per item but at most one per changed resource a day, is cheaper ' +
      'for resources that change all the time. The history files in the logging bucket add S3 storage (cents). The service-linked role is free.',
    risk:
      'None to running workloads: AWS Config only reads resource configurations. The bill grows with resource churn (autoscaling, short-lived ' +
      'containers, frequent deployments). An existing recorder keeps its name and role, and an existing delivery channel its bucket.',
    destructive: false,
    paid: true,
  },
};

export default meta;
