/**
 * resources.ec2-imdsv2 against moto: instances that accept IMDSv1 fail; those whose MetadataNoToken
 * metric shows IMDSv1 calls are changed only when named. moto implements no account metadata
 * defaults, so that finding is `unsupported` in every case here (the default's own paths run with SDK
 * stubs in test/unit/step-ec2-imdsv2.test.ts).
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client, ModifyInstanceMetadataOptionsCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { planStep } from '../../src/engine/runner.js';
import step, { DAY_ONE_INSTANCE } from '../../steps/resources/ec2-imdsv2/index.js';
import { launchDayOne } from '../../steps/resources/_shared/instances.js';
import { ScriptedAsker, checkedWith, inSandbox, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const MODIFY = 'ec2:ModifyInstanceMetadataOptions';
const DEFAULTS_UNSUPPORTED = {
  status: 'unsupported' as const,
  resource: 'arn:aws:ec2:us-east-1:123456789012:instance-metadata-defaults',
  message: expect.stringMatching(/^EC2 instance metadata defaults in us-east-1 could not be checked here\. The endpoint does not implement this API/),
};

async function launch(ctx: RunContext, name: string, tokens: 'optional' | 'required', region?: string): Promise<string> {
  return (await launchDayOne(ctx, name, { httpTokens: tokens, ...(region ? { region } : {}) })).instance.InstanceId!;
}

/** Records `calls` IMDSv1 requests for the instance an hour ago, as EC2 does in AWS/EC2 MetadataNoToken. */
async function imdsv1Used(ctx: RunContext, instanceId: string, calls: number): Promise<void> {
  await ctx.client(CloudWatchClient).send(
    new PutMetricDataCommand({
      Namespace: 'AWS/EC2',
      MetricData: [{ MetricName: 'MetadataNoToken', Dimensions: [{ Name: 'InstanceId', Value: instanceId }], Value: calls, Unit: 'Count', Timestamp: new Date(Date.now() - 3_600_000) }],
    }),
  );
}

runStepCases(step, [
  {
    name: 'no instances: the account default cannot be read in moto (unsupported), and there is nothing else to check',
    expectStatus: 'unsupported',
    expectFindings: [DEFAULTS_UNSUPPORTED, { status: 'pass', message: 'No instances in us-east-1.' }],
  },
  {
    name: 'day-one seed: an instance that accepts IMDSv1 and made no IMDSv1 call is changed by default',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      DEFAULTS_UNSUPPORTED,
      {
        status: 'fail',
        resource: expect.stringMatching(/^arn:aws:ec2:us-east-1:123456789012:instance\/i-\w+$/),
        message: expect.stringMatching(
          new RegExp(`^Instance i-\\w+ \\(${DAY_ONE_INSTANCE}\\) in us-east-1 \\(running\\) still accepts IMDSv1 \\(HttpTokens: optional\\); it made no IMDSv1 call in the last 14 days, so requiring IMDSv2 is safe\\.$`),
        ),
      },
    ],
    expectOperations: [MODIFY],
    expectAfter: 'unsupported',
    expectFindingsAfter: [DEFAULTS_UNSUPPORTED, { status: 'pass', message: expect.stringMatching(/\(day-one-legacy-app\) in us-east-1 \(running\) requires IMDSv2\.$/) }],
  },
  {
    name: 'an instance that made IMDSv1 calls is left as it is without its id in the answers; the quiet one is changed',
    seed: async (ctx) => {
      await imdsv1Used(ctx, await launch(ctx, 'ss-legacy', 'optional'), 42);
      await launch(ctx, 'ss-quiet', 'optional');
    },
    expectStatus: 'fail',
    expectOperations: [MODIFY],
    expectAfter: 'fail',
  },
  {
    name: 'an instance that requires IMDSv2 passes',
    seed: async (ctx) => void (await launch(ctx, 'ss-modern', 'required')),
    expectStatus: 'unsupported',
    expectFindings: [DEFAULTS_UNSUPPORTED, { status: 'pass', message: expect.stringContaining('(ss-modern) in us-east-1 (running) requires IMDSv2.') }],
  },
  {
    name: 'two regions: each region is read and fixed through its own endpoint',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await launch(ctx, 'ss-east', 'optional');
      await launch(ctx, 'ss-west', 'optional', 'eu-west-1');
    },
    expectStatus: 'fail',
    expectFindings: [
      DEFAULTS_UNSUPPORTED,
      { status: 'fail', region: 'us-east-1', message: expect.stringContaining('(ss-east) in us-east-1') },
      { status: 'unsupported', region: 'eu-west-1' },
      { status: 'fail', region: 'eu-west-1', message: expect.stringContaining('(ss-west) in eu-west-1') },
    ],
    expectOperations: [MODIFY, MODIFY],
    expectAfter: 'unsupported',
  },
]);

