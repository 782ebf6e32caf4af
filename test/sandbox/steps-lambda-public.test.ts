import {
  AddPermissionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { planStep } from '../../src/engine/runner.js';
import step, { DAY_ONE_OPEN_FUNCTION, DAY_ONE_OPEN_SID, DAY_ONE_URL_FUNCTION } from '../../steps/resources/lambda-public/index.js';
import { ensureDayOneRole, ensureFunction } from '../../steps/resources/_shared/lambda-fixtures.js';
import { checkedWith, inSandbox, recordCheckAndPlan, runStepCases, SANDBOX_ACCOUNT_ID } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const REMOVE = 'lambda:RemovePermission';
const URL_AUTH = 'lambda:UpdateFunctionUrlConfig';
const arn = (name: string, region = 'us-east-1') => `arn:aws:lambda:${region}:${SANDBOX_ACCOUNT_ID}:function:${name}`;

/** A function (python3.13) in `region`, with the permissions and URL given. */
function fn(name: string, opts: { region?: string; url?: 'NONE' | 'AWS_IAM'; permissions?: Omit<ConstructorParameters<typeof AddPermissionCommand>[0], 'FunctionName'>[] } = {}) {
  return async (ctx: RunContext) => {
    const lambda = ctx.client(LambdaClient, opts.region ?? 'us-east-1');
    await ensureFunction(lambda, { name, role: await ensureDayOneRole(ctx), runtime: 'python3.13' });
    if (opts.url) await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: opts.url }));
    for (const p of opts.permissions ?? []) await lambda.send(new AddPermissionCommand({ FunctionName: name, ...p }));
  };
}

const all = (...seeds: ((ctx: RunContext) => Promise<void>)[]) => async (ctx: RunContext) => {
  for (const s of seeds) await s(ctx);
};

runStepCases(step, [
  {
    name: 'no functions: passes with one finding for the region',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1', message: 'No Lambda functions in us-east-1.' }],
  },
  {
    name: 'day-one seed, both functions named: the URL requires credentials and the open statement is removed',
    seed: (ctx) => step.seed!(ctx),
    inputs: { functions: [DAY_ONE_OPEN_FUNCTION, DAY_ONE_URL_FUNCTION] },
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: arn(DAY_ONE_OPEN_FUNCTION),
        message: `Function ${DAY_ONE_OPEN_FUNCTION} (us-east-1) can be invoked by anyone: policy statement "${DAY_ONE_OPEN_SID}" allows everyone (Principal "*") lambda:InvokeFunction with no condition that limits the caller.`,
      },
      {
        status: 'fail',
        resource: arn(DAY_ONE_URL_FUNCTION),
        message: expect.stringMatching(/^Function day-one-webhook \(us-east-1\) can be invoked by anyone: its function URL https:\/\/\S+ takes requests without authentication \(AuthType NONE\)\.$/),
      },
    ],
    expectOperations: [REMOVE, URL_AUTH],
    expectFindingsAfter: [
      { status: 'pass', message: `Function ${DAY_ONE_OPEN_FUNCTION} (us-east-1) has no function URL open to anyone and no policy statement for everyone.` },
      { status: 'pass', message: expect.stringContaining('Its function URL requires AWS credentials (AuthType AWS_IAM).') },
    ],
  },
  {
    name: 'only the named function changes; the other stays public',
    seed: (ctx) => step.seed!(ctx),
    inputs: { functions: [DAY_ONE_URL_FUNCTION] },
    expectStatus: 'fail',
    expectOperations: [URL_AUTH],
    expectAfter: 'fail',
    expectFindingsAfter: [{ status: 'fail', resource: arn(DAY_ONE_OPEN_FUNCTION) }, { status: 'pass', resource: arn(DAY_ONE_URL_FUNCTION) }],
  },
  {
    name: 'statements limited by source account, source ARN or organization, a service principal and an IAM-only URL pass',
    seed: fn('ss-limited', {
      url: 'AWS_IAM',
      permissions: [
        { StatementId: 'FromMyAccount', Action: 'lambda:InvokeFunction', Principal: '*', SourceAccount: SANDBOX_ACCOUNT_ID },
        { StatementId: 'FromMyBucket', Action: 'lambda:InvokeFunction', Principal: '*', SourceArn: 'arn:aws:s3:::ss-uploads' },
        { StatementId: 'FromMyOrg', Action: 'lambda:InvokeFunction', Principal: '*', PrincipalOrgID: 'o-abc123def4' },
        { StatementId: 'FromSns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: `arn:aws:sns:us-east-1:${SANDBOX_ACCOUNT_ID}:alerts` },
      ],
    }),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', resource: arn('ss-limited'), message: expect.stringContaining('requires AWS credentials (AuthType AWS_IAM)') }],
  },
  {
    name: 'two regions: a public function in eu-west-1, named by its ARN, is closed through that region',
    regions: ['us-east-1', 'eu-west-1'],
    seed: fn('ss-eu-open', { region: 'eu-west-1', permissions: [{ StatementId: 'Anyone', Action: 'lambda:InvokeFunction', Principal: '*' }] }),
    inputs: { functions: [arn('ss-eu-open', 'eu-west-1')] },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'pass', region: 'us-east-1', message: 'No Lambda functions in us-east-1.' },
      { status: 'fail', region: 'eu-west-1', resource: arn('ss-eu-open', 'eu-west-1') },
    ],
    expectOperations: [REMOVE],
  },
  {
    name: 'of a mixed policy only the public statement is removed',
    seed: all(
      fn('ss-mixed', {
        permissions: [
          { StatementId: 'Anyone', Action: 'lambda:InvokeFunction', Principal: '*' },
          { StatementId: 'FromMyBucket', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::ss-uploads', SourceAccount: SANDBOX_ACCOUNT_ID },
        ],
      }),
    ),
    inputs: { functions: ['ss-mixed'] },
    expectStatus: 'fail',
    expectOperations: [REMOVE],
  },
]);

