/**
 * The IAM action an SDK call needs: `<prefix>:<Operation>` for most services, with the few
 * names that differ. Used to prove that steps declare every permission they use.
 */

const PREFIX: Record<string, string> = {
  SSOAdmin: 'sso',
  IdentitystoreClient: 'identitystore',
  Identitystore: 'identitystore',
  CloudWatchLogs: 'logs',
  EventBridge: 'events',
  CloudWatchEvents: 'events',
  ConfigService: 'config',
  NetworkFirewall: 'network-firewall',
  S3Control: 's3',
  ElasticLoadBalancingV2: 'elasticloadbalancing',
};

/** Operations whose IAM action has another name. */
const RENAMED: Record<string, string> = {
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3control:GetPublicAccessBlock': 's3:GetAccountPublicAccessBlock',
  's3control:PutPublicAccessBlock': 's3:PutAccountPublicAccessBlock',
  's3control:DeletePublicAccessBlock': 's3:PutAccountPublicAccessBlock',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:PutBucketEncryption': 's3:PutEncryptionConfiguration',
  's3:DeleteBucketEncryption': 's3:PutEncryptionConfiguration',
  's3:DeletePublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
};

/** `clientName` as the SDK reports it (IAMClient, SSOAdminClient…), with or without "Client". */
export function iamActionFor(clientName: string, operation: string): string {
  const client = clientName.replace(/Client$/, '');
  const prefix = PREFIX[client] ?? client.toLowerCase();
  const key = `${client === 'S3Control' ? 's3control' : prefix}:${operation}`;
  return RENAMED[key] ?? `${prefix}:${operation}`;
}

/** The call as a person reads it in a message: `sts:GetCallerIdentity`, `s3:HeadBucket` (not renamed). */
export function apiName(clientName: string, operation: string): string {
  const client = clientName.replace(/Client$/, '');
  return `${client === 'S3Control' ? 's3control' : (PREFIX[client] ?? client.toLowerCase())}:${operation}`;
}

type Input = Record<string, unknown>;

/** A non-empty list (or a non-empty string) at `key` of the request. */
const given =
  (key: string) =>
  (input: Input): boolean => {
    const v = input[key];
    return Array.isArray(v) ? v.length > 0 : typeof v === 'string' ? v !== '' : v !== undefined && v !== null;
  };

/**
 * Permissions a call needs that its own IAM action does not name: AWS authorizes them as well when
 * the request has that shape, and moto checks none of them. `call` is the IAM action of the request
 * (as iamActionFor names it); `when` narrows it to requests of that shape (absent: always).
 * One table for the whole tool: the steps' `permissions.fix` lists these, and the permission test
 * expects exactly the sent calls plus what this table adds for them.
 */
