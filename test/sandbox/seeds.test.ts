/**
 * Seeds change an account on purpose: every step's seed refuses any target that is not the sandbox,
 * before it sends a single request. Runs over the whole registry, so a new step is covered as soon as
 * it is registered.
 */
import { describe, expect, it } from 'vitest';
import { RunContext } from '../../src/engine/context.js';
import { registry } from '../../steps/index.js';
import { makeSandboxContext } from '../helpers/step-tester.js';

const seeded = (await Promise.all(registry.map(async (e) => [e.meta.id, await e.load()] as const))).filter(([, step]) => step.seed);

describe('a seed outside the sandbox', () => {
  it('is a part of most steps (the day-one scenario is made of them)', () => {
    expect(seeded.length).toBeGreaterThan(registry.length / 2);
  });

  it.each(seeded)('%s refuses, and sends nothing', async (_id, step) => {
    const sent: string[] = [];
    const ctx = makeSandboxContext({ onRequest: (service, operation) => sent.push(`${service}:${operation}`) });
    try {
      ctx.factory.readOnly = false;
      const real = new RunContext({ ...ctx.target, sandbox: false }, ctx.factory, ctx.regions.bind(ctx));
      await expect(step.seed!(real)).rejects.toThrow(/only against the sandbox/);
      expect(sent).toEqual([]);
    } finally {
      ctx.factory.destroy();
    }
  });
});
