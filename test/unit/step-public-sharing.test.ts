import { describe, expect, it } from 'vitest';
import { ScriptedAsker } from '../helpers/step-tester.js';
import step, { blockFinding, inputsSchema, sharedFindings } from '../../steps/resources/public-sharing/index.js';
import type { Finding } from '../../src/engine/types.js';

const ctx = { target: { accountId: '123456789012', partition: 'aws', principalArn: '', isRoot: false, sandbox: true, homeRegion: 'us-east-1' } };

describe('resources.public-sharing findings', () => {
  it('one pass per kind and region when nothing is public; one fail per public resource', () => {
    expect(sharedFindings(ctx, 'ami', 'eu-west-1', [])).toEqual([expect.objectContaining({ status: 'pass', message: 'No AMI of this account in eu-west-1 is public.' })]);
    const f = sharedFindings(ctx, 'ebs-snapshot', 'eu-west-1', [{ id: 'snap-1', label: 'snap-1 (db)' }]);
    expect(f).toEqual([expect.objectContaining({ status: 'fail', resource: 'snap-1 (db)', data: { kind: 'ebs-snapshot', id: 'snap-1', label: 'snap-1 (db)', region: 'eu-west-1' } })]);
  });

  it('snapshot Block Public Access passes only in block-all-sharing; AMI Block Public Access in block-new-sharing', () => {
    expect(blockFinding(ctx, 'snapshot-block', 'us-east-1', { state: 'block-all-sharing' }).status).toBe('pass');
    const weak = blockFinding(ctx, 'snapshot-block', 'us-east-1', { state: 'block-new-sharing' });
    expect(weak).toMatchObject({ status: 'fail', data: { kind: 'snapshot-block', state: 'block-new-sharing' } });
    expect(weak.message).toContain('snapshots already public stay public');
    expect(blockFinding(ctx, 'image-block', 'us-east-1', { state: 'block-new-sharing' }).status).toBe('pass');
    expect(blockFinding(ctx, 'image-block', 'us-east-1', { state: 'unblocked' }).status).toBe('fail');
  });
});

describe('resources.public-sharing plan and inputs', () => {
  const findings: Finding[] = [
    ...sharedFindings(ctx, 'ebs-snapshot', 'us-east-1', [{ id: 'snap-1', label: 'snap-1' }]),
    ...sharedFindings(ctx, 'rds-snapshot', 'us-east-1', [{ id: 'db-export', label: 'db-export' }]),
    blockFinding(ctx, 'snapshot-block', 'us-east-1', { state: 'block-new-sharing' }),
    blockFinding(ctx, 'image-block', 'us-east-1', { state: 'unblocked' }),
    blockFinding(ctx, 'image-block', 'eu-west-1', { state: 'unblocked', managedBy: 'declarative-policy' }),
  ];

  it('changes only the named resources; a block that would hide a snapshot left public is destructive', async () => {
    const plan = await step.plan(ctx as never, findings, { unshare: ['db-export'] });
    expect(plan.actions.map((a) => [a.operation, a.region, !!a.destructive])).toEqual([
      ['ModifyDBSnapshotAttribute', 'us-east-1', true],
      ['EnableSnapshotBlockPublicAccess', 'us-east-1', true],
      ['EnableImageBlockPublicAccess', 'us-east-1', false],
    ]);
    expect(plan.actions[1]!.inverse).toMatchObject({ operation: 'EnableSnapshotBlockPublicAccess', params: { State: 'block-new-sharing' } });
    expect(plan.warnings!.join('\n')).toContain('EBS snapshot snap-1 (us-east-1) stays shared with everyone');
    expect(plan.guidance).toContain('eu-west-1 is set by your organization');
  });

  it('with every public resource named, the snapshot block is not destructive', async () => {
    const plan = await step.plan(ctx as never, findings, { unshare: ['db-export', 'snap-1'] });
    expect(plan.actions.filter((a) => a.destructive).map((a) => a.operation)).toEqual(['ModifySnapshotAttribute', 'ModifyDBSnapshotAttribute']);
  });

  it('the answers entry lists ids; anything else is refused', () => {
    expect(inputsSchema.parse({})).toEqual({ unshare: [] });
    expect(inputsSchema.safeParse({ unshare: 'all' }).success).toBe(false);
    expect(inputsSchema.safeParse({ unshare: ['snap 1'] }).success).toBe(false);
    expect(inputsSchema.safeParse({ unshare: ['snap-1'], extra: 1 }).success).toBe(false);
  });

  it('the wizard asks per public resource, No by default unless the answers name it', async () => {
    const asker = new ScriptedAsker([{ confirm: null }, { confirm: null }]);
    const chosen = await step.inputs!.ask(asker, { unshare: ['db-export'] }, findings);
    expect(asker.asked.map((q) => q.default)).toEqual([false, true]);
    expect(chosen).toEqual({ unshare: ['db-export'] });
  });

  it('each question names who loses access: accounts that restore a snapshot, or launch from an AMI', async () => {
    const ami: Finding = { status: 'fail', resource: 'ami-1 (golden)', region: 'us-east-1', message: 'AMI ami-1 (golden) in us-east-1 is public.', data: { kind: 'ami', id: 'ami-1', label: 'ami-1 (golden)', region: 'us-east-1' } };
    const asker = new ScriptedAsker([{ confirm: null }, { confirm: null }, { confirm: null }]);
    await step.inputs!.ask(asker, { unshare: [] }, [...findings, ami]);
    const messages = asker.asked.map((q) => q.message);
    expect(messages.filter((m) => m.endsWith('Any other account that restores it loses access.'))).toHaveLength(2);
    expect(messages[2]).toBe('AMI ami-1 (golden) (us-east-1) is public. Make it private? Any other account that launches instances from it loses access.');
  });
});
