import { ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { planStep } from '../../src/engine/runner.js';
import { DAY_ONE_DB } from '../../steps/resources/_shared/rds.js';
import step from '../../steps/resources/rds-hardening/index.js';
import { describeInstance, makeCluster, makeClusterInstance, makeInstance } from '../helpers/rds-fixtures.js';
import { ScriptedAsker, checkedWith, inSandbox, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const MODIFY = 'rds:ModifyDBInstance';
const dayOne = (ctx: RunContext) => step.seed!(ctx);
const ARN = `arn:aws:rds:us-east-1:123456789012:db:${DAY_ONE_DB}`;
const UNENCRYPTED = { status: 'fail' as const, resource: ARN, message: expect.stringContaining('day-one-db (postgres) in us-east-1 is not encrypted at rest') };
const MULTI_AZ_ADVICE = { status: 'manual' as const, advice: true, message: expect.stringContaining('about twice the price') };

runStepCases(step, [
  {
    name: 'no databases: passes in each region',
    regions: ['us-east-1', 'eu-west-1'],
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1' }, { status: 'pass', region: 'eu-west-1' }],
  },
  {
    name: 'day-one seed: one call turns on deletion protection, IAM auth and minor upgrades; encryption stays a guided failure',
    seed: dayOne,
    expectStatus: 'fail',
    expectFindings: [
      UNENCRYPTED,
      { status: 'fail', message: expect.stringContaining('has no deletion protection') },
      { status: 'fail', message: expect.stringContaining('does not accept IAM authentication') },
      { status: 'fail', message: expect.stringContaining('does not take automatic minor version upgrades') },
      MULTI_AZ_ADVICE,
    ],
    expectOperations: [MODIFY],
    expectAfter: 'fail',
    expectFindingsAfter: [UNENCRYPTED, MULTI_AZ_ADVICE],
  },
  {
    name: 'a hardened Multi-AZ instance passes; Oracle is not judged on IAM authentication',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await makeInstance(ctx, 'orders');
      await makeInstance(ctx, 'erp', { Engine: 'oracle-ee', EnableIAMDatabaseAuthentication: undefined }, 'eu-west-1');
    },
    expectStatus: 'pass',
    expectFindings: [
      { status: 'pass', region: 'us-east-1', message: 'Database orders (postgres) in us-east-1: encrypted at rest, deletion protection on, IAM authentication on, automatic minor upgrades on.' },
      { status: 'pass', region: 'eu-west-1', message: 'Database erp (oracle-ee) in eu-west-1: encrypted at rest, deletion protection on, automatic minor upgrades on.' },
    ],
  },
  {
    name: 'Aurora: deletion protection is set on the cluster, minor upgrades on its instance',
    seed: async (ctx) => {
      // IAM authentication on from the start: moto does not store it when ModifyDBCluster turns it on.
      await makeCluster(ctx, 'aurora-app', { DeletionProtection: false, EnableIAMDatabaseAuthentication: true });
      await makeClusterInstance(ctx, 'aurora-app-1', 'aurora-app', { AutoMinorVersionUpgrade: false });
    },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', resource: 'arn:aws:rds:us-east-1:123456789012:cluster:aurora-app', message: expect.stringContaining('has no deletion protection') },
      { status: 'fail', resource: 'arn:aws:rds:us-east-1:123456789012:db:aurora-app-1', message: expect.stringContaining('automatic minor version upgrades') },
    ],
    expectOperations: ['rds:ModifyDBCluster', MODIFY],
  },
]);

describe('resources.rds-hardening: beyond the table', () => {
  it('plans the settings in one call, IAM auth in the maintenance window by default, and guides encryption with the exact commands', async () => {
    const { ctx, checked } = await checkedWith(step, dayOne);
    try {
      const plan = await planStep(checked, ctx, { when: 'maintenance-window' });
      expect(plan.actions).toHaveLength(1);
      expect(plan.actions[0]).toMatchObject({
        operation: 'ModifyDBInstance',
        params: { DBInstanceIdentifier: DAY_ONE_DB, DeletionProtection: true, EnableIAMDatabaseAuthentication: true, AutoMinorVersionUpgrade: true, ApplyImmediately: false },
        inverse: { params: { DBInstanceIdentifier: DAY_ONE_DB, DeletionProtection: false, EnableIAMDatabaseAuthentication: false, AutoMinorVersionUpgrade: false } },
        summary: expect.stringContaining('(IAM authentication in the next maintenance window)'),
      });
      expect(plan.guidance).toContain(`aws rds create-db-snapshot --region us-east-1 --db-instance-identifier ${DAY_ONE_DB} --db-snapshot-identifier ${DAY_ONE_DB}-plain`);
      expect(plan.guidance).toContain('--kms-key-id alias/aws/rds');
      expect(plan.guidance).toMatch(/\*\*Downtime:\*\*/);
      expect((await planStep(checked, ctx, { when: 'now' })).actions[0]!.params).toMatchObject({ ApplyImmediately: true });
      ctx.factory.readOnly = false;
      await plan.actions[0]!.run(ctx);
      const after = await describeInstance(ctx, DAY_ONE_DB);
      expect([after.DeletionProtection, after.AutoMinorVersionUpgrade]).toEqual([true, true]);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('the wizard asks when IAM authentication should come, the window being the default', async () => {
    const { ctx, checked } = await checkedWith(step, dayOne);
    try {
      const asker = new ScriptedAsker([{ select: 'now' }]);
      const chosen = await step.inputs!.ask(asker, step.inputs!.defaults(checked.result.findings), checked.result.findings);
      expect(asker.asked[0]).toMatchObject({ kind: 'select', default: 'maintenance-window', message: expect.stringContaining('day-one-db (postgres)') });
      expect(chosen).toEqual({ when: 'now' });
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('undo', () => {
  const entry = { meta: step.meta, load: async () => step };

  it('turns the three settings off again, and the check reads as before', async () => {
    await inSandbox({ seed: dayOne }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { when: 'now' });
      expect(run.items.map((i) => i.kind)).toEqual(['undo']);
      expect(run.afterUndo).toEqual(run.before);
      expect(await describeInstance(ctx, DAY_ONE_DB)).toMatchObject({ DeletionProtection: false, IAMDatabaseAuthenticationEnabled: false, AutoMinorVersionUpgrade: false });
    });
  });

  it('leaves out a setting someone turned off after the fix, and turns off only the others', async () => {
    await inSandbox({ seed: dayOne }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { when: 'now' }, {
        between: (c) => c.client(RDSClient).send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: DAY_ONE_DB, DeletionProtection: false, ApplyImmediately: true })).then(() => undefined),
      });
      expect(run.items).toEqual([
        expect.objectContaining({ kind: 'undo', actions: [expect.objectContaining({ params: { DBInstanceIdentifier: DAY_ONE_DB, EnableIAMDatabaseAuthentication: false, AutoMinorVersionUpgrade: false, ApplyImmediately: true } })] }),
      ]);
      expect(run.afterUndo).toEqual(run.before);
    });
  });
});
