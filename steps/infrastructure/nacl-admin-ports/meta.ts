import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'infrastructure.nacl-admin-ports',
  area: 'infrastructure',
  title: 'No network ACL lets the whole internet (0.0.0.0/0 or ::/0) reach SSH (22) or RDP (3389)',
  severity: 'medium',
  scope: 'regional',
  references: {
    cis: ['6.2'],
    fsbp: ['EC2.21'],
    docs: [
      'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html',
      'https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html',
      'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNetworkAclEntry.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-21',
    ],
  },
  lesson: 'infrastructure/nacl-admin-ports.md',
  permissions: {
    check: ['ec2:DescribeNetworkAcls'],
    fix: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAclEntry'],
    grants: [
      {
        actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAclEntry'],
        resources: ['arn:aws:ec2:*:*:network-acl/*'],
        why: 'the ACLs are whichever the account has: the change is limited to network ACLs',
      },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Deny entries for TCP 22 and 3389 from 0.0.0.0/0 and ::/0 are added just below the entry that allows them, at free rule ' +
      'numbers; no entry of yours is renumbered or removed, and allows for narrower ranges that come earlier keep working. ' +
      'SSH and RDP from the internet stop for every subnet that uses the ACL, whatever the security groups say. ' +
      'Changes to an ACL that subnets use are confirmed with a default of No.',
    destructive: false,
    destructiveWhen: 'when subnets use the network ACL',
    paid: false,
  },
};

export default meta;
