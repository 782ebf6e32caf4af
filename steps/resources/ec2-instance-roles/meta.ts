import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.ec2-instance-roles',
  area: 'resources',
  title: 'Running instances get AWS credentials from an IAM role (an instance profile), not from keys stored on them',
  severity: 'medium',
  scope: 'regional',
  references: {
    cis: ['2.16'],
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html',
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/attach-iam-role.html',
      'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonSSMManagedInstanceCore.html',
    ],
  },
  lesson: 'resources/ec2-instance-roles.md',
  permissions: {
    // The plan reads the chosen instance profile (does it exist, which role it holds).
    check: ['ec2:DescribeInstances', 'iam:ListInstanceProfiles', 'iam:GetInstanceProfile', 'ec2:DescribeIamInstanceProfileAssociations', 'iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'],
    // AssociateIamInstanceProfile and AddRoleToInstanceProfile imply iam:PassRole (src/aws/actions.ts, IMPLIED).
    fix: [
      'ec2:AssociateIamInstanceProfile',
      'iam:PassRole',
      'iam:CreateRole',
      'iam:AttachRolePolicy',
      'iam:CreateInstanceProfile',
      'iam:AddRoleToInstanceProfile',
      'ec2:DisassociateIamInstanceProfile',
      'iam:RemoveRoleFromInstanceProfile',
      'iam:DeleteInstanceProfile',
      'iam:DetachRolePolicy',
      'iam:DeleteRole',
    ],
    grants: [
      { actions: ['iam:CreateRole', 'iam:DeleteRole'], resources: ['arn:aws:iam::*:role/secure-start-*'], why: 'it creates only its own role, secure-start-ec2-ssm' },
      {
        actions: ['iam:PassRole'],
        resources: ['arn:aws:iam::*:role/secure-start-*'],
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        why: 'it hands only its own roles to EC2 instances',
      },
      {
        actions: ['iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
        resources: ['arn:aws:iam::*:instance-profile/secure-start-*'],
        why: 'it creates and fills only its own instance profile, secure-start-ec2-ssm',
      },
      {
        actions: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
        resources: ['arn:aws:iam::*:role/secure-start-*'],
        conditions: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' } },
        why: 'its own role gets only AmazonSSMManagedInstanceCore',
      },
      { actions: ['ec2:AssociateIamInstanceProfile', 'ec2:DisassociateIamInstanceProfile'], why: 'the instances are whichever the account has' },
    ],
  },
  fix: {
    kind: 'guided',
    costScale: 'free',
    cost: 'free',
    risk:
      'The instance gains whatever the role allows. The minimal role allows only Systems Manager (Session Manager, patching, inventory). ' +
      'Nothing on the instance restarts; keys already stored on it keep taking precedence until they are removed.',
    destructive: false,
    paid: false,
  },
};

export default meta;
