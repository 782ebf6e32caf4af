/**
 * Bounded waits and errors that name their call: the configuration every client is built with,
 * the attempts and timeouts a session chooses, and what a person reads when a call times out or
 * is refused with a bare 403.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotateError, describeError, EndpointTimeoutError, errorCode, errorKind, failedCall } from '../../src/aws/errors.js';
import { clientConfig, ClientFactory, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../../src/aws/factory.js';
import { UserError } from '../../src/engine/errors.js';
import { waitLimits } from '../../src/engine/session.js';

const base = { region: 'us-east-1', userAgent: 'test', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
const timeouts = { connectMs: 5_000, requestMs: 30_000 };
const call = { api: 's3:HeadBucket', action: 's3:ListBucket', endpoint: 'https://s3.us-east-1.amazonaws.com' };

describe('the configuration every client gets', () => {
  it('a connection and a request timeout that throw, and the standard retry mode', () => {
    const c = clientConfig(base, 'IAMClient');
    expect(c.retryMode).toBe('standard');
    expect(c.requestHandler).toEqual({
      connectionTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      socketTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
    });
    expect(DEFAULT_CONNECT_TIMEOUT_MS).toBeLessThanOrEqual(10_000);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBeGreaterThanOrEqual(10_000);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBeLessThan(60_000);
  });

  it('the timeouts and attempts it is given', () => {
    const c = clientConfig({ ...base, connectTimeoutMs: 1_500, requestTimeoutMs: 2_500, maxAttempts: 4 }, 'STSClient');
    expect(c.requestHandler).toMatchObject({ connectionTimeout: 1_500, requestTimeout: 2_500, socketTimeout: 2_500 });
    expect(c.maxAttempts).toBe(4);
  });

  it('no maxAttempts of its own when none is given: the SDK default (AWS_MAX_ATTEMPTS, the profile, or 3)', async () => {
    expect(clientConfig(base, 'IAMClient')).not.toHaveProperty('maxAttempts');
    const { IAMClient } = await import('@aws-sdk/client-iam');
    const saved = process.env.AWS_MAX_ATTEMPTS;
    delete process.env.AWS_MAX_ATTEMPTS;
    const factory = new ClientFactory(base);
    try {
      expect(await factory.client(IAMClient).config.maxAttempts()).toBe(3);
    } finally {
      factory.destroy();
      if (saved !== undefined) process.env.AWS_MAX_ATTEMPTS = saved;
    }
  });

  // That the handler really applies the timeouts: "a call to an endpoint that never answers", below.
  it('a built client has the standard retry mode and the attempts given', async () => {
    const { STSClient } = await import('@aws-sdk/client-sts');
    const factory = new ClientFactory({ ...base, connectTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 3 });
    try {
      const client = factory.client(STSClient);
      expect(client.config.retryMode).toBe('standard');
      expect(await client.config.maxAttempts()).toBe(3);
    } finally {
      factory.destroy();
    }
  });
});

describe('the waits and attempts a session chooses', () => {
  it('defaults: 5 s to connect, 30 s for an answer; the SDK default attempts against AWS, 3 against a custom endpoint', () => {
    expect(waitLimits({}, {})).toEqual({ connectTimeoutMs: 5_000, requestTimeoutMs: 30_000 });
    expect(waitLimits({ endpoint: 'http://127.0.0.1:5000' }, {})).toEqual({ connectTimeoutMs: 5_000, requestTimeoutMs: 30_000, maxAttempts: 3 });
  });

  it('SECURE_START_CONNECT_TIMEOUT and SECURE_START_REQUEST_TIMEOUT in seconds; AWS_MAX_ATTEMPTS still overrides', () => {
    const env = { SECURE_START_CONNECT_TIMEOUT: '2', SECURE_START_REQUEST_TIMEOUT: '0.5', AWS_MAX_ATTEMPTS: '1' };
    expect(waitLimits({ endpoint: 'http://127.0.0.1:5000' }, env)).toEqual({ connectTimeoutMs: 2_000, requestTimeoutMs: 500, maxAttempts: 1 });
    expect(waitLimits({}, { AWS_MAX_ATTEMPTS: '7' }).maxAttempts).toBe(7);
    expect(waitLimits({ maxAttempts: 2 }, { AWS_MAX_ATTEMPTS: '7' }).maxAttempts).toBe(2);
  });

  it.each([
    [{ SECURE_START_REQUEST_TIMEOUT: 'soon' }, /SECURE_START_REQUEST_TIMEOUT=soon is not a number of seconds/],
    [{ SECURE_START_CONNECT_TIMEOUT: '0' }, /SECURE_START_CONNECT_TIMEOUT=0 is not a number of seconds/],
    [{ SECURE_START_CONNECT_TIMEOUT: '-3' }, /SECURE_START_CONNECT_TIMEOUT=-3/],
    [{ AWS_MAX_ATTEMPTS: 'many' }, /AWS_MAX_ATTEMPTS=many is not a whole number/],
  ])('%j is refused with a message', (env, message) => {
    expect(() => waitLimits({}, env)).toThrow(UserError);
    expect(() => waitLimits({}, env)).toThrow(message);
  });
});

describe('errors that name their call', () => {
  const bare403 = () => Object.assign(new Error('UnknownError'), { name: 'UnknownError', $metadata: { httpStatusCode: 403 } });

  it.each(['UnknownError', 'Unknown', 'Error', 'Forbidden', '403'])('a 403 whose code is %j is AccessDenied', (name) => {
    const err = Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 403 } });
    expect(errorKind(err)).toBe('access-denied');
    expect(errorCode(err)).toBe('AccessDenied');
  });

  it('a bare 403 from the factory gets the name AccessDenied, and its message names the call and the permission', () => {
    const err = annotateError(bare403(), call, timeouts) as Error;
    expect(err.name).toBe('AccessDenied');
    expect(failedCall(err)).toEqual(call);
    const msg = describeError(err, { permissions: ['cloudtrail:DescribeTrails', 's3:ListBucket'] });
    expect(msg).toBe('Access denied: s3:HeadBucket (HTTP 403 with no error code). It needs: s3:ListBucket. Run `secure-start policy` for the policy to grant.');
    expect(msg).not.toMatch(/UnknownError/);
  });

  it('a 403 with a message but no code keeps its message', () => {
    const moto = Object.assign(new Error('User: arn:aws:iam::123456789012:user/a is not authorized to perform: account:GetAlternateContact'), {
      name: '403',
      $metadata: { httpStatusCode: 403 },
    });
    const err = annotateError(moto, { api: 'account:GetAlternateContact', action: 'account:GetAlternateContact' }, timeouts) as Error;
    expect(err.name).toBe('AccessDenied');
    expect(describeError(err)).toMatch(/^Access denied: account:GetAlternateContact \(User: arn:aws:iam::123456789012:user\/a is not authorized/);
  });

  it('an error a step wraps (new Error(…, { cause })) keeps the kind and the call of what it wraps', () => {
    const inner = annotateError(bare403(), call, timeouts);
    const wrapped = new Error('The logging bucket answers 403', { cause: inner });
    expect(errorKind(wrapped)).toBe('access-denied');
    expect(describeError(wrapped)).toBe('Access denied: s3:HeadBucket (The logging bucket answers 403). It needs: s3:ListBucket. Run `secure-start policy` for the policy to grant.');
  });

  it('the HTTP handler timeouts become one sentence: the call, the endpoint and the wait', () => {
    const request = Object.assign(new Error('@smithy/node-http-handler - [ERROR] a request has exceeded the configured 30000 ms requestTimeout.'), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
      $metadata: { attempts: 3 },
    });
    const answer = annotateError(request, { ...call, api: 'sts:GetCallerIdentity', endpoint: 'http://127.0.0.1:4566' }, timeouts);
    expect(answer).toBeInstanceOf(EndpointTimeoutError);
    expect((answer as Error).message).toBe('sts:GetCallerIdentity got no answer from http://127.0.0.1:4566 within 30 s, 3 attempts');
    expect(errorKind(answer)).toBe('network');
    expect(describeError(answer)).toBe('sts:GetCallerIdentity got no answer from http://127.0.0.1:4566 within 30 s, 3 attempts.');
    const connect = Object.assign(
      new Error('@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 5000 ms.'),
      { name: 'TimeoutError' },
    );
    expect((annotateError(connect, call, timeouts) as Error).message).toBe('s3:HeadBucket could not connect to https://s3.us-east-1.amazonaws.com within 5 s');
  });

  it('a connection reset (which the handler also names TimeoutError) stays what it is', () => {
    const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    const out = annotateError(reset, call, timeouts);
    expect(out).toBe(reset);
    expect(errorKind(out)).toBe('network');
    expect(describeError(out)).toBe('Could not reach https://s3.us-east-1.amazonaws.com for s3:HeadBucket (socket hang up).');
  });
});

describe('a call to an endpoint that never answers', () => {
  let url: string;
  const sockets = new Set<Socket>();
  const server = createServer(() => undefined);
  beforeAll(async () => {
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('ends in a TimeoutError naming the operation and the endpoint, in the time given', async () => {
    const { GetAccountPasswordPolicyCommand, IAMClient } = await import('@aws-sdk/client-iam');
    const factory = new ClientFactory({ ...base, endpoint: url, maxAttempts: 1, requestTimeoutMs: 300 });
    const started = Date.now();
    try {
      const err = await factory.client(IAMClient).send(new GetAccountPasswordPolicyCommand({})).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(EndpointTimeoutError);
      expect((err as Error).message).toBe(`iam:GetAccountPasswordPolicy got no answer from ${url} within 0.3 s`);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      factory.destroy();
    }
  });
});
