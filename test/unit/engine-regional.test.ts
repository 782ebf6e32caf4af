/**
 * The one rule for a region a regional step could not read (src/engine/regional.ts): `unsupported`
 * only on the endpoint's own word, `error` for everything else.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MutationBlockedError } from '../../src/aws/errors.js';
import { eachRegion, regionFailure, regionFailureStatus } from '../../src/engine/regional.js';

const net = (code: string, message = `connect ${code}`) => Object.assign(new Error(message), { code });
const aws = (name: string, status: number, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const ctx = { region: 'eu-west-1', resource: 'arn:aws:guardduty:eu-west-1:123456789012:detector/*', service: 'GuardDuty', permissions: ['guardduty:ListDetectors'] };

describe('regionFailure', () => {
  it.each([
    ['a connection reset', net('ECONNRESET', 'read ECONNRESET')],
    ['a DNS failure', net('ENOTFOUND', 'getaddrinfo ENOTFOUND guardduty.eu-west-1.amazonaws.com')],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['a refused connection', net('ECONNREFUSED')],
    ['throttling that outlasted the retries', aws('ThrottlingException', 400, 'Rate exceeded')],
    ['a 500', aws('InternalServerErrorException', 500, 'Internal error')],
    ['a 503', aws('ServiceUnavailableException', 503, 'Service unavailable')],
    ['access denied', aws('AccessDeniedException', 403, 'not authorized')],
    ['a region not enabled for the account', aws('UnrecognizedClientException', 400, 'The security token included in the request is invalid')],
  ])('%s is an error for that region, never unsupported', (_what, err) => {
    expect(regionFailureStatus(err, ctx)).toBe('error');
    const f = regionFailure(err, ctx);
    expect(f).toMatchObject({ status: 'error', region: 'eu-west-1', resource: ctx.resource });
    expect(f.message).toMatch(/^GuardDuty in eu-west-1 could not be read: /);
  });

  it('names the cause of a network failure and the opt-in way out for a region not enabled', () => {
    expect(regionFailure(net('ECONNRESET', 'read ECONNRESET'), ctx).message).toContain('Could not reach the AWS endpoint (read ECONNRESET)');
    expect(regionFailure(aws('UnrecognizedClientException', 400), ctx).message).toMatch(/opt-in region that is not enabled/);
    expect(regionFailure(aws('AccessDeniedException', 403), ctx).message).toContain('guardduty:ListDetectors');
  });

  it.each([
    ['NotImplemented', aws('NotImplemented', 501, 'not implemented')],
    ['UnknownOperationException', aws('UnknownOperationException', 400)],
    ["an emulator's 500 NotImplementedError", aws('InternalFailure', 500, 'The get_detector action has not been implemented')],
  ])("is unsupported when the endpoint says it lacks the API (%s)", (_what, err) => {
    expect(regionFailure(err, ctx)).toMatchObject({ status: 'unsupported', region: 'eu-west-1' });
  });

  it("is unsupported when the region is not in the service's list of regions, whatever the error", () => {
    const f = regionFailure(net('ENOTFOUND'), { ...ctx, region: 'ap-east-2', offered: ['us-east-1', 'eu-west-1'] });
    expect(f).toMatchObject({ status: 'unsupported', region: 'ap-east-2' });
    expect(f.message).toMatch(/not offered in ap-east-2/);
    expect(regionFailure(net('ENOTFOUND'), { ...ctx, offered: ['us-east-1', 'eu-west-1'] }).status).toBe('error');
  });

  it('throws on a mutation refused during a check: a bug in the step, not a property of the region', () => {
    expect(() => regionFailure(new MutationBlockedError('guardduty', 'CreateDetector'), ctx)).toThrow(MutationBlockedError);
  });

  it('is part of the step kit: it imports nothing from steps/', async () => {
    const source = await readFile(new URL('../../src/engine/regional.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from '[^']*steps\//);
  });
});

describe('eachRegion', () => {
  const ctx = { regions: async () => ['us-east-1', 'eu-west-1', 'ap-south-1'] };
  const failure = (region: string) => ({ resource: `arn:aws:ec2:${region}:1:vpc/*`, service: 'Amazon EC2', permissions: ['ec2:DescribeVpcs'] });

  it('keeps the run’s region order, and a region that throws is one finding while the others report', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const out = await eachRegion(
      ctx,
      async (region) => {
        if (region === 'eu-west-1') throw reset;
        await new Promise((r) => setTimeout(r, region === 'us-east-1' ? 20 : 0));
        return [{ status: 'pass', resource: region, region, message: `ok in ${region}` }];
      },
      failure,
    );
    expect(out.map((f) => `${f.region} ${f.status}`)).toEqual(['us-east-1 pass', 'eu-west-1 error', 'ap-south-1 pass']);
    expect(out[1]).toMatchObject({ resource: 'arn:aws:ec2:eu-west-1:1:vpc/*', message: expect.stringContaining('Amazon EC2 in eu-west-1 could not be read') });
  });

  it('never reads more regions at once than asked', async () => {
    let now = 0;
    let most = 0;
    await eachRegion(
      ctx,
      async () => {
        most = Math.max(most, ++now);
        await new Promise((r) => setTimeout(r, 10));
        now--;
        return [];
      },
      failure,
      2,
    );
    expect(most).toBe(2);
  });
});