describe('resources.ec2-imdsv2: instances that used IMDSv1', () => {
  it('named in the answers, the instance is changed, marked destructive, with a warning', async () => {
    let legacy = '';
    const { ctx, checked } = await checkedWith(step, async (c) => {
      legacy = await launch(c, 'ss-legacy', 'optional');
      await imdsv1Used(c, legacy, 7);
    });
    try {
      const finding = checked.result.findings.find((f) => f.resource.endsWith(legacy))!;
      expect(finding.message).toContain('it made 7 IMDSv1 calls in the last 14 days: software on it would break.');
      const unnamed = await planStep(checked, ctx, { instances: 'all' });
      expect(unnamed.actions).toEqual([]);
      expect(unnamed.warnings).toEqual([expect.stringMatching(new RegExp(`^1 instance that used IMDSv1 is left as it is: ${legacy} \\(ss-legacy\\) \\(us-east-1\\)\\. .*"instances": \\["${legacy}", …\\], "apply": true \\}`))]);
      const named = await planStep(checked, ctx, { instances: [legacy] });
      expect(named.actions).toHaveLength(1);
      expect(named.actions[0]).toMatchObject({
        operation: 'ModifyInstanceMetadataOptions',
        destructive: true,
        params: { InstanceId: legacy, HttpTokens: 'required' },
        inverse: { params: { InstanceId: legacy, HttpTokens: 'optional' } },
      });
      expect(named.warnings).toEqual([expect.stringContaining(`Instance ${legacy} (ss-legacy) (us-east-1): it made 7 IMDSv1 calls`)]);
      ctx.factory.readOnly = false;
      await named.actions[0]!.run(ctx);
      const after = await ctx.client(EC2Client).send(new DescribeInstancesCommand({ InstanceIds: [legacy] }));
      expect(after.Reservations![0]!.Instances![0]!.MetadataOptions?.HttpTokens).toBe('required');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('the wizard asks per instance that used IMDSv1 (default No), then once for the others (default Yes)', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      await imdsv1Used(c, await launch(c, 'ss-legacy', 'optional'), 3);
      await launch(c, 'ss-quiet', 'optional');
    });
    try {
      const findings = checked.result.findings;
      const asker = new ScriptedAsker([{ confirm: null }, { confirm: null }]);
      const answer = await step.inputs!.ask(asker, step.inputs!.defaults(findings), findings);
      expect(asker.asked.map((q) => [q.message, q.default])).toEqual([
        [expect.stringMatching(/^Instance i-\w+ \(ss-legacy\) \(us-east-1\): it made 3 IMDSv1 calls in the last 14 days\. Require IMDSv2 on it anyway\?/), false],
        [expect.stringMatching(/^Require IMDSv2 on the instances that made no IMDSv1 call in 14 days: i-\w+ \(ss-quiet\) \(us-east-1\)\?$/), true],
      ]);
      expect(answer).toEqual({ accountDefault: true, instances: 'all' });
    } finally {
      ctx.factory.destroy();
    }
  });

  it('reads the metric once per region for all its instances (GetMetricData, batched), and only reads', async () => {
    const { checked, sent } = await recordCheckAndPlan(step, {
      seed: async (c) => {
        for (const n of ['a', 'b', 'c', 'd']) await launch(c, `ss-batch-${n}`, 'optional');
      },
    });
    expect(checked.result.findings.filter((f) => f.status === 'fail')).toHaveLength(4);
    expect(sent.filter((s) => s === 'CloudWatch:GetMetricData')).toHaveLength(1);
    expect(sent.filter((s) => s === 'EC2:DescribeInstances')).toHaveLength(1);
  });
});

describe('undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  const tokensOf = async (ctx: RunContext, id: string) =>
    (await ctx.client(EC2Client).send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!.MetadataOptions?.HttpTokens;

  it('lets each changed instance accept IMDSv1 again, as the check read it before', async () => {
    await inSandbox({ seed: async (c) => { await step.seed!(c); await launch(c, 'quiet-two', 'optional'); } }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { instances: 'all' });
      expect(run.items.map((i) => [i.entry.operation, i.kind])).toEqual([
        ['ModifyInstanceMetadataOptions', 'undo'],
        ['ModifyInstanceMetadataOptions', 'undo'],
      ]);
      expect(run.afterUndo).toEqual(run.before);
      for (const i of run.items) expect(await tokensOf(ctx, (i.entry.params as { InstanceId: string }).InstanceId)).toBe('optional');
    });
  });

  it('has nothing to do for an instance someone set back to optional after the fix', async () => {
    await inSandbox({ seed: (c) => step.seed!(c) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { instances: 'all' }, {
        between: async (c) => {
          const id = (await launchDayOne(c, DAY_ONE_INSTANCE, { httpTokens: 'required' })).instance.InstanceId!;
          await c.client(EC2Client).send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpTokens: 'optional' }));
        },
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'nothing', reason: expect.stringContaining('as before the fix') })]);
      expect(run.journal.some((e) => e.undoes !== undefined)).toBe(false);
    });
  });
});
