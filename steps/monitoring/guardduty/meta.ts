import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'monitoring.guardduty',
  area: 'monitoring',
  title: 'GuardDuty threat detection is enabled in every region of the run',
  severity: 'high',
  scope: 'regional',
  references: {
    fsbp: ['GuardDuty.1'],
    docs: [
      'https://docs.aws.amazon.com/guardduty/latest/ug/what-is-guardduty.html',
      'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html',
      'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-active.html',
      'https://docs.aws.amazon.com/guardduty/latest/ug/monitoring_costs.html',
      'https://aws.amazon.com/guardduty/pricing/',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html#guardduty-1',
    ],
  },
  lesson: 'monitoring/guardduty.md',
  permissions: {
    check: ['guardduty:ListDetectors', 'guardduty:GetDetector'],
    // CreateDetector also makes GuardDuty's service-linked role the first time (src/aws/actions.ts, IMPLIED).
    fix: ['guardduty:CreateDetector', 'guardduty:UpdateDetector', 'guardduty:DeleteDetector', 'iam:CreateServiceLinkedRole'],
    grants: [
      {
        actions: ['iam:CreateServiceLinkedRole'],
        resources: ['arn:aws:iam::*:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty'],
        conditions: { StringEquals: { 'iam:AWSServiceName': 'guardduty.amazonaws.com' } },
        why: 'the only service-linked role it makes is GuardDuty’s',
      },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'dollars',
    cost:
      'Each region gets a 30-day free trial the first time GuardDuty is enabled there. After it, GuardDuty is billed on the volume it analyses: ' +
      'CloudTrail management events (per million), VPC flow logs and DNS queries (per GB), plus any protection plan that is on. ' +
      'For a small account that is usually a few dollars per region per month; the console\'s Usage page shows an estimate during the trial.',
    risk:
      'Nothing changes for the workloads: GuardDuty reads copies of logs AWS already has and installs no agent. ' +
      'It starts producing findings, which someone needs to read (monitoring.alerts).',
    destructive: false,
    paid: true,
  },
};

export default meta;
