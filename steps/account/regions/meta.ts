import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'account.regions',
  area: 'account',
  title: 'Workloads can run only in the regions you chose; every other region is denied by a guardrail',
  severity: 'medium',
  scope: 'global',
  references: {
    docs: [
      'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-requested-region.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion',
      'https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html',
    ],
  },
  lesson: 'account/regions.md',
  permissions: {
    check: [
      'account:ListRegions',
      'ec2:DescribeRegions',
      'ec2:DescribeInstances',
      'ec2:DescribeVpcs',
      'ec2:DescribeVolumes',
      'ec2:DescribeNetworkInterfaces',
      'organizations:DescribeOrganization',
      'organizations:ListRoots',
      'organizations:ListPoliciesForTarget',
      'organizations:ListPolicies',
      'organizations:DescribePolicy',
      'iam:GetAccountAuthorizationDetails',
      // undo's reads: where the SCP it made is attached, and whether a region it disabled is back.
      'organizations:ListTargetsForPolicy',
      'account:GetRegionOptStatus',
    ],
    fix: [
      'organizations:EnablePolicyType',
      'organizations:CreatePolicy',
      'organizations:UpdatePolicy',
      'organizations:AttachPolicy',
      'iam:CreatePolicy',
      'iam:CreatePolicyVersion',
      'iam:DeletePolicyVersion',
      'iam:AttachGroupPolicy',
      'account:DisableRegion',
      // undo, newest first, each only while the guardrail is still what the fix wrote
      'organizations:DetachPolicy',
      'organizations:DeletePolicy',
      'organizations:DisablePolicyType',
      'iam:DetachGroupPolicy',
      'iam:DeletePolicy',
      'iam:SetDefaultPolicyVersion',
      'account:EnableRegion',
    ],
    grants: [
      {
        actions: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy'],
        resources: ['arn:aws:iam::*:policy/secure-start-*'],
        why: 'the only IAM policy it writes (and its undo deletes or sets back) is its own secure-start-deny-other-regions (attached to every group, so rewriting it still reaches every group member)',
      },
      {
        actions: ['iam:AttachGroupPolicy'],
        conditions: { ArnLike: { 'iam:PolicyARN': 'arn:aws:iam::*:policy/secure-start-*' } },
        why: 'the only policy it attaches is its own guardrail, to every group',
      },
      {
        actions: [
          'organizations:EnablePolicyType',
          'organizations:CreatePolicy',
          'organizations:UpdatePolicy',
          'organizations:AttachPolicy',
          'account:DisableRegion',
          'organizations:DetachPolicy',
          'organizations:DeletePolicy',
          'organizations:DisablePolicyType',
          'account:EnableRegion',
          'iam:DetachGroupPolicy',
        ],
        why:
          'the organization root, the policy id, the regions to disable and the groups are known only at run time ' +
          '(undo detaches the guardrail from the groups the fix attached it to, and only while it is still what the fix wrote)',
      },
    ],
  },
  fix: {
    kind: 'guided',
    costScale: 'free',
    cost: 'free',
    risk:
      'Every regional action outside the chosen regions is refused from then on: resources already running there keep running, ' +
      'but nobody covered by the guardrail can manage, stop or read them until the region is chosen again. ' +
      'With an organization the policy covers every member account (never the management account itself); without one, only members of IAM groups. ' +
      'Disabling an opt-in region makes whatever is in it unreachable until the region is enabled again.',
    destructive: true,
    paid: false,
  },
};

export default meta;
