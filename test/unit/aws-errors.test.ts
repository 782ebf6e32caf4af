import { describe, expect, it } from 'vitest';
import { describeError, errorKind, MutationBlockedError } from '../../src/aws/errors.js';
import { ClientFactory, isReadOnlyOperation } from '../../src/aws/factory.js';
import { parseCaller } from '../../src/aws/identity.js';
import { isRegionName } from '../../src/aws/regions.js';

const awsError = (name: string, status?: number, message = 'boom') =>
  Object.assign(new Error(message), { name, $metadata: status ? { httpStatusCode: status } : {} });

describe('AWS error classification', () => {
  it.each([
    [awsError('AccessDenied', 403), 'access-denied'],
    [awsError('AccessDeniedException', 400), 'access-denied'],
    [awsError('403', 403), 'access-denied'],
    [awsError('ThrottlingException', 400), 'throttled'],
    [awsError('Throttling', 400), 'throttled'],
    [awsError('SlowDown', 503), 'throttled'],
    [awsError('NotImplemented', 501), 'unsupported'],
    [awsError('UnknownError', 404), 'unsupported'],
    [awsError('InternalFailure', 500, 'The get_account_password_policy action has not been implemented'), 'unsupported'],
    [awsError('SyntaxError', 404, "Unexpected token '<'\n  Deserialization error: to see the raw response…"), 'unsupported'],
    [awsError('Error', 500, '@aws-sdk XML parse error: mismatched tags\n  Deserialization error: …'), 'unsupported'],
    [awsError('InternalError', 500, 'We encountered an internal error'), 'other'],
    [awsError('ExpiredTokenException', 400), 'credentials'],
    [awsError('InvalidClientTokenId', 403), 'credentials'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), 'network'],
    [awsError('NoSuchEntity', 404, 'The policy was not found'), 'other'],
    [new MutationBlockedError('IAM', 'CreateUser'), 'blocked'],
  ])('%s → %s', (err, kind) => {
    expect(errorKind(err)).toBe(kind);
  });

  it('names the missing permissions on AccessDenied and says how to get them', () => {
    const msg = describeError(awsError('AccessDenied', 403, 'User is not authorized'), { permissions: ['iam:GetAccountPasswordPolicy'] });
    expect(msg).toContain('iam:GetAccountPasswordPolicy');
    expect(msg).toContain('secure-start policy');
  });

  it('keeps messages to one line', () => {
    expect(describeError(awsError('Weird', 500, 'first line\n    at stack frame'))).toBe('Weird: first line');
  });
});

describe('read-only guard', () => {
  it.each(['GetAccountPasswordPolicy', 'ListUsers', 'DescribeRegions', 'GenerateCredentialReport', 'HeadBucket'])('%s is a read', (op) => {
    expect(isReadOnlyOperation(op)).toBe(true);
  });
  it.each(['UpdateAccountPasswordPolicy', 'PutAlternateContact', 'DeleteUser', 'CreateBucket', 'EnableKeyRotation', 'AttachUserPolicy'])('%s is refused', (op) => {
    expect(isReadOnlyOperation(op)).toBe(false);
  });

  it('refuses a mutating command before anything is sent', async () => {
    const { IAMClient, UpdateAccountPasswordPolicyCommand } = await import('@aws-sdk/client-iam');
    const sent: string[] = [];
    // An endpoint nothing listens on: a request that got out would fail with a network error instead.
    const factory = new ClientFactory({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
      maxAttempts: 1,
      userAgent: 'test',
      onRequest: (s, o) => sent.push(`${s}:${o}`),
    });
    await expect(factory.client(IAMClient).send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 14 }))).rejects.toBeInstanceOf(MutationBlockedError);
    expect(sent).toEqual([]);
    factory.readOnly = false;
    await expect(factory.client(IAMClient).send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 14 }))).rejects.toThrow(/ECONNREFUSED|connect/);
    expect(sent).toEqual(['IAM:UpdateAccountPasswordPolicy']);
    factory.destroy();
  });

  it('gives one client per class and region', async () => {
    const { IAMClient } = await import('@aws-sdk/client-iam');
    const factory = new ClientFactory({ region: 'us-east-1', userAgent: 'test', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(factory.client(IAMClient)).toBe(factory.client(IAMClient, 'us-east-1'));
    expect(factory.client(IAMClient, 'eu-west-1')).not.toBe(factory.client(IAMClient));
    factory.destroy();
  });
});

describe('caller identity', () => {
  it('recognises the root user', () => {
    expect(parseCaller('arn:aws:iam::123456789012:root', '123456789012')).toEqual({
      accountId: '123456789012',
      principalArn: 'arn:aws:iam::123456789012:root',
      isRoot: true,
      partition: 'aws',
    });
  });
  it.each(['arn:aws:iam::123456789012:user/root', 'arn:aws:sts::123456789012:assumed-role/Admin/root', 'arn:aws-us-gov:iam::123456789012:user/alice'])(
    '%s is not root',
    (arn) => {
      expect(parseCaller(arn, '123456789012').isRoot).toBe(false);
    },
  );
  it('keeps the partition', () => {
    expect(parseCaller('arn:aws-cn:iam::123456789012:user/a', '123456789012').partition).toBe('aws-cn');
  });
});

describe('region names', () => {
  it.each(['us-east-1', 'eu-central-2', 'ap-southeast-4', 'us-gov-west-1', 'il-central-1'])('%s is a region', (r) => expect(isRegionName(r)).toBe(true));
  it.each(['us-east', 'US-EAST-1', 'mars-north-1x', '', 'us-east-1;rm'])('%j is not', (r) => expect(isRegionName(r)).toBe(false));
});
