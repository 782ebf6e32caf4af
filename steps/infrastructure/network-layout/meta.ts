import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'infrastructure.network-layout',
  area: 'infrastructure',
  title: 'Every subnet is known as public or private, and no subnet gives new instances a public IP address by default',
  severity: 'medium',
  scope: 'regional',
  references: {
    fsbp: ['EC2.15'],
    docs: [
      'https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html',
      'https://docs.aws.amazon.com/vpc/latest/userguide/subnet-public-ip.html',
      'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-15',
    ],
  },
  lesson: 'infrastructure/network-layout.md',
  permissions: {
    check: ['ec2:DescribeSubnets', 'ec2:DescribeRouteTables'],
    fix: ['ec2:ModifySubnetAttribute'],
    grants: [{ actions: ['ec2:ModifySubnetAttribute'], why: 'the subnets are the ones the person names at run time' }],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Instances launched later in the chosen subnets get no public IP address unless the launch asks for one; anything that counted on the ' +
      'automatic address (an Auto Scaling group of web servers, a quick test instance reached over SSH) comes up unreachable from the internet. ' +
      'Instances running now keep their addresses. A public subnet is changed only when named (its confirmation defaults to No).',
    destructive: false,
    destructiveWhen: 'for a public subnet',
    paid: false,
  },
};

export default meta;
