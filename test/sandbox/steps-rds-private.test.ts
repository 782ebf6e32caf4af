import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { planStep } from '../../src/engine/runner.js';
import { DAY_ONE_DB } from '../../steps/resources/_shared/rds.js';
import step from '../../steps/resources/rds-private/index.js';
import { describeCluster, describeInstance, makeCluster, makeClusterInstance, makeInstance } from '../helpers/rds-fixtures.js';
import { ScriptedAsker, checkedWith, inSandbox, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const MODIFY = 'rds:ModifyDBInstance';
const dayOne = (ctx: RunContext) => step.seed!(ctx);
/** A Multi-AZ DB cluster (PostgreSQL with two readable standbys), public. */
const MULTI_AZ = { Engine: 'postgres', DBClusterInstanceClass: 'db.r6gd.large', AllocatedStorage: 100, StorageType: 'io1', Iops: 1000, PubliclyAccessible: true };

const DAY_ONE_PUBLIC = {
  status: 'fail' as const,
  region: 'us-east-1',
  resource: `arn:aws:rds:us-east-1:123456789012:db:${DAY_ONE_DB}`,
  message: expect.stringMatching(/^Database day-one-db \(postgres\) in us-east-1 is publicly accessible: its endpoint \S+ resolves to a public IP address/),
};

runStepCases(step, [
  {
    name: 'no databases: one pass per region',
    regions: ['us-east-1', 'eu-west-1'],
    expectStatus: 'pass',
    expectFindings: [
      { status: 'pass', region: 'us-east-1', resource: 'arn:aws:rds:us-east-1:123456789012:db:*', message: expect.stringContaining('No RDS databases in us-east-1') },
      { status: 'pass', region: 'eu-west-1', message: expect.stringContaining('No RDS databases in eu-west-1') },
    ],
  },
  {
    name: 'day-one seed: the public database, named in the answers, is made private at once',
    seed: dayOne,
    inputs: { databases: [DAY_ONE_DB] },
    expectStatus: 'fail',
    expectFindings: [DAY_ONE_PUBLIC],
    expectOperations: [MODIFY],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('is not publicly accessible') }],
  },
  {
    name: 'two regions: region/name picks the eu-west-1 database; a private one beside it passes',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await makeInstance(ctx, 'orders', {}, 'us-east-1');
      await makeInstance(ctx, 'orders', { PubliclyAccessible: true, Engine: 'mysql' }, 'eu-west-1');
    },
    inputs: { databases: ['eu-west-1/orders'] },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'pass', region: 'us-east-1', resource: 'arn:aws:rds:us-east-1:123456789012:db:orders' },
      { status: 'fail', region: 'eu-west-1', resource: 'arn:aws:rds:eu-west-1:123456789012:db:orders', message: expect.stringContaining('orders (mysql) in eu-west-1 is publicly accessible') },
    ],
    expectOperations: [MODIFY],
  },
  {
    name: 'Aurora: the cluster carries no setting, its public instance fails and is closed itself',
    seed: async (ctx) => {
      await makeCluster(ctx, 'aurora-app');
      await makeClusterInstance(ctx, 'aurora-app-1', 'aurora-app', { PubliclyAccessible: true });
    },
    inputs: { databases: ['aurora-app-1'] },
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', resource: 'arn:aws:rds:us-east-1:123456789012:db:aurora-app-1' }],
    expectOperations: [MODIFY],
  },
]);

