import type { StepMeta } from '../../../src/engine/types.js';
import { TRAIL_READ_PERMISSIONS } from '../_shared/permissions.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'monitoring.alerts',
  area: 'monitoring',
  title: 'A person hears about threats: GuardDuty findings (medium and above) and any root-user activity reach an email address through SNS',
  severity: 'high',
  scope: 'regional',
  references: {
    cis: ['5.3'],
    docs: [
      'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_eventbridge.html',
      'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-severity.html',
      'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html',
      'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html',
      'https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html',
    ],
  },
  lesson: 'monitoring/alerts.md',
  permissions: {
    check: [
      ...TRAIL_READ_PERMISSIONS,
      'events:ListRules',
      'events:ListTargetsByRule',
      'sns:ListSubscriptions',
      'sns:GetTopicAttributes',
      'logs:DescribeLogGroups',
      'logs:DescribeMetricFilters',
      'cloudwatch:DescribeAlarmsForMetric',
      'iam:GetRole',
      'iam:GetRolePolicy',
    ],
    fix: [
      'sns:CreateTopic',
      'sns:GetTopicAttributes',
      'sns:SetTopicAttributes',
      'sns:Subscribe',
      'iam:CreateRole',
      'iam:PutRolePolicy',
      'iam:PassRole',
      'events:PutRule',
      'events:PutTargets',
      'logs:CreateLogGroup',
      'logs:PutRetentionPolicy',
      'cloudtrail:UpdateTrail',
      'logs:PutMetricFilter',
      'cloudwatch:PutMetricAlarm',
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'cents',
    cost:
      'The root-activity alarm is $0.10 a month; the trail’s events sent to CloudWatch Logs cost about $0.50 per GB ' +
      '(a quiet account makes a few MB: a few cents); SNS email is free for the first 1,000 messages a month; EventBridge rules ' +
      'for events of AWS services are free.',
    risk:
      'Nothing that runs changes. AWS sends a confirmation email to the address given: until someone clicks its link, nothing is ' +
      'delivered. The trail starts sending its events to a CloudWatch log group as well as to S3 (kept 365 days).',
    destructive: false,
    paid: true,
  },
};

export default meta;