describe('resources.lambda-public beyond the table', () => {
  it('without names in the answers, fix --yes plans nothing and says how to name each public function', async () => {
    const { ctx, checked } = await checkedWith(step, (c) => step.seed!(c));
    try {
      const plan = await planStep(checked, ctx, { functions: [] });
      expect(plan.actions).toEqual([]);
      expect(plan.warnings).toEqual([
        expect.stringContaining(`Function ${DAY_ONE_OPEN_FUNCTION} (us-east-1) is left as it is`),
        expect.stringContaining(`"resources.lambda-public": { "functions": ["${DAY_ONE_URL_FUNCTION}", …], "apply": true }`),
      ]);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('the journal keeps the removed statement and the previous AuthType: the inverses put them back', async () => {
    const { ctx, checked } = await checkedWith(step, (c) => step.seed!(c));
    try {
      const plan = await planStep(checked, ctx, { functions: [DAY_ONE_OPEN_FUNCTION, DAY_ONE_URL_FUNCTION] });
      expect(plan.actions.map((a) => a.inverse)).toEqual([
        expect.objectContaining({
          operation: 'AddPermission',
          params: { FunctionName: DAY_ONE_OPEN_FUNCTION, StatementId: DAY_ONE_OPEN_SID, Action: 'lambda:InvokeFunction', Principal: '*' },
        }),
        expect.objectContaining({ operation: 'UpdateFunctionUrlConfig', params: { FunctionName: DAY_ONE_URL_FUNCTION, AuthType: 'NONE' } }),
      ]);
      ctx.factory.readOnly = false;
      const outputs = [];
      for (const a of plan.actions) outputs.push(await a.run(ctx));
      expect(outputs[0]).toEqual({ output: { removedStatement: expect.stringContaining(`"Sid":"${DAY_ONE_OPEN_SID}"`) } });
      expect(outputs[1]).toEqual({ output: { previousAuthType: 'NONE', url: expect.stringMatching(/^https:\/\//) } });
      // The inverse, run as an undo would, makes both public again.
      const lambda = ctx.client(LambdaClient);
      await lambda.send(new AddPermissionCommand(plan.actions[0]!.inverse!.params as never));
      await lambda.send(new UpdateFunctionUrlConfigCommand(plan.actions[1]!.inverse!.params as never));
      expect(JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: DAY_ONE_OPEN_FUNCTION }))).Policy!).Statement).toEqual([
        expect.objectContaining({ Sid: DAY_ONE_OPEN_SID, Principal: '*' }),
      ]);
      expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: DAY_ONE_URL_FUNCTION }))).AuthType).toBe('NONE');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('reads one function list per region, then two requests per function (Lambda has no batch form)', async () => {
    const seed = all(...Array.from({ length: 6 }, (_, i) => fn(`ss-bench-${i}`)));
    const rec = await recordCheckAndPlan(step, { seed });
    expect(rec.sent.filter((s) => s.endsWith(':ListFunctions'))).toHaveLength(1);
    expect(rec.sent.filter((s) => s.endsWith(':GetPolicy'))).toHaveLength(6);
    expect(rec.sent.filter((s) => s.endsWith(':GetFunctionUrlConfig'))).toHaveLength(6);
    expect(rec.checked.result.status).toBe('pass');
  });
});

