import { CreateVolumeCommand, DisableEbsEncryptionByDefaultCommand, EC2Client, EnableEbsEncryptionByDefaultCommand, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import step from '../../steps/resources/ebs-encryption/index.js';
import { DAY_ONE_VOLUME } from '../../steps/resources/_shared/compute-fixtures.js';
import { resetMoto } from '../helpers/moto.js';
import { inSandbox, makeSandboxContext, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const entry = { meta: step.meta, load: async () => step };
const ENABLE = 'ec2:EnableEbsEncryptionByDefault';
const setting = (region: string) => `arn:aws:ec2:${region}:123456789012:ebs-encryption-by-default`;

async function turnOn(ctx: RunContext, region = 'us-east-1'): Promise<void> {
  await ctx.client(EC2Client, region).send(new EnableEbsEncryptionByDefaultCommand({}));
}

async function volume(ctx: RunContext, encrypted: boolean, name: string, region = 'us-east-1'): Promise<string> {
  return (
    await ctx.client(EC2Client, region).send(
      new CreateVolumeCommand({ AvailabilityZone: `${region}a`, Size: 1, Encrypted: encrypted, TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: name }] }] }),
    )
  ).VolumeId!;
}

const OFF = (region: string) => ({ status: 'fail' as const, region, resource: setting(region), message: `EBS encryption by default is off in ${region}: a volume made there without asking for encryption stores its data unencrypted.` });
const ON = (region: string) => ({ status: 'pass' as const, region, resource: setting(region), message: expect.stringMatching(new RegExp(`^EBS encryption by default is on in ${region}`)) });

runStepCases(step, [
  {
    name: 'a fresh account: the setting is off and there are no volumes; the fix turns it on',
    expectStatus: 'fail',
    expectFindings: [OFF('us-east-1')],
    expectOperations: [ENABLE],
    expectFindingsAfter: [ON('us-east-1')],
  },
  {
    name: 'the day-one seed: the setting is off and the unencrypted data volume is listed for a person to replace',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      OFF('us-east-1'),
      { status: 'manual', region: 'us-east-1', resource: expect.stringMatching(/^vol-\w+$/), message: expect.stringMatching(new RegExp(`^1 volume in us-east-1 is not encrypted \\(0 attached\\): vol-\\w+ \\(${DAY_ONE_VOLUME}\\)\\. The setting does not change existing volumes`)) },
    ],
    expectOperations: [ENABLE],
    expectAfter: 'manual',
    expectFindingsAfter: [ON('us-east-1'), { status: 'manual', message: expect.stringContaining(DAY_ONE_VOLUME) }],
  },
  {
    name: 'the setting on and only encrypted volumes: pass',
    seed: async (ctx) => {
      await turnOn(ctx);
      await volume(ctx, true, 'sealed');
    },
    expectStatus: 'pass',
    expectFindings: [ON('us-east-1')],
  },
  {
    name: 'the setting on but an old unencrypted volume: manual, nothing to plan',
    seed: async (ctx) => {
      await turnOn(ctx);
      await volume(ctx, false, 'legacy');
      await volume(ctx, false, 'legacy-2');
      await volume(ctx, true, 'sealed');
    },
    expectStatus: 'manual',
    expectFindings: [ON('us-east-1'), { status: 'manual', resource: 'arn:aws:ec2:us-east-1:123456789012:volume/*', message: expect.stringMatching(/^2 volumes in us-east-1 are not encrypted .*\(legacy\) and vol-\w+ \(legacy-2\)|^2 volumes in us-east-1 are not encrypted .*\(legacy-2\) and vol-\w+ \(legacy\)/) }],
  },
  {
    name: 'two regions: on in us-east-1, off in eu-west-1: only eu-west-1 is changed, in its own region',
    regions: ['us-east-1', 'eu-west-1'],
    seed: (ctx) => turnOn(ctx, 'us-east-1'),
    expectStatus: 'fail',
    expectFindings: [ON('us-east-1'), OFF('eu-west-1')],
    expectOperations: [ENABLE],
    expectFindingsAfter: [ON('us-east-1'), ON('eu-west-1')],
  },
]);

