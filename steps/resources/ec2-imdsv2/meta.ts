import type { StepMeta } from '../../../src/engine/step-kit.js';

/** Plain data, loaded eagerly by the registry: no AWS SDK import here. */
const meta: StepMeta = {
  id: 'resources.ec2-imdsv2',
  area: 'resources',
  title: 'Instances and the account default require IMDSv2 (the token-protected instance metadata service)',
  severity: 'high',
  scope: 'regional',
  references: {
    cis: ['6.7'],
    fsbp: ['EC2.8'],
    docs: [
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html',
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-transition-to-version-2.html',
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html#set-imdsv2-account-defaults',
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html#ec2-metadatanotoken',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-8',
    ],
  },
  lesson: 'resources/ec2-imdsv2.md',
  permissions: {
    check: ['ec2:GetInstanceMetadataDefaults', 'ec2:DescribeInstances', 'cloudwatch:GetMetricData'],
    fix: ['ec2:ModifyInstanceMetadataDefaults', 'ec2:ModifyInstanceMetadataOptions'],
    grants: [
      { actions: ['ec2:ModifyInstanceMetadataOptions'], why: 'the instances are whichever the account has' },
      { actions: ['ec2:ModifyInstanceMetadataDefaults'], why: 'the account default has no resource ARN' },
    ],
  },
  fix: {
    kind: 'auto',
    costScale: 'free',
    cost: 'free',
    risk:
      'Software that reads instance metadata without a token (AWS SDKs and CLI older than 2019, some agents, scripts that curl ' +
      '169.254.169.254) gets HTTP 401 and may lose its credentials. Instances that made IMDSv1 calls in the last 14 days are changed ' +
      'only when named (default No); the account default affects only instances launched afterwards.',
    destructive: false,
    destructiveWhen: 'for an instance that still makes IMDSv1 calls',
    paid: false,
  },
};

export default meta;