describe('undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  const BOTH = { functions: [DAY_ONE_URL_FUNCTION, DAY_ONE_OPEN_FUNCTION] };
  const statementOf = async (ctx: RunContext, name: string, sid: string) =>
    (JSON.parse((await ctx.client(LambdaClient).send(new GetPolicyCommand({ FunctionName: name }))).Policy!) as { Statement: { Sid: string }[] }).Statement.find((x) => x.Sid === sid);

  it('re-opens both functions only as destructive actions: the recorded statement and the URL AuthType come back exactly', async () => {
    await inSandbox({ seed: (c) => step.seed!(c) }, async (ctx) => {
      const kept = await fixThenUndo(entry, ctx, BOTH);
      expect(kept.items.map((i) => [i.entry.operation, i.kind, i.kind === 'undo' && i.actions.every((a) => a.destructive)]).sort()).toEqual([
        ['RemovePermission', 'undo', true],
        ['UpdateFunctionUrlConfig', 'undo', true],
      ]);
      expect(kept.journal.some((e) => e.undoes !== undefined)).toBe(false);
    });
    await inSandbox({ seed: (c) => step.seed!(c) }, async (ctx) => {
      const before = await statementOf(ctx, DAY_ONE_OPEN_FUNCTION, DAY_ONE_OPEN_SID);
      const run = await fixThenUndo(entry, ctx, BOTH, { includeDestructive: true });
      expect(run.afterUndo).toEqual(run.before);
      expect(await statementOf(ctx, DAY_ONE_OPEN_FUNCTION, DAY_ONE_OPEN_SID)).toEqual(before);
      expect((await ctx.client(LambdaClient).send(new GetFunctionUrlConfigCommand({ FunctionName: DAY_ONE_URL_FUNCTION }))).AuthType).toBe('NONE');
    });
  });

  it('refuses when a statement took the removed one\'s id after the fix, and keeps it', async () => {
    await inSandbox({ seed: (c) => step.seed!(c) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { functions: [DAY_ONE_OPEN_FUNCTION] }, {
        between: (c) =>
          c.client(LambdaClient).send(new AddPermissionCommand({ FunctionName: DAY_ONE_OPEN_FUNCTION, StatementId: DAY_ONE_OPEN_SID, Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' })).then(() => undefined),
        includeDestructive: true,
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'drifted', reason: expect.stringContaining(`Statement "${DAY_ONE_OPEN_SID}"`) })]);
      expect(await statementOf(ctx, DAY_ONE_OPEN_FUNCTION, DAY_ONE_OPEN_SID)).toMatchObject({ Principal: { Service: 's3.amazonaws.com' } });
    });
  });

  it('a statement AddPermission cannot write back is marked irreversible in the plan, and undo says so', async () => {
    await inSandbox({ seed: fn('ss-any-source', { permissions: [{ StatementId: 'AnySource', Action: 'lambda:InvokeFunction', Principal: '*', SourceArn: '*' }] }) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { functions: ['ss-any-source'] }, { includeDestructive: true });
      expect(run.plan.actions).toEqual([expect.objectContaining({ operation: 'RemovePermission', irreversible: expect.stringContaining('AddPermission cannot write this statement back') })]);
      expect(run.items).toEqual([expect.objectContaining({ kind: 'irreversible', reason: expect.stringContaining('to put back by hand') })]);
    });
  });
});
