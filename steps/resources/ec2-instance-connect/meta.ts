import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.ec2-instance-connect',
  area: 'resources',
  title: 'Administrators reach instances without SSH or RDP open to the internet',
  severity: 'high',
  scope: 'regional',
  references: {
    docs: [
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/connect-with-ec2-instance-connect-endpoint.html',
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-ec2-instance-connect-endpoints.html',
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/permissions-for-ec2-instance-connect-endpoint.html',
      'https://docs.aws.amazon.com/cli/latest/reference/ec2-instance-connect/ssh.html',
      'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html',
    ],
  },
  lesson: 'resources/ec2-instance-connect.md',
  permissions: {
    check: ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeRouteTables', 'ec2:DescribeInstanceConnectEndpoints'],
    // CreateInstanceConnectEndpoint implies the endpoint's network interface, its Name tag and the
    // service-linked role (src/aws/actions.ts, IMPLIED).
    fix: ['ec2:CreateInstanceConnectEndpoint', 'ec2:CreateNetworkInterface', 'ec2:CreateTags', 'iam:CreateServiceLinkedRole', 'ec2:DeleteInstanceConnectEndpoint'],
    grants: [
      {
        actions: ['ec2:CreateTags'],
        resources: ['arn:aws:ec2:*:*:instance-connect-endpoint/*'],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateInstanceConnectEndpoint' } },
        why: 'it tags only the endpoints it creates, in the same call',
      },
      {
        actions: ['iam:CreateServiceLinkedRole'],
        conditions: { StringEquals: { 'iam:AWSServiceName': 'ec2-instance-connect.amazonaws.com' } },
        why: 'only the Instance Connect service-linked role, made with the first endpoint',
      },
      { actions: ['ec2:CreateInstanceConnectEndpoint', 'ec2:CreateNetworkInterface', 'ec2:DeleteInstanceConnectEndpoint'], why: 'the subnet is the one the person picks' },
    ],
  },
  fix: {
    kind: 'guided',
    costScale: 'free',
    cost: 'free (EC2 Instance Connect Endpoints have no charge; data transfer is billed as usual)',
    risk:
      'Creating the endpoint changes nothing for the instances: it adds a network interface in the chosen subnet. Closing the open ' +
      'port afterwards (by hand, or infrastructure.admin-ports) cuts off whoever still logs in over the internet: test the new way in first.',
    destructive: false,
    paid: false,
  },
};

export default meta;
