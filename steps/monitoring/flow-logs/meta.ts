import type { StepMeta } from '../../../src/engine/step-kit.js';
import { LOGGING_BUCKET_UNDO_GRANT, LOGGING_BUCKET_PERMISSIONS } from '../_shared/permissions.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'monitoring.flow-logs',
  area: 'monitoring',
  title: 'Every VPC records its rejected (or all) network traffic in an active flow log',
  severity: 'medium',
  scope: 'regional',
  references: {
    cis: ['4.7'],
    fsbp: ['EC2.6'],
    docs: [
      'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html',
      'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html',
      'https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html',
      'https://docs.aws.amazon.com/athena/latest/ug/vpc-flow-logs.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-6',
      'https://aws.amazon.com/cloudwatch/pricing/',
    ],
  },
  lesson: 'monitoring/flow-logs.md',
  permissions: {
    // The plan reads the logging bucket's state (HeadBucket is s3:ListBucket).
    check: [
      'ec2:DescribeVpcs',
      'ec2:DescribeFlowLogs',
      ...LOGGING_BUCKET_PERMISSIONS.read,
    ],
    // CreateFlowLogs implies CreateTags (its Name tag) and the vended-log delivery actions (src/aws/actions.ts, IMPLIED).
    // Undo deletes the flow logs it made (and, while nothing else uses it, the logging bucket).
    fix: ['ec2:CreateFlowLogs', 'ec2:CreateTags', 'logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'ec2:DeleteFlowLogs', ...LOGGING_BUCKET_PERMISSIONS.fix, ...LOGGING_BUCKET_PERMISSIONS.undo],
    grants: [
      {
        actions: ['ec2:CreateTags'],
        resources: ['arn:aws:ec2:*:*:vpc-flow-log/*'],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateFlowLogs' } },
        why: 'it tags only the flow logs it creates, in the same call',
      },
      { actions: ['ec2:CreateFlowLogs', 'ec2:DeleteFlowLogs'], why: 'the VPCs are whichever the account has' },
      { actions: ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery'], why: 'CloudWatch Logs does not scope these to a resource' },
      LOGGING_BUCKET_UNDO_GRANT,
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'cents',
    cost:
      'Flow logs delivered to S3 are billed as vended logs, about $0.25 per GB delivered (less at high volume), plus S3 storage at about ' +
      '$0.023 per GB-month. A quiet VPC writes a few MB a month: cents. A busy one (many instances, a NAT gateway, a load balancer) can write ' +
      'gigabytes a day: dollars or more. Flow logs do not slow the network down.',
    risk:
      'None for the network: flow logs are recorded outside the instances and do not touch traffic. The logs land in the shared logging bucket, ' +
      'whose policy gets the statements that let the log delivery service write there for this account only.',
    destructive: false,
    paid: true,
  },
};

export default meta;
