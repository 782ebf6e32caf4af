/**
 * Every regional step in the registry (a new one is covered as soon as it is registered), against
 * moto: a run with no region is refused, never a pass; and a connection reset in one region of the
 * run (a fault-injecting proxy in front of moto) is an `error` for that region, never `pass` nor
 * `unsupported`, while the other region is still read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStep } from '../../src/engine/runner.js';
import { registry } from '../../steps/index.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import type { FaultProxy } from '../helpers/fault-proxy.js';
import { motoEndpoint, resetMoto } from '../helpers/moto.js';
import { inSandbox } from '../helpers/sandbox.js';

const regional = registry.filter((e) => e.meta.scope === 'regional');
const GOOD = 'us-east-1';
const DROPPED = 'eu-west-1';

let proxy: FaultProxy;

beforeAll(async () => {
  await resetMoto();
  proxy = await startFaultProxy(motoEndpoint(), { reset: [DROPPED] });
});

afterAll(async () => {
  await proxy?.close();
});

describe('the fault proxy', () => {
  it('reads the region from the SigV4 credential scope', async () => {
    const { signedRegion } = await import('../helpers/fault-proxy.js');
    expect(signedRegion('AWS4-HMAC-SHA256 Credential=sandbox/20261204/eu-west-1/guardduty/aws4_request, SignedHeaders=host, Signature=x')).toBe('eu-west-1');
    expect(signedRegion(undefined)).toBe('');
  });
});

describe('every regional step', () => {
  it('the registry has regional steps to test', () => {
    expect(regional.map((e) => e.meta.id)).toEqual(expect.arrayContaining(['monitoring.guardduty', 'data.kms-rotation', 'monitoring.config-recorder', 'monitoring.flow-logs']));
  });

  describe.each(regional.map((e) => [e.meta.id, e] as const))('%s', (_id, entry) => {
    it('refuses an empty region set: the step is an error, never a pass', async () => {
      await inSandbox({ regions: [], keep: true }, async (ctx) => {
        const { result } = await checkStep(entry, ctx);
        expect(result.status).toBe('error');
        expect(result.findings.map((f) => f.message).join(' ')).toMatch(/no region/);
      });
    });

    it(`reports a connection reset in ${DROPPED} as an error there, and still reads ${GOOD}`, async () => {
      const before = { reset: proxy.resets(DROPPED), good: proxy.forwarded(GOOD) };
      await inSandbox({ endpoint: proxy.endpoint, regions: [GOOD, DROPPED], keep: true }, async (ctx) => {
        const { result } = await checkStep(entry, ctx);
        // The fault really happened, and the good region was really asked.
        expect(proxy.resets(DROPPED)).toBeGreaterThan(before.reset);
        expect(proxy.forwarded(GOOD)).toBeGreaterThan(before.good);
        expect(['pass', 'unsupported']).not.toContain(result.status);
        const dropped = result.findings.filter((f) => f.region === DROPPED);
        // One error per read the step makes there (a step may read the account default and the
        // instances apart): every one of them an error naming the unreachable endpoint.
        expect(dropped.length).toBeGreaterThan(0);
        expect(new Set(dropped.map((f) => f.status))).toEqual(new Set(['error']));
        for (const f of dropped) expect(f.message).toMatch(/could not be read: Could not reach /);
        // `unsupported` stays possible in the good region, where moto itself lacks an API
        // (instance metadata defaults, snapshot Block Public Access); never for the dropped one.
        expect(result.findings.filter((f) => f.status === 'unsupported' && (f.region === DROPPED || !/does not implement/.test(f.message)))).toEqual([]);
      });
    });
  });
});
