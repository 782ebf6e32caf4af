import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ClientFactory } from './factory.js';

export interface CallerIdentity {
  accountId: string;
  principalArn: string;
  isRoot: boolean;
  partition: string;
}

/** `arn:aws:iam::123456789012:root` is the root user; everything else is not. */
export function parseCaller(arn: string, account: string): CallerIdentity {
  const parts = arn.split(':');
  const partition = parts[1] || 'aws';
  const resource = parts.slice(5).join(':');
  return { accountId: account, principalArn: arn, isRoot: resource === 'root', partition };
}

export async function callerIdentity(factory: ClientFactory): Promise<CallerIdentity> {
  const out = await factory.client(STSClient).send(new GetCallerIdentityCommand({}));
  if (!out.Arn || !out.Account) throw new Error('STS GetCallerIdentity returned no account');
  return parseCaller(out.Arn, out.Account);
}