describe('resources.ebs-encryption: beyond the table', () => {
  it('check reads each region with one GetEbsEncryptionByDefault and one DescribeVolumes page, however many volumes', async () => {
    await resetMoto();
    const sent: string[] = [];
    const ctx = makeSandboxContext({ regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'], onRequest: (s, o) => sent.push(`${s}:${o}`) });
    try {
      ctx.factory.readOnly = false;
      for (let i = 0; i < 5; i++) await volume(ctx, false, `v${i}`, 'eu-west-1');
      ctx.factory.readOnly = true;
      sent.length = 0;
      const checked = await checkStep(entry, ctx);
      expect(checked.result.findings.map((f) => [f.region, f.status])).toEqual([
        ['us-east-1', 'fail'],
        ['eu-west-1', 'fail'],
        ['eu-west-1', 'manual'],
        ['ap-southeast-2', 'fail'],
      ]);
      expect(sent.sort()).toEqual([...Array(3).fill('EC2:DescribeVolumes'), ...Array(3).fill('EC2:GetEbsEncryptionByDefault')]);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('the plan names the region, journals its inverse, and the setting is really on afterwards', async () => {
    await resetMoto();
    const ctx = makeSandboxContext({ regions: ['eu-west-1'] });
    try {
      const plan = await planStep(await checkStep(entry, ctx), ctx, undefined);
      expect(plan.actions.map((a) => [a.operation, a.region, a.params, a.inverse?.operation])).toEqual([['EnableEbsEncryptionByDefault', 'eu-west-1', {}, 'DisableEbsEncryptionByDefault']]);
      expect(plan.guidance).toBeUndefined();
      const journal: JournalEntry[] = [];
      expect((await applyPlan(step.meta.id, plan, ctx, (e) => void journal.push(e))).ok).toBe(true);
      expect(journal[0]).toMatchObject({ operation: 'EnableEbsEncryptionByDefault', result: 'ok', inverse: { operation: 'DisableEbsEncryptionByDefault', region: 'eu-west-1' } });
      expect((await ctx.client(EC2Client, 'eu-west-1').send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(true);
      expect((await ctx.client(EC2Client, 'us-east-1').send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(false);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('with unencrypted volumes the plan carries the replacement steps as guidance', async () => {
    const { plan } = await recordCheckAndPlan(step, { seed: (ctx) => step.seed!(ctx) });
    expect(plan.guidance).toMatch(/Copy the snapshot with \*\*Encrypt this snapshot\*\*/);
  });

  it('check and plan send only reads', async () => {
    const { checked, sent } = await recordCheckAndPlan(step, { seed: (ctx) => step.seed!(ctx) });
    expect(checked.result.status).toBe('fail');
    expect([...new Set(sent)].every((s) => /:(Describe|Get|List)/.test(s))).toBe(true);
  });
});

describe('undo', () => {
  it('turns the default off again and says that volumes made meanwhile stay encrypted', async () => {
    await inSandbox({ seed: (c) => step.seed!(c) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined);
      expect(run.items).toEqual([
        expect.objectContaining({ kind: 'undo', warnings: [expect.stringContaining('Volumes made in us-east-1 since the fix stay encrypted')] }),
      ]);
      expect(run.afterUndo).toEqual(run.before);
      expect((await ctx.client(EC2Client).send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(false);
    });
  });

  it('has nothing to do when someone turned the default off after the fix', async () => {
    await inSandbox({}, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, { between: (c) => c.client(EC2Client).send(new DisableEbsEncryptionByDefaultCommand({})).then(() => undefined) });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'nothing', reason: expect.stringContaining('off in us-east-1 already') })]);
      expect(run.journal.some((e) => e.undoes !== undefined)).toBe(false);
    });
  });
});
