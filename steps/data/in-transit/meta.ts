import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'data.in-transit',
  area: 'data',
  title: 'Private subnets reach S3 through a gateway endpoint, not through a NAT or the internet',
  severity: 'low',
  scope: 'regional',
  references: {
    docs: [
      'https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html',
      'https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html',
      'https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/what-is.html',
      'https://docs.aws.amazon.com/vpn/latest/s2svpn/VPC_VPN.html',
      'https://docs.aws.amazon.com/vpc/latest/privatelink/what-is-privatelink.html',
    ],
  },
  lesson: 'data/in-transit.md',
  permissions: {
    check: ['ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeVpcEndpoints'],
    fix: ['ec2:CreateVpcEndpoint', 'ec2:ModifyVpcEndpoint', 'ec2:DeleteVpcEndpoints'],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost:
      'Free: S3 gateway endpoints have no hourly or per-GB charge. S3 traffic that went through a NAT gateway stops paying its per-GB processing fee.',
    risk:
      'S3 requests from those subnets (to buckets in the same region) take the endpoint from now on: connections open at that moment may be cut, ' +
      'bucket policies that allow only certain public IP addresses (aws:SourceIp) stop matching them, ' +
      'and traffic that a firewall in the default route inspected goes around it.',
    destructive: false,
    paid: false,
  },
};

export default meta;