describe('resources.rds-private: beyond the table', () => {
  it('closes nothing that is not named: --yes alone plans nothing and says how to name the database', async () => {
    const { ctx, checked } = await checkedWith(step, dayOne);
    try {
      expect(checked.result.status).toBe('fail');
      const plan = await planStep(checked, ctx, { databases: [] });
      expect(plan.actions).toEqual([]);
      expect(plan.warnings).toEqual([expect.stringContaining(`"resources.rds-private": { "databases": ["us-east-1/${DAY_ONE_DB}"], "apply": true }`)]);
      // A name in another region does not match.
      expect((await planStep(checked, ctx, { databases: [`eu-west-1/${DAY_ONE_DB}`] })).actions).toEqual([]);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('plans the exact call, destructive, with its inverse, and the instance really loses its public address', async () => {
    const { ctx, checked } = await checkedWith(step, dayOne);
    try {
      const plan = await planStep(checked, ctx, { databases: [`us-east-1/${DAY_ONE_DB}`] });
      const [action] = plan.actions;
      expect(action).toMatchObject({
        service: 'rds',
        operation: 'ModifyDBInstance',
        region: 'us-east-1',
        destructive: true,
        params: { DBInstanceIdentifier: DAY_ONE_DB, PubliclyAccessible: false, ApplyImmediately: true },
        inverse: { operation: 'ModifyDBInstance', params: { DBInstanceIdentifier: DAY_ONE_DB, PubliclyAccessible: true, ApplyImmediately: true } },
      });
      expect(plan.warnings?.[0]).toMatch(/lose access at once/);
      ctx.factory.readOnly = false;
      await action!.run(ctx);
      expect((await describeInstance(ctx, DAY_ONE_DB)).PubliclyAccessible).toBe(false);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('a public Multi-AZ DB cluster fails, and since ModifyDBCluster cannot close it the plan guides a private copy', async () => {
    const { ctx, checked } = await checkedWith(step, (ctx) => makeCluster(ctx, 'ledger', MULTI_AZ));
    try {
      expect(checked.result.findings).toEqual([
        expect.objectContaining({ status: 'fail', resource: 'arn:aws:rds:us-east-1:123456789012:cluster:ledger', message: expect.stringContaining('Multi-AZ DB cluster ledger (postgres) in us-east-1 is publicly accessible') }),
      ]);
      const plan = await planStep(checked, ctx, { databases: ['ledger'] });
      expect(plan.actions).toEqual([]);
      expect(plan.guidance).toContain('aws rds restore-db-cluster-from-snapshot --region us-east-1 --db-cluster-identifier ledger-private');
      expect(plan.guidance).toContain('--no-publicly-accessible');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('the wizard asks once per public instance, default No, and records region/name', async () => {
    const { ctx, checked } = await checkedWith(step, async (ctx) => {
      await dayOne(ctx);
      await makeInstance(ctx, 'reports', { PubliclyAccessible: true, Engine: 'mysql' });
      await makeCluster(ctx, 'ledger', MULTI_AZ);
    });
    try {
      const asker = new ScriptedAsker([{ confirm: null }, { confirm: true }]);
      const chosen = await step.inputs!.ask(asker, step.inputs!.defaults(checked.result.findings), checked.result.findings);
      expect(asker.asked.map((q) => [q.default, q.message])).toEqual([
        [false, expect.stringMatching(/^Make day-one-db \(postgres\) in us-east-1 private\? .*loses access at once/)],
        [false, expect.stringMatching(/^Make reports \(mysql\) in us-east-1 private\?/)],
      ]);
      expect(chosen).toEqual({ databases: ['us-east-1/reports'] });
      expect((await describeCluster(ctx, 'ledger')).PubliclyAccessible).toBe(true);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('check and plan read each region once: two paginated RDS reads, nothing else', async () => {
    const rec = await recordCheckAndPlan(step, { seed: dayOne, inputs: { databases: [DAY_ONE_DB] } });
    expect(rec.sent.sort()).toEqual(['RDS:DescribeDBClusters', 'RDS:DescribeDBInstances']);
  });

  it('refuses an answers entry whose names are not database identifiers', () => {
    expect(step.inputs!.schema.safeParse({ databases: ['no spaces allowed'] }).success).toBe(false);
    expect(step.inputs!.schema.safeParse({ databases: 'all' }).success).toBe(false);
    expect(step.inputs!.schema.safeParse({ databases: ['eu-west-1/orders', 'orders-2'] }).success).toBe(true);
  });
});

describe('undo', () => {
  const entry = { meta: step.meta, load: async () => step };

  it('makes the database public again only as a destructive action: undo --yes leaves it out, a yes applies it', async () => {
    await inSandbox({ seed: dayOne }, async (ctx) => {
      const left = await fixThenUndo(entry, ctx, { databases: [DAY_ONE_DB] });
      expect(left.items).toEqual([expect.objectContaining({ kind: 'undo', actions: [expect.objectContaining({ destructive: true, params: expect.objectContaining({ PubliclyAccessible: true }) })] })]);
      expect(left.journal.some((e) => e.undoes !== undefined)).toBe(false);
      expect((await describeInstance(ctx, DAY_ONE_DB)).PubliclyAccessible).toBe(false);
    });
    await inSandbox({ seed: dayOne }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { databases: [DAY_ONE_DB] }, { includeDestructive: true });
      expect(run.afterUndo).toEqual(run.before);
      expect((await describeInstance(ctx, DAY_ONE_DB)).PubliclyAccessible).toBe(true);
    });
  });

  it('has nothing to do when someone made the database public again after the fix', async () => {
    await inSandbox({ seed: dayOne }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { databases: [DAY_ONE_DB] }, { between: dayOne });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'nothing', reason: expect.stringContaining('publicly accessible again') })]);
    });
  });
});
