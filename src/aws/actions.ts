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
