import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'infrastructure.admin-ports',
  area: 'infrastructure',
  title: 'No security group lets the whole internet (0.0.0.0/0 or ::/0) reach SSH, RDP or every port',
  severity: 'critical',
  scope: 'regional',
  references: {
    cis: ['6.3', '6.4'],
    fsbp: ['EC2.13', 'EC2.14', 'EC2.18', 'EC2.19'],
    docs: [
      'https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html',
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/connect-with-ec2-instance-connect-endpoint.html',
      'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-13',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19',
    ],
  },
  lesson: 'infrastructure/admin-ports.md',
  permissions: {
    check: ['ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkInterfaces'],
    fix: ['ec2:RevokeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:DescribeSecurityGroups'],
    grants: [
      {
        actions: ['ec2:RevokeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupIngress'],
        resources: ['arn:aws:ec2:*:*:security-group/*'],
        why: 'the groups are whichever the account has: the changes are limited to security groups',
      },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Only the rules that open SSH, RDP or every port to 0.0.0.0/0 or ::/0 are removed; every other rule stays as it is. Whoever ' +
      'connects through those rules today, you included, is cut off unless they come from the network you give as the replacement; ' +
      'EC2 Instance Connect and Session Manager need no open port. Changes to a group in use are confirmed with a default of No.',
    destructive: false,
    destructiveWhen: 'when something uses the security group',
    paid: false,
  },
};

export default meta;
