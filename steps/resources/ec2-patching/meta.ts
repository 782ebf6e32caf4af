import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.ec2-patching',
  area: 'resources',
  title: 'Every running EC2 instance is managed by Systems Manager, so it can be patched',
  severity: 'medium',
  scope: 'regional',
  references: {
    fsbp: ['SSM.1'],
    docs: [
      'https://docs.aws.amazon.com/systems-manager/latest/userguide/managed_instances.html',
      'https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-instance-permissions.html',
      'https://docs.aws.amazon.com/systems-manager/latest/userguide/troubleshooting-managed-nodes.html',
      'https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager.html',
      'https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-1',
    ],
  },
  lesson: 'resources/ec2-patching.md',
  permissions: {
    // The plan reads the instance profiles' roles and what is attached to them.
    check: ['ec2:DescribeInstances', 'ssm:DescribeInstanceInformation', 'iam:GetInstanceProfile', 'iam:ListAttachedRolePolicies'],
    fix: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
    grants: [
      {
        actions: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
        conditions: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' } },
        why: 'it attaches only AmazonSSMManagedInstanceCore, to the roles the instances already use (any role of the account)',
      },
    ],
  },
  fix: {
    kind: 'guided',
    costScale: 'free',
    cost:
      'free: Systems Manager charges nothing for managing EC2 instances, Session Manager or Patch Manager. An instance in a private subnet ' +
      'without a NAT gateway needs VPC interface endpoints to reach Systems Manager, about $7 a month each per Availability Zone (you decide on those by hand).',
    risk:
      'The instance role gains AmazonSSMManagedInstanceCore: whoever may run Systems Manager commands or sessions on the instance can then ' +
      'act on it, so grant ssm:SendCommand and ssm:StartSession with care. Nothing on the instance changes until its agent registers.',
    destructive: false,
    paid: false,
  },
};

export default meta;
