import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'infrastructure.network-firewall',
  area: 'infrastructure',
  title: 'Every VPC with an internet gateway is protected by AWS Network Firewall, or you have decided it need not be',
  severity: 'low',
  scope: 'regional',
  references: {
    fsbp: ['NetworkFirewall.1', 'NetworkFirewall.2', 'NetworkFirewall.3', 'NetworkFirewall.4', 'NetworkFirewall.5', 'NetworkFirewall.6', 'NetworkFirewall.9', 'NetworkFirewall.10'],
    docs: [
      'https://docs.aws.amazon.com/network-firewall/latest/developerguide/what-is-aws-network-firewall.html',
      'https://docs.aws.amazon.com/network-firewall/latest/developerguide/arch-igw-ngw.html',
      'https://aws.amazon.com/network-firewall/pricing/',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/networkfirewall-controls.html',
    ],
  },
  lesson: 'infrastructure/network-firewall.md',
  permissions: {
    check: ['ec2:DescribeVpcs', 'ec2:DescribeInternetGateways', 'network-firewall:ListFirewalls', 'network-firewall:DescribeFirewall'],
    fix: [],
  },
  fix: {
    kind: 'advice',
    costScale: 'dollars',
    cost:
      'This tool creates nothing. AWS Network Firewall, deployed by you, costs about $0.395 per endpoint-hour (about $288 a month per ' +
      'Availability Zone) plus about $0.065 per GB inspected, in us-east-1.',
    risk: 'None from this tool. A firewall you deploy sits in the traffic path: a wrong route or a drop rule can cut a VPC off the internet.',
    destructive: false,
    paid: true,
  },
};

export default meta;
