/**
 * infrastructure.ddos-protection against moto: no Shield Advanced subscription (DescribeSubscription
 * answers ResourceNotFound) means Shield Standard and a decision to make (manual); a subscription
 * passes. Advice only: nothing is ever planned, and nothing subscribes.
 */
import { CreateSubscriptionCommand, ShieldClient } from '@aws-sdk/client-shield';
import { describe, expect, it } from 'vitest';
import { planStep } from '../../src/engine/runner.js';
import step, { shieldRegion, subscriptionFinding } from '../../steps/infrastructure/ddos-protection/index.js';
import { checkedWith, recordCheckAndPlan, runStepCases, SANDBOX_ACCOUNT_ID } from '../helpers/step-tester.js';

const RESOURCE = `arn:aws:shield::${SANDBOX_ACCOUNT_ID}:subscription`;

runStepCases(step, [
  {
    name: 'no Shield Advanced subscription: Shield Standard, and a decision to make',
    expectStatus: 'manual',
    expectFindings: [
      {
        status: 'manual',
        resource: RESOURCE,
        region: 'global',
        message: expect.stringMatching(/^This account has Shield Standard \(free, always on.*Advanced costs about \$3,000 a month with a one-year commitment\), and record that decision\.$/),
      },
    ],
  },
  {
    // moto answers DescribeSubscription after CreateSubscription with a body the SDK cannot parse; the pass is in test/unit/step-ddos-protection.test.ts (SDK stub).
    name: 'a subscription moto describes in a form the SDK cannot read is an error, never a pass',
    seed: async (ctx) => void (await ctx.client(ShieldClient, 'us-east-1').send(new CreateSubscriptionCommand({}))),
    expectStatus: 'error',
    expectFindings: [{ status: 'error', resource: RESOURCE, region: 'global', message: expect.stringMatching(/^AWS Shield could not be read: /) }],
  },
]);

describe('infrastructure.ddos-protection: the advice', () => {
  it('plans nothing and explains Standard, Advanced at about $3,000 a month for a year, and how to decide', async () => {
    const { ctx, checked } = await checkedWith(step, async () => undefined);
    const plan = await planStep(checked, ctx, undefined);
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toMatch(/\*\*Shield Standard\*\* is on for every AWS account at no charge/);
    expect(plan.guidance).toMatch(/about \$3,000 a month per organization .* with a \*\*one-year commitment\*\*, plus a data-transfer fee/);
    expect(plan.guidance).toMatch(/this tool never subscribes/);
    expect(plan.cost).toMatchObject({ scale: 'dollars' });
    ctx.factory.destroy();
  });

  it('one read, DescribeSubscription, in us-east-1', async () => {
    const { sent } = await recordCheckAndPlan(step);
    expect(sent).toEqual(['Shield:DescribeSubscription']);
    expect(shieldRegion('aws', 'eu-west-1')).toBe('us-east-1');
  });

  it('an ended subscription is back to Standard: a decision again', () => {
    const ended = subscriptionFinding({ EndTime: new Date('2025-01-01T00:00:00Z'), SubscriptionLimits: undefined }, RESOURCE);
    expect(ended).toMatchObject({ status: 'manual', message: expect.stringContaining('ended on 2025-01-01') });
  });
});
