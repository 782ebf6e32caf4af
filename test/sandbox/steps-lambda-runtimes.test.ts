/**
 * resources.lambda-runtimes against moto. The fix is advice (no API change), and the StepTester
 * only takes failing cases that plan operations, so its table holds the passing and `manual`
 * cases; the failing ones run check → plan → (the person updates the runtime by hand) → re-check below.
 * moto accepts deprecated runtimes (python3.7, nodejs14.x) on create, which the real service refuses.
 */
import { LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import step, { clock, DAY_ONE_LEGACY_FUNCTION } from '../../steps/resources/lambda-runtimes/index.js';
import { ensureDayOneRole, ensureFunction } from '../../steps/resources/_shared/lambda-fixtures.js';
import { resetMoto } from '../helpers/moto.js';
import { checkedWith, makeSandboxContext, recordCheckAndPlan, runStepCases, SANDBOX_ACCOUNT_ID } from '../helpers/step-tester.js';

const arn = (name: string, region = 'us-east-1') => `arn:aws:lambda:${region}:${SANDBOX_ACCOUNT_ID}:function:${name}`;
const realNow = clock.now;

function functions(...fs: { name: string; runtime: string; region?: string }[]) {
  return async (ctx: RunContext) => {
    const role = await ensureDayOneRole(ctx);
    for (const f of fs) await ensureFunction(ctx.client(LambdaClient, f.region ?? 'us-east-1'), { name: f.name, role, runtime: f.runtime });
  };
}

/** The check judges against today; the table pins it so the verdicts do not move with the calendar. */
const on = (day: string) => () => {
  clock.now = () => new Date(`${day}T12:00:00Z`);
};

describe('pinned to 2026-12-04', () => {
  beforeAll(on('2026-12-04'));
  afterAll(() => {
    clock.now = realNow;
  });
  runStepCases(step, [
    {
      name: 'no functions: passes with one finding per region',
      regions: ['us-east-1', 'eu-west-1'],
      expectStatus: 'pass',
      expectFindings: [
        { status: 'pass', region: 'us-east-1', message: 'No Lambda functions in us-east-1.' },
        { status: 'pass', region: 'eu-west-1', message: 'No Lambda functions in eu-west-1.' },
      ],
    },
    {
      name: 'supported runtimes pass, naming the date support ends',
      seed: functions({ name: 'ss-api', runtime: 'python3.14' }, { name: 'ss-web', runtime: 'nodejs24.x' }),
      expectStatus: 'pass',
      expectFindings: [
        { status: 'pass', resource: arn('ss-api'), message: 'Function ss-api (us-east-1) runs python3.14 (Python 3.14), supported until 2029-06-30.' },
        { status: 'pass', resource: arn('ss-web'), message: 'Function ss-web (us-east-1) runs nodejs24.x (Node.js 24), supported until 2028-04-30.' },
      ],
    },
    {
      name: 'a runtime deprecated within 180 days is advice, with the date and the runtime to move to',
      seed: functions({ name: 'ss-soon', runtime: 'ruby3.3' }),
      expectStatus: 'manual',
      expectFindings: [
        {
          status: 'manual',
          advice: true,
          message: 'Function ss-soon (us-east-1) runs ruby3.3 (Ruby 3.3), whose support ends on 2027-03-31, in 117 days. Plan the move to ruby4.0.',
        },
      ],
    },
  ]);
});

describe('resources.lambda-runtimes: failing functions and the advice', () => {
  afterEach(() => {
    clock.now = realNow;
  });

  it('the day-one seed fails on python3.7; the advice names the function, the dates and the command; updating the runtime passes', async () => {
    on('2026-12-04')();
    const { ctx, checked } = await checkedWith(step, (c) => step.seed!(c));
    try {
      expect(checked.result.status).toBe('fail');
      expect(checked.result.findings).toEqual([
        expect.objectContaining({
          status: 'fail',
          resource: arn(DAY_ONE_LEGACY_FUNCTION),
          message: `Function ${DAY_ONE_LEGACY_FUNCTION} (us-east-1) runs python3.7 (Python 3.7), whose support ended on 2023-12-04: it gets no security patches. Move it to python3.14.`,
        }),
      ]);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions).toEqual([]);
      expect(plan.guidance).toContain(`- \`${DAY_ONE_LEGACY_FUNCTION}\` (us-east-1): \`python3.7\`, support ended on 2023-12-04; move to \`python3.14\`.`);
      expect(plan.guidance).toContain(`aws lambda update-function-configuration --region us-east-1 --function-name ${DAY_ONE_LEGACY_FUNCTION} --runtime python3.14`);
      expect(plan.guidance).toContain('https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html');

      // The person follows the advice by hand; the re-check passes.
      ctx.factory.readOnly = false;
      await ctx.client(LambdaClient).send(new UpdateFunctionConfigurationCommand({ FunctionName: DAY_ONE_LEGACY_FUNCTION, Runtime: 'python3.14' }));
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const after = await checkStep({ meta: step.meta, load: async () => step }, ctx);
      expect(after.result.status).toBe('pass');
      expect((await planStep(after, ctx, undefined)).guidance).toBeUndefined();
    } finally {
      ctx.factory.destroy();
    }
  });

  it('across regions, each function on an ended runtime fails in its own region; an OS-only runtime that is supported passes', async () => {
    on('2026-12-04')();
    const seed = functions(
      { name: 'ss-old-node', runtime: 'nodejs14.x', region: 'eu-west-1' },
      { name: 'ss-node20', runtime: 'nodejs20.x' },
      { name: 'ss-custom', runtime: 'provided.al2023' },
    );
    await resetMoto();
    const ctx = makeSandboxContext({ regions: ['us-east-1', 'eu-west-1'] });
    try {
      ctx.factory.readOnly = false;
      await seed(ctx);
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const findings = await step.check(ctx);
      expect(findings.map((f) => [f.region, f.status, f.message.split(':')[0]])).toEqual([
        ['us-east-1', 'pass', 'Function ss-custom (us-east-1) runs provided.al2023 (OS-only runtime (Amazon Linux 2023)), supported until 2029-06-30.'],
        ['us-east-1', 'fail', 'Function ss-node20 (us-east-1) runs nodejs20.x (Node.js 20), whose support ended on 2026-04-30'],
        ['eu-west-1', 'fail', 'Function ss-old-node (eu-west-1) runs nodejs14.x (Node.js 14), whose support ended on 2023-12-04'],
      ]);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('check and plan send one ListFunctions per region and nothing per function', async () => {
    on('2026-12-04')();
    const seed = functions(...Array.from({ length: 5 }, (_, i) => ({ name: `ss-fn-${i}`, runtime: 'python3.8' })));
    const { checked, plan, sent } = await recordCheckAndPlan(step, { seed });
    expect(checked.result.findings).toHaveLength(5);
    expect(plan.guidance).toContain('ss-fn-4');
    expect(sent).toEqual(['Lambda:ListFunctions']);
  });
});