export interface ImpliedPermission {
  call: string;
  when?: (input: Input) => boolean;
  actions: string[];
  why: string;
  /** The resource AWS authorizes the implied actions on, when the request names it (the role passed). */
  resource?: (input: Input) => string | undefined;
  /** Condition keys AWS sets for the implied actions (iam:PassedToService…), for tests of the printed policy. */
  context?: Record<string, string>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** EC2's tag-on-create: the tags of an EC2 create call are authorized as ec2:CreateTags, with the call named in ec2:CreateAction. */
function ec2TagOnCreate(operation: string): ImpliedPermission {
  return {
    call: `ec2:${operation}`,
    when: given('TagSpecifications'),
    actions: ['ec2:CreateTags'],
    why: 'EC2 authorizes TagSpecifications as ec2:CreateTags',
    context: { 'ec2:CreateAction': operation },
  };
}

export const IMPLIED: readonly ImpliedPermission[] = [
  // Tag-on-create: tags given in a create call are authorized as the service's tagging action.
  ec2TagOnCreate('CreateFlowLogs'),
  ec2TagOnCreate('CreateVpcEndpoint'),
  { call: 'iam:CreateRole', when: given('Tags'), actions: ['iam:TagRole'], why: 'tags on a new role are authorized as iam:TagRole' },
  { call: 'iam:CreateUser', when: given('Tags'), actions: ['iam:TagUser'], why: 'tags on a new user are authorized as iam:TagUser' },
  { call: 'iam:CreatePolicy', when: given('Tags'), actions: ['iam:TagPolicy'], why: 'tags on a new policy are authorized as iam:TagPolicy' },
  { call: 'iam:CreateVirtualMFADevice', when: given('Tags'), actions: ['iam:TagMFADevice'], why: 'tags on a new MFA device are authorized as iam:TagMFADevice' },
  { call: 'sns:CreateTopic', when: given('Tags'), actions: ['sns:TagResource'], why: 'tags on a new topic are authorized as sns:TagResource' },
  { call: 'kms:CreateKey', when: given('Tags'), actions: ['kms:TagResource'], why: 'tags on a new key are authorized as kms:TagResource' },
  { call: 'events:PutRule', when: given('Tags'), actions: ['events:TagResource'], why: 'tags on a new rule are authorized as events:TagResource' },
  { call: 'logs:CreateLogGroup', when: given('tags'), actions: ['logs:TagResource'], why: 'tags on a new log group are authorized as logs:TagResource' },
  { call: 'guardduty:CreateDetector', when: given('Tags'), actions: ['guardduty:TagResource'], why: 'tags on a new detector are authorized as guardduty:TagResource' },
  { call: 'cloudtrail:CreateTrail', when: given('TagsList'), actions: ['cloudtrail:AddTags'], why: 'tags on a new trail are authorized as cloudtrail:AddTags' },
  { call: 'cloudwatch:PutMetricAlarm', when: given('Tags'), actions: ['cloudwatch:TagResource'], why: 'tags on a new alarm are authorized as cloudwatch:TagResource' },
  { call: 'organizations:CreatePolicy', when: given('Tags'), actions: ['organizations:TagResource'], why: 'tags on a new policy are authorized as organizations:TagResource' },
  // Passing a role to a service.
  {
    call: 'config:PutConfigurationRecorder',
    when: (i) => given('roleARN')((i.ConfigurationRecorder ?? {}) as Input),
    actions: ['iam:PassRole'],
    why: 'the recorder is handed its role',
    resource: (i) => str((i.ConfigurationRecorder as Input | undefined)?.roleARN),
    context: { 'iam:PassedToService': 'config.amazonaws.com' },
  },
  ...(['cloudtrail:CreateTrail', 'cloudtrail:UpdateTrail'] as const).map(
    (call): ImpliedPermission => ({
      call,
      when: given('CloudWatchLogsRoleArn'),
      actions: ['iam:PassRole'],
      why: 'the trail is handed the role that writes its events to CloudWatch Logs',
      resource: (i) => str(i.CloudWatchLogsRoleArn),
      context: { 'iam:PassedToService': 'cloudtrail.amazonaws.com' },
    }),
  ),
  {
    call: 'events:PutTargets',
    when: (i) => Array.isArray(i.Targets) && i.Targets.some((t) => given('RoleArn')((t ?? {}) as Input)),
    actions: ['iam:PassRole'],
    why: 'a cross-region target is handed the role that forwards events',
    resource: (i) => (Array.isArray(i.Targets) ? i.Targets.map((t) => str((t as Input | undefined)?.RoleArn)).find(Boolean) : undefined),
    context: { 'iam:PassedToService': 'events.amazonaws.com' },
  },
  {
    call: 'ec2:CreateFlowLogs',
    when: given('DeliverLogsPermissionArn'),
    actions: ['iam:PassRole'],
    why: 'delivery to CloudWatch Logs is handed its role',
    resource: (i) => str(i.DeliverLogsPermissionArn),
    context: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' },
  },
  {
    call: 'backup:CreateBackupSelection',
    actions: ['iam:PassRole'],
    why: 'the selection is handed the role AWS Backup uses to back up what it selects',
    resource: (i) => str((i.BackupSelection as Input | undefined)?.IamRoleArn),
    context: { 'iam:PassedToService': 'backup.amazonaws.com' },
  },
  {
    call: 'ec2:AssociateIamInstanceProfile',
    actions: ['iam:PassRole'],
    why: 'the instance is handed the role of the instance profile',
    context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
  },
  {
    call: 'iam:AddRoleToInstanceProfile',
    actions: ['iam:PassRole'],
    why: 'putting a role in an instance profile passes the role (to EC2)',
    resource: (i) => (str(i.RoleName) ? `arn:aws:iam::*:role/${str(i.RoleName)}` : undefined),
    context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
  },
  // Work a service does in the caller's name.
  {
    call: 'ec2:CreateFlowLogs',
    when: (i) => i.LogDestinationType === 's3',
    actions: ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery'],
    why: 'delivery to S3 is set up by CloudWatch Logs vended-log delivery, authorized as the caller',
  },
  {
    call: 'ec2:CreateInstanceConnectEndpoint',
    actions: ['ec2:CreateNetworkInterface', 'iam:CreateServiceLinkedRole'],
    why: 'the endpoint is a network interface in the subnet, managed through the service-linked role AWSServiceRoleForEC2InstanceConnect',
    context: { 'iam:AWSServiceName': 'ec2-instance-connect.amazonaws.com' },
  },
  ec2TagOnCreate('CreateInstanceConnectEndpoint'),
  {
    call: 'guardduty:CreateDetector',
    actions: ['iam:CreateServiceLinkedRole'],
    why: 'the first detector creates the service-linked role AWSServiceRoleForAmazonGuardDuty',
    context: { 'iam:AWSServiceName': 'guardduty.amazonaws.com' },
  },
];

/** The rules of IMPLIED that apply to one request (none for most). */
export function impliedBy(action: string, input: unknown): ImpliedPermission[] {
  const i = (typeof input === 'object' && input !== null ? input : {}) as Input;
  return IMPLIED.filter((r) => r.call === action && (!r.when || r.when(i)));
}
