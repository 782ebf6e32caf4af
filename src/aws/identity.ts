import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ForeignAnswerError } from './errors.js';
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
  // A 200 that parsed (a well-formed HTML or XML page) but holds no caller: not an AWS answer.
  if (!out.Arn || !out.Account) throw new ForeignAnswerError('sts:GetCallerIdentity returned no account and no ARN');
  return parseCaller(out.Arn, out.Account);
}
