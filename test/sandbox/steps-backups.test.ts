import { BackupClient, CreateBackupPlanCommand, ListBackupPlansCommand, ListBackupSelectionsCommand } from '@aws-sdk/client-backup';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { planStep } from '../../src/engine/runner.js';
import step, { PLAN, planDocument } from '../../steps/resources/backups/index.js';
import { DAY_ONE_DB } from '../../steps/resources/_shared/rds.js';
import { describeInstance, makeInstance } from '../helpers/rds-fixtures.js';
import { checkedWith, runStepCases } from '../helpers/step-tester.js';

const dayOne = (ctx: RunContext) => step.seed!(ctx);
const SELECTIONS_UNSUPPORTED = {
  status: 'unsupported' as const,
  region: 'us-east-1',
  message: expect.stringMatching(/AWS Backup plan secure-start-daily in us-east-1: what they back up could not be read\. .*moto does not implement backup selections/),
};

runStepCases(step, [
  {
    name: 'no databases and no plan: nothing to back up',
    regions: ['us-east-1', 'eu-west-1'],
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', region: 'us-east-1' }, { status: 'pass', region: 'eu-west-1' }],
  },
  {
    name: 'day-one seed: 1 day of backups and no plan; retention goes to 7, a vault and a daily plan are made; moto cannot show the selections',
    seed: dayOne,
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', resource: `arn:aws:rds:us-east-1:123456789012:db:${DAY_ONE_DB}`, message: expect.stringContaining('keeps automated backups only 1 day') },
      { status: 'fail', message: 'No AWS Backup plan in us-east-1: nothing copies the data there to a backup vault on a schedule.' },
    ],
    expectOperations: ['rds:ModifyDBInstance', 'backup:CreateBackupVault', 'backup:CreateBackupPlan'],
    expectAfter: 'unsupported',
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('keeps automated backups 7 days') }, SELECTIONS_UNSUPPORTED],
  },
  {
    name: 'two regions: only the region with a short retention is fixed; a region with no databases needs no plan',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await makeInstance(ctx, 'orders', { BackupRetentionPeriod: 3 }, 'eu-west-1');
      await ctx.client(BackupClient, 'eu-west-1').send(new CreateBackupPlanCommand({ BackupPlan: planDocument() }));
    },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'pass', region: 'us-east-1' },
      { status: 'fail', region: 'eu-west-1', message: expect.stringContaining('only 3 days') },
      { ...SELECTIONS_UNSUPPORTED, region: 'eu-west-1', message: expect.stringContaining('in eu-west-1: what they back up could not be read') },
    ],
    expectOperations: ['rds:ModifyDBInstance'],
    expectAfter: 'unsupported',
  },
]);

describe('resources.backups: beyond the table', () => {
  it('plans the exact calls: 7 days at once from 1 day, 35-day daily plan, and guidance for the tag selection', async () => {
    const { ctx, checked } = await checkedWith(step, dayOne);
    try {
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions.map((a) => a.params)).toEqual([
        { DBInstanceIdentifier: DAY_ONE_DB, BackupRetentionPeriod: 7, ApplyImmediately: true },
        { BackupVaultName: 'secure-start-vault' },
        { BackupPlan: { BackupPlanName: PLAN, Rules: [expect.objectContaining({ TargetBackupVaultName: 'secure-start-vault', Lifecycle: { DeleteAfterDays: 35 } })] } },
      ]);
      expect(plan.guidance).toContain('"ConditionKey": "backup", "ConditionValue": "secure-start"');
      ctx.factory.readOnly = false;
      await plan.actions[0]!.run(ctx);
      expect((await describeInstance(ctx, DAY_ONE_DB)).BackupRetentionPeriod).toBe(7);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('backups turned off (0 days) wait for the maintenance window: turning them on restarts the database', async () => {
    const { ctx, checked } = await checkedWith(step, (ctx) => makeInstance(ctx, 'nobackup', { BackupRetentionPeriod: 0 }));
    try {
      expect(checked.result.findings[0]!.message).toContain('has automated backups turned off');
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions[0]).toMatchObject({ params: { BackupRetentionPeriod: 7, ApplyImmediately: false }, summary: expect.stringContaining('from the next maintenance window') });
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('resources.backups: selections (SDK stubs: moto does not implement ListBackupSelections)', () => {
  // Made per test and restored after it: a mock made at load time would answer the moto tests above too.
  let backup: ReturnType<typeof mockClient>;
  beforeEach(() => {
    backup = mockClient(BackupClient);
  });
  afterEach(() => backup.restore());

  async function checkWithStubbedBackup(): Promise<string[]> {
    const { ctx } = await checkedWith(step, (c) => makeInstance(c, 'orders'));
    try {
      const findings = await step.check(ctx);
      return findings.map((f) => `${f.status}: ${f.message}`);
    } finally {
      ctx.factory.destroy();
    }
  }

  it('SDK stub: a plan with a selection passes', async () => {
    backup.on(ListBackupPlansCommand).resolves({ BackupPlansList: [{ BackupPlanId: 'p1', BackupPlanName: 'nightly' }] });
    backup.on(ListBackupSelectionsCommand).resolves({ BackupSelectionsList: [{ SelectionId: 's1', SelectionName: 'tagged' }] });
    expect(await checkWithStubbedBackup()).toEqual([expect.stringMatching(/^pass: Database orders/), 'pass: AWS Backup in us-east-1: nightly, with 1 selection of resources.']);
  });

  it('SDK stub: a plan that selects nothing fails', async () => {
    backup.on(ListBackupPlansCommand).resolves({ BackupPlansList: [{ BackupPlanId: 'p1', BackupPlanName: 'nightly' }] });
    backup.on(ListBackupSelectionsCommand).resolves({ BackupSelectionsList: [] });
    expect((await checkWithStubbedBackup())[1]).toBe('fail: AWS Backup plan nightly in us-east-1 selects nothing: no resource is backed up by it.');
  });

  it('SDK stub: access denied on the selections is an error naming the permission, never a pass', async () => {
    backup.on(ListBackupPlansCommand).resolves({ BackupPlansList: [{ BackupPlanId: 'p1', BackupPlanName: 'nightly' }] });
    backup.on(ListBackupSelectionsCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    expect((await checkWithStubbedBackup())[1]).toMatch(/^error: AWS Backup in us-east-1 could not be read: Access denied.*backup:ListBackupSelections/);
  });
});

