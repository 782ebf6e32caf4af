import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'infrastructure.default-security-groups',
  area: 'infrastructure',
  title: "Every VPC's default security group allows no inbound and no outbound traffic",
  severity: 'high',
  scope: 'regional',
  references: {
    cis: ['6.5'],
    fsbp: ['EC2.2'],
    docs: [
      'https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html',
      'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html',
      'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-2',
    ],
  },
  lesson: 'infrastructure/default-security-groups.md',
  permissions: {
    check: ['ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs'],
    fix: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:DescribeSecurityGroups'],
    grants: [
      {
        actions: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress'],
        resources: ['arn:aws:ec2:*:*:security-group/*'],
        why: 'IAM has no condition key for a group being the default one: the revokes are limited to security groups',
      },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Every rule of each default group is removed. Anything that still uses a default group (an instance, a load balancer, a Lambda ' +
      'function started without a group of its own) loses the traffic that group allowed, unless another of its groups allows it: ' +
      'the plan names each user, and a fix that touches a group in use is confirmed with a default of No.',
    destructive: false,
    destructiveWhen: 'when a network interface uses the default group',
    paid: false,
  },
};

export default meta;
