import type { StepMeta } from '../../../src/engine/step-kit.js';
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
      // Undo's reads: what else hangs on the role, log group and alarm before they are deleted.
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
      'logs:DescribeLogStreams',
      'cloudwatch:DescribeAlarms',
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
      // Undo: what the fix made, deleted; what it changed, put back.
      'sns:DeleteTopic',
      'sns:Unsubscribe',
      'iam:DeleteRole',
      'iam:DeleteRolePolicy',
      'events:DeleteRule',
      'events:RemoveTargets',
      'logs:DeleteLogGroup',
      'logs:DeleteRetentionPolicy',
      'logs:DeleteMetricFilter',
      'cloudwatch:DeleteAlarms',
    ],
    grants: [
      {
        actions: ['sns:CreateTopic', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:DeleteTopic', 'sns:Unsubscribe'],
        resources: ['arn:aws:sns:*:*:secure-start-*'],
        why: 'the only topic it makes and changes is secure-start-alerts',
      },
      {
        actions: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRole', 'iam:DeleteRolePolicy'],
        resources: ['arn:aws:iam::*:role/secure-start-*'],
        why:
          'the only roles it makes are secure-start-cloudtrail-to-logs and secure-start-events-forwarder (a role of that name could still be ' +
          'given any policy: only the name is narrowed)',
      },
      {
        actions: ['iam:PassRole'],
        resources: ['arn:aws:iam::*:role/secure-start-cloudtrail-to-logs'],
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudtrail.amazonaws.com' } },
        why: 'the trail is handed its own role for CloudWatch Logs',
      },
      {
        actions: ['iam:PassRole'],
        resources: ['arn:aws:iam::*:role/secure-start-events-forwarder'],
        conditions: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
        why: 'rules in other regions are handed the role that forwards findings to the home region',
      },
      { actions: ['events:PutRule', 'events:PutTargets', 'events:DeleteRule', 'events:RemoveTargets'], resources: ['arn:aws:events:*:*:rule/secure-start-*'], why: 'the only rule it makes is secure-start-guardduty-findings' },
      {
        actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteLogGroup', 'logs:DeleteRetentionPolicy'],
        resources: ['arn:aws:logs:*:*:log-group:/secure-start/*'],
        why: 'the only log group it makes is /secure-start/cloudtrail',
      },
      { actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'], resources: ['arn:aws:cloudwatch:*:*:alarm:secure-start-*'], why: 'the only alarm it makes is secure-start-root-activity' },
      {
        actions: ['cloudtrail:UpdateTrail', 'logs:PutMetricFilter', 'logs:DeleteMetricFilter'],
        why: 'the trail, and the log group it may already deliver to, are whichever the account has',
      },
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
