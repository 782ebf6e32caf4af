/**
 * Sends an operation recorded as data (an OperationSpec: service, operation, region, params), as
 * the journal keeps it: `undo` replays a recorded inverse this way. The client comes from the
 * run's one factory, so the read-only guard, endpoint and credentials apply as to any other call.
 */
import type { OperationSpec, SdkClient, StepContext } from '../engine/types.js';

type Loaded = Record<string, unknown>;

/** The SDK package (loaded only when an undo needs it) and client class of each service name the steps record. */
const CLIENTS: Record<string, { load: () => Promise<unknown>; client: string }> = {
  account: { load: () => import('@aws-sdk/client-account'), client: 'AccountClient' },
  backup: { load: () => import('@aws-sdk/client-backup'), client: 'BackupClient' },
  cloudtrail: { load: () => import('@aws-sdk/client-cloudtrail'), client: 'CloudTrailClient' },
  cloudwatch: { load: () => import('@aws-sdk/client-cloudwatch'), client: 'CloudWatchClient' },
  config: { load: () => import('@aws-sdk/client-config-service'), client: 'ConfigServiceClient' },
  ec2: { load: () => import('@aws-sdk/client-ec2'), client: 'EC2Client' },
  events: { load: () => import('@aws-sdk/client-eventbridge'), client: 'EventBridgeClient' },
  guardduty: { load: () => import('@aws-sdk/client-guardduty'), client: 'GuardDutyClient' },
  iam: { load: () => import('@aws-sdk/client-iam'), client: 'IAMClient' },
  kms: { load: () => import('@aws-sdk/client-kms'), client: 'KMSClient' },
  lambda: { load: () => import('@aws-sdk/client-lambda'), client: 'LambdaClient' },
  logs: { load: () => import('@aws-sdk/client-cloudwatch-logs'), client: 'CloudWatchLogsClient' },
  'network-firewall': { load: () => import('@aws-sdk/client-network-firewall'), client: 'NetworkFirewallClient' },
  organizations: { load: () => import('@aws-sdk/client-organizations'), client: 'OrganizationsClient' },
  rds: { load: () => import('@aws-sdk/client-rds'), client: 'RDSClient' },
  s3: { load: () => import('@aws-sdk/client-s3'), client: 'S3Client' },
  s3control: { load: () => import('@aws-sdk/client-s3-control'), client: 'S3ControlClient' },
  shield: { load: () => import('@aws-sdk/client-shield'), client: 'ShieldClient' },
  sns: { load: () => import('@aws-sdk/client-sns'), client: 'SNSClient' },
  ssm: { load: () => import('@aws-sdk/client-ssm'), client: 'SSMClient' },
};

export function canCall(service: string): boolean {
  return service in CLIENTS;
}

/**
 * Sends `spec` as recorded. Its params must be the SDK input exactly (a step whose recorded
 * inverse is for display only builds its own action instead). `global` means the home region.
 */
export async function callOperation(ctx: StepContext, spec: OperationSpec): Promise<unknown> {
  const known = CLIENTS[spec.service];
  if (!known) throw new Error(`No AWS SDK client is known for the recorded service "${spec.service}".`);
  const mod = (await known.load()) as Loaded;
  const Client = mod[known.client] as (new (config: Record<string, unknown>) => SdkClient) | undefined;
  const Command = mod[`${spec.operation}Command`] as (new (input: Record<string, unknown>) => unknown) | undefined;
  if (!Client || !Command) throw new Error(`The ${spec.service} SDK client has no ${spec.operation} operation.`);
  const client = ctx.client(Client, spec.region === 'global' ? undefined : spec.region);
  return client.send(new Command(structuredClone(spec.params)));
}
