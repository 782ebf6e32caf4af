/**
 * resources.backups against moto, and (where moto lacks the API) with AWS Backup stubbed at the SDK
 * level. moto implements backup plans and vaults but not selections (ListBackupSelections,
 * GetBackupSelection and CreateBackupSelection answer HTTP 500): the case table covers what moto can
 * show, the day-one test shows the fix stopping at the selection, and the tests named "stubbed: moto
 * lacks backup selections" run the selection path on an in-memory AWS Backup (RDS and IAM stay moto).
 */
import {
  BackupClient,
  CreateBackupPlanCommand,
  CreateBackupSelectionCommand,
  CreateBackupVaultCommand,
  DeleteBackupPlanCommand,
  DeleteBackupSelectionCommand,
  DeleteBackupVaultCommand,
  DeleteRecoveryPointCommand,
  DescribeBackupVaultCommand,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListRecoveryPointsByBackupVaultCommand,
} from '@aws-sdk/client-backup';
import type { BackupRule, BackupSelection } from '@aws-sdk/client-backup';
import { AttachRolePolicyCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { AddTagsToResourceCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import step, { PLAN, ROLE, VAULT, planDocument } from '../../steps/resources/backups/index.js';
import { DAY_ONE_DB } from '../../steps/resources/_shared/rds.js';
import { useManagedPolicies } from '../helpers/moto.js';
import type { SentRequest } from '../helpers/permissions.js';
import { uncovered } from '../helpers/permissions.js';
import { describeInstance, makeCluster, makeInstance } from '../helpers/rds-fixtures.js';
import { SANDBOX_ACCOUNT_ID, inSandbox, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo, type FixUndoRun } from '../helpers/undo.js';

// The role gets AWS managed policies, which moto has only when it loads them.
useManagedPolicies();

const entry = { meta: step.meta, load: async () => step };
const dayOne = (ctx: RunContext) => step.seed!(ctx);
const DB_ARN = `arn:aws:rds:us-east-1:${SANDBOX_ACCOUNT_ID}:db:${DAY_ONE_DB}`;
const MOTO_LACKS = /could not be read\. Plans? .* cannot be listed here: The endpoint does not implement this API.*moto does not implement backup selections/;

runStepCases(step, [
  {
    name: 'no databases: nothing to back up, in every region of the run',
    regions: ['us-east-1', 'eu-west-1'],
    expectStatus: 'pass',
    expectFindings: [
      { status: 'pass', region: 'us-east-1', message: 'No RDS databases in us-east-1: nothing to back up.' },
      { status: 'pass', region: 'eu-west-1' },
    ],
  },
  {
    name: 'a plan exists but moto cannot list its selections: coverage is unsupported, never a pass; 3 days of retention go to 7',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await makeInstance(ctx, 'orders', { BackupRetentionPeriod: 3 }, 'eu-west-1');
      await ctx.client(BackupClient, 'eu-west-1').send(new CreateBackupPlanCommand({ BackupPlan: planDocument() }));
    },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'pass', region: 'us-east-1' },
      { status: 'fail', region: 'eu-west-1', message: expect.stringContaining('keeps automated backups only 3 days') },
      { status: 'unsupported', region: 'eu-west-1', message: expect.stringMatching(MOTO_LACKS) },
    ],
    expectOperations: ['rds:ModifyDBInstance@eu-west-1'],
    expectAfter: 'unsupported',
  },
  {
    name: 'a cluster keeps its own backups: 1 day goes to 7 on the cluster (ModifyDBCluster)',
    seed: async (ctx) => {
      await makeCluster(ctx, 'ledger', { BackupRetentionPeriod: 1 });
      await ctx.client(BackupClient).send(new CreateBackupPlanCommand({ BackupPlan: planDocument() }));
    },
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', message: expect.stringMatching(/^Database cluster ledger \(aurora-mysql\) in us-east-1 keeps automated backups only 1 day/) },
      { status: 'unsupported', message: expect.stringMatching(MOTO_LACKS) },
    ],
    expectOperations: ['rds:ModifyDBCluster'],
    expectAfter: 'unsupported',
  },
]);

describe('resources.backups on the day-one database in moto', () => {
  it('plans retention, the role, vault, plan, tag and selection; applied, it stops at the selection (unsupported) with the rest made', async () => {
    await inSandbox({ seed: dayOne }, async (ctx) => {
      const first = await checkStep(entry, ctx);
      expect(first.result.findings.map((f) => [f.status, f.message])).toEqual([
        ['fail', expect.stringContaining('keeps automated backups only 1 day')],
        ['fail', `Database ${DAY_ONE_DB} (postgres) in us-east-1: no AWS Backup plan in us-east-1 backs it up; only its RDS automated backups (1 day) protect it.`],
      ]);
      const plan = await planStep(first, ctx, undefined);
      expect(plan.actions.map((a) => `${a.service}:${a.operation}`)).toEqual([
        'rds:ModifyDBInstance',
        'iam:CreateRole',
        'iam:AttachRolePolicy',
        'iam:AttachRolePolicy',
        'backup:CreateBackupVault',
        'backup:CreateBackupPlan',
        'rds:AddTagsToResource',
        'backup:CreateBackupSelection',
      ]);
      expect(plan.actions[6]!.params).toEqual({ ResourceName: DB_ARN, Tags: [{ Key: 'backup', Value: 'secure-start' }] });
      expect(plan.actions[7]!.params).toEqual({
        BackupPlanId: '(the id of the plan created above)',
        BackupSelection: {
          SelectionName: 'secure-start-backup-secure-start',
          IamRoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/${ROLE}`,
          Resources: ['*'],
          Conditions: { StringEquals: [{ ConditionKey: 'aws:ResourceTag/backup', ConditionValue: 'secure-start' }] },
        },
      });
      expect(plan.warnings?.join(' ')).toContain('the fix then stops at the selection');

      const journal: JournalEntry[] = [];
      const applied = await applyPlan(step.meta.id, plan, ctx, (e) => void journal.push(e));
      expect(applied.ok).toBe(false);
      expect(applied.unsupported).toBe(true);
      expect(applied.error).toMatch(/^Back up everything tagged backup=secure-start in us-east-1 .*: The endpoint does not implement this API/);
      expect(journal.map((e) => e.result)).toEqual([...Array(7).fill('ok'), 'failed']);

      // What the fix made before the selection is there, whole.
      const iam = ctx.client(IAMClient);
      expect((await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role?.AssumeRolePolicyDocument).toContain('backup.amazonaws.com');
      expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE }))).AttachedPolicies?.map((p) => p.PolicyName).sort()).toEqual([
        'AWSBackupServiceRolePolicyForBackup',
        'AWSBackupServiceRolePolicyForRestores',
      ]);
      const db = await describeInstance(ctx, DAY_ONE_DB);
      expect(db.BackupRetentionPeriod).toBe(7);
      expect(db.TagList).toContainEqual({ Key: 'backup', Value: 'secure-start' });
      expect((await ctx.client(BackupClient).send(new ListBackupPlansCommand({}))).BackupPlansList?.map((p) => p.BackupPlanName)).toEqual([PLAN]);

      const after = await checkStep(entry, ctx);
      expect(after.result.status).toBe('unsupported');
      expect(after.result.findings.map((f) => f.status)).toEqual(['pass', 'unsupported']);
      expect(after.result.findings[1]!.message).toMatch(MOTO_LACKS);
      expect((await planStep(after, ctx, undefined)).actions).toEqual([]);
    });
  }, 60_000);

  it('a second fix after a stop finishes the role instead of making it again', async () => {
    await inSandbox({ seed: dayOne }, async (ctx) => {
      const plan = await planStep(await checkStep(entry, ctx), ctx, undefined);
      // Stop after CreateRole, as a refused AttachRolePolicy would.
      await applyPlan(step.meta.id, { actions: plan.actions.slice(0, 2) }, ctx, () => undefined);
      const again = await planStep(await checkStep(entry, ctx), ctx, undefined);
      expect(again.actions.map((a) => `${a.operation}`)).toEqual(['AttachRolePolicy', 'AttachRolePolicy', 'CreateBackupVault', 'CreateBackupPlan', 'AddTagsToResource', 'CreateBackupSelection']);
    });
  }, 60_000);

  it('backups turned off (0 days) wait for the maintenance window: turning them on restarts the database', async () => {
    await inSandbox({ seed: (ctx) => makeInstance(ctx, 'nobackup', { BackupRetentionPeriod: 0 }) }, async (ctx) => {
      const checked = await checkStep(entry, ctx);
      expect(checked.result.findings[0]!.message).toContain('has automated backups turned off');
      expect(checked.result.findings[1]!.message).toContain('nothing else backs it up either');
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions[0]).toMatchObject({ params: { BackupRetentionPeriod: 7, ApplyImmediately: false }, summary: expect.stringContaining('from the next maintenance window') });
    });
  }, 60_000);
});

/**
 * An in-memory AWS Backup for one test: plans, vaults and selections, answering the calls the step
 * makes. Everything else (RDS, IAM) goes to moto.
 */
function fakeBackup(backup: ReturnType<typeof mockClient>) {
  const plans = new Map<string, { name: string; rules?: BackupRule[]; selections: Map<string, BackupSelection> }>();
  const vaults = new Map<string, string[]>();
  let n = 0;
  const missing = () => Object.assign(new Error('not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
  backup.on(ListBackupPlansCommand).callsFake(() => ({ BackupPlansList: [...plans].map(([id, p]) => ({ BackupPlanId: id, BackupPlanName: p.name })) }));
  backup.on(GetBackupPlanCommand).callsFake((i: { BackupPlanId: string }) => {
    const p = plans.get(i.BackupPlanId);
    if (!p) throw missing();
    return { BackupPlanId: i.BackupPlanId, BackupPlan: { BackupPlanName: p.name, Rules: p.rules ?? [{ RuleName: 'r' }] } };
  });
  backup.on(DeleteBackupPlanCommand).callsFake((i: { BackupPlanId: string }) => {
    if (plans.get(i.BackupPlanId)?.selections.size) throw Object.assign(new Error('has selections'), { name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    if (!plans.delete(i.BackupPlanId)) throw missing();
    return {};
  });
  backup.on(DeleteBackupSelectionCommand).callsFake((i: { BackupPlanId: string; SelectionId: string }) => {
    if (!plans.get(i.BackupPlanId)?.selections.delete(i.SelectionId)) throw missing();
    return {};
  });
  backup.on(DescribeBackupVaultCommand).callsFake((i: { BackupVaultName: string }) => {
    if (!vaults.has(i.BackupVaultName)) throw missing();
    return { BackupVaultName: i.BackupVaultName, NumberOfRecoveryPoints: vaults.get(i.BackupVaultName)!.length };
  });
  backup.on(ListRecoveryPointsByBackupVaultCommand).callsFake((i: { BackupVaultName: string }) => ({
    RecoveryPoints: (vaults.get(i.BackupVaultName) ?? []).map((RecoveryPointArn) => ({ RecoveryPointArn })),
  }));
  backup.on(DeleteRecoveryPointCommand).callsFake((i: { BackupVaultName: string; RecoveryPointArn: string }) => {
    vaults.set(i.BackupVaultName, (vaults.get(i.BackupVaultName) ?? []).filter((a) => a !== i.RecoveryPointArn));
    return {};
  });
  backup.on(DeleteBackupVaultCommand).callsFake((i: { BackupVaultName: string }) => {
    if (vaults.get(i.BackupVaultName)?.length) throw Object.assign(new Error('vault not empty'), { name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    if (!vaults.delete(i.BackupVaultName)) throw missing();
    return {};
  });
  backup.on(ListBackupSelectionsCommand).callsFake((i: { BackupPlanId: string }) => ({
    BackupSelectionsList: [...plans.get(i.BackupPlanId)!.selections].map(([id, s]) => ({ SelectionId: id, SelectionName: s.SelectionName })),
  }));
  backup.on(GetBackupSelectionCommand).callsFake((i: { BackupPlanId: string; SelectionId: string }) => ({ BackupSelection: plans.get(i.BackupPlanId)!.selections.get(i.SelectionId) }));
  backup.on(CreateBackupVaultCommand).callsFake((i: { BackupVaultName: string }) => {
    if (vaults.has(i.BackupVaultName)) throw Object.assign(new Error('exists'), { name: 'AlreadyExistsException', $metadata: { httpStatusCode: 400 } });
    vaults.set(i.BackupVaultName, []);
    return {};
  });
  backup.on(CreateBackupPlanCommand).callsFake((i: { BackupPlan: { BackupPlanName: string; Rules: BackupRule[] } }) => {
    const id = `plan-${++n}`;
    plans.set(id, { name: i.BackupPlan.BackupPlanName, rules: i.BackupPlan.Rules, selections: new Map() });
    return { BackupPlanId: id };
  });
  backup.on(CreateBackupSelectionCommand).callsFake((i: { BackupPlanId: string; BackupSelection: BackupSelection }) => {
    const id = `sel-${++n}`;
    // A copy, as AWS keeps it: an edit of the stored selection must not reach the caller's object.
    plans.get(i.BackupPlanId)!.selections.set(id, structuredClone(i.BackupSelection));
    return { SelectionId: id };
  });
  const addPlan = (name: string, selections: BackupSelection[]) => {
    const id = `plan-${++n}`;
    plans.set(id, { name, selections: new Map(selections.map((s) => [`sel-${++n}`, s])) });
  };
  return { plans, vaults, addPlan };
}

/** The Backup calls a stub answered, as the permission proof reads requests. */
const backupCalls = (backup: ReturnType<typeof mockClient>): SentRequest[] =>
  backup.calls().map((c) => {
    const command = c.args[0] as { constructor: { name: string }; input: unknown };
    return { service: 'Backup', operation: command.constructor.name.replace(/Command$/, ''), input: command.input };
  });

describe('resources.backups: the selection path (stubbed: moto lacks backup selections)', () => {
  // Made per test and restored after it: a mock made at load time would answer the moto tests above too.
  let backup: ReturnType<typeof mockClient>;
  beforeEach(() => {
    backup = mockClient(BackupClient);
  });
  afterEach(() => backup.restore());

  async function fixThrough(inputs: unknown, seed: (ctx: RunContext) => Promise<unknown>, before?: (fake: ReturnType<typeof fakeBackup>) => void) {
    const fake = fakeBackup(backup);
    before?.(fake);
    const sent: SentRequest[] = [];
    return inSandbox({ seed, onRequest: (service, operation, input) => void sent.push({ service, operation, input }) }, async (ctx) => {
      const first = await checkStep(entry, ctx);
      const plan = await planStep(first, ctx, inputs);
      sent.length = 0;
      backup.resetHistory();
      const journal: JournalEntry[] = [];
      const applied = await applyPlan(step.meta.id, plan, ctx, (e) => void journal.push(e));
      const fixSent = [...sent, ...backupCalls(backup)];
      const after = await checkStep(entry, ctx);
      const again = await planStep(after, ctx, inputs);
      return { first, plan, applied, journal, fixSent, after, again, fake };
    });
  }

  it('stubbed: moto lacks backup selections: day-one plan → apply → re-check passes, and a second plan is empty', async () => {
    const r = await fixThrough(undefined, dayOne);
    expect(r.applied).toMatchObject({ ok: true });
    expect(r.journal.at(-1)).toMatchObject({ operation: 'CreateBackupSelection', result: 'ok', output: { BackupPlanId: 'plan-1', SelectionId: 'sel-2' } });
    expect(r.after.result.status).toBe('pass');
    expect(r.after.result.findings.map((f) => f.message)).toEqual([
      expect.stringContaining('keeps automated backups 7 days'),
      `Database ${DAY_ONE_DB} (postgres) in us-east-1 is backed up by AWS Backup plan ${PLAN} (selection secure-start-backup-secure-start, by tag backup=secure-start).`,
    ]);
    expect(r.again.actions).toEqual([]);
    // The printed fix policy allows every call, PassRole of secure-start-backup to AWS Backup included.
    expect(r.fixSent.map((s) => `${s.service}:${s.operation}`)).toContain('Backup:CreateBackupSelection');
    expect(uncovered(step.meta, 'fix', r.fixSent, SANDBOX_ACCOUNT_ID)).toEqual([]);
  }, 60_000);

  it('stubbed: moto lacks backup selections: the tag the person picks (team=data) is the one put on the database and selected', async () => {
    const r = await fixThrough({ tagKey: 'team', tagValue: 'data' }, dayOne);
    const selection = backup.commandCalls(CreateBackupSelectionCommand)[0]!.args[0].input.BackupSelection;
    expect(selection).toMatchObject({ SelectionName: 'secure-start-team-data', Conditions: { StringEquals: [{ ConditionKey: 'aws:ResourceTag/team', ConditionValue: 'data' }] } });
    expect(r.after.result.status).toBe('pass');
    expect(r.after.result.findings[1]!.message).toContain('by tag team=data');
  }, 60_000);

  it('stubbed: moto lacks backup selections: our plan already selects the tag: only the tag is added to the database', async () => {
    const r = await fixThrough(
      undefined,
      (ctx) => makeInstance(ctx, 'orders'),
      (fake) =>
        fake.addPlan(PLAN, [
          {
            SelectionName: 'secure-start-backup-secure-start',
            IamRoleArn: 'x',
            Resources: ['*'],
            Conditions: { StringEquals: [{ ConditionKey: 'aws:ResourceTag/backup', ConditionValue: 'secure-start' }] },
          },
        ]),
    );
    expect(r.plan.actions.map((a) => a.operation)).toEqual(['AddTagsToResource']);
    expect(r.after.result.status).toBe('pass');
  }, 60_000);

  it('stubbed: moto lacks backup selections: a database named by ARN, a pattern, and one no selection names', async () => {
    const fake = fakeBackup(backup);
    fake.addPlan('nightly', [{ SelectionName: 'by-arn', IamRoleArn: 'x', Resources: [`arn:aws:rds:us-east-1:${SANDBOX_ACCOUNT_ID}:db:orders`] }]);
    fake.addPlan('weekly', [{ SelectionName: 'reports', IamRoleArn: 'x', Resources: ['arn:aws:rds:*:*:db:report*'], NotResources: ['arn:aws:rds:*:*:db:reports-tmp'] }]);
    await inSandbox(
      {
        seed: async (ctx) => {
          for (const id of ['orders', 'reports-2026', 'reports-tmp']) await makeInstance(ctx, id);
        },
      },
      async (ctx) => {
        const checked = await checkStep(entry, ctx);
        expect(checked.result.findings.filter((f) => !f.message.includes('keeps automated backups')).map((f) => `${f.status}: ${f.message}`)).toEqual([
          'pass: Database orders (postgres) in us-east-1 is backed up by AWS Backup plan nightly (selection by-arn, by its ARN).',
          'pass: Database reports-2026 (postgres) in us-east-1 is backed up by AWS Backup plan weekly (selection reports, by the ARN pattern arn:aws:rds:*:*:db:report*).',
          'fail: Database reports-tmp (postgres) in us-east-1: no selection of AWS Backup plans nightly and weekly names it; only its RDS automated backups (7 days) protect it.',
        ]);
      },
    );
  }, 60_000);

  it('stubbed: moto lacks backup selections: access denied on GetBackupSelection is an error naming the permission, never a pass', async () => {
    fakeBackup(backup).addPlan('nightly', [{ SelectionName: 's', IamRoleArn: 'x' }]);
    backup.on(GetBackupSelectionCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    await inSandbox({ seed: (ctx) => makeInstance(ctx, 'orders') }, async (ctx) => {
      const checked = await checkStep(entry, ctx);
      expect(checked.result.status).toBe('error');
      expect(checked.result.findings.map((f) => f.status)).toEqual(['pass', 'error']);
      expect(checked.result.findings[1]!.message).toMatch(/^AWS Backup in us-east-1 could not be read: Access denied.*backup:GetBackupSelection/);
    });
  }, 60_000);

  it('stubbed: moto lacks backup selections: a selection answer without its document selects nothing', async () => {
    fakeBackup(backup).addPlan('nightly', [{ SelectionName: 's', IamRoleArn: 'x' }]);
    backup.on(GetBackupSelectionCommand).resolves({});
    await inSandbox({ seed: (ctx) => makeInstance(ctx, 'orders') }, async (ctx) => {
      expect((await checkStep(entry, ctx)).result.findings[1]).toMatchObject({ status: 'fail' });
    });
  }, 60_000);
});

describe('undo', () => {
  const kinds = (run: FixUndoRun) => run.items.map((i) => `${i.entry.operation}: ${i.kind}`);

  it('retention goes back to the days recorded before the fix (moto)', async () => {
    const seed = async (ctx: RunContext) => {
      await makeInstance(ctx, 'orders', { BackupRetentionPeriod: 3 });
      await ctx.client(BackupClient).send(new CreateBackupPlanCommand({ BackupPlan: planDocument() }));
    };
    await inSandbox({ seed }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined);
      expect(kinds(run)).toEqual(['ModifyDBInstance: undo']);
      expect(run.afterUndo).toEqual(run.before);
      expect((await describeInstance(ctx, 'orders')).BackupRetentionPeriod).toBe(3);
    });
  }, 60_000);

  it('retention someone changed after the fix is refused as drifted, and their value stays (moto)', async () => {
    const seed = async (ctx: RunContext) => {
      await makeInstance(ctx, 'orders', { BackupRetentionPeriod: 3 });
      await ctx.client(BackupClient).send(new CreateBackupPlanCommand({ BackupPlan: planDocument() }));
    };
    await inSandbox({ seed }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, {
        between: async (c) => void (await c.client(RDSClient).send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'orders', BackupRetentionPeriod: 14, ApplyImmediately: true }))),
      });
      expect(kinds(run)).toEqual(['ModifyDBInstance: drifted']);
      expect(run.items[0]).toMatchObject({ reason: expect.stringContaining('Now: 14 days; the fix wrote: 7 days') });
      expect((await describeInstance(ctx, 'orders')).BackupRetentionPeriod).toBe(14);
    });
  }, 60_000);

  describe('stubbed: moto lacks backup selections', () => {
    let backup: ReturnType<typeof mockClient>;
    beforeEach(() => {
      backup = mockClient(BackupClient);
    });
    afterEach(() => backup.restore());

    const WRITES = /^(Modify|Add|Remove|Create|Delete|Attach|Detach|Put|Update)/;

    it('stubbed: moto lacks backup selections: the whole day-one fix undone, newest first; the check reads as before', async () => {
      const fake = fakeBackup(backup);
      const sent: SentRequest[] = [];
      await inSandbox({ seed: dayOne, onRequest: (service, operation, input) => void sent.push({ service, operation, input }) }, async (ctx) => {
        sent.length = 0; // the seed's calls are not the fix's
        const run = await fixThenUndo(entry, ctx, undefined);
        expect(kinds(run)).toEqual([
          'CreateBackupSelection: undo',
          'AddTagsToResource: undo',
          'CreateBackupPlan: undo',
          'CreateBackupVault: undo',
          'AttachRolePolicy: undo',
          'AttachRolePolicy: undo',
          'CreateRole: undo',
          'ModifyDBInstance: undo',
        ]);
        expect(run.afterFix).not.toEqual(run.before);
        expect(run.afterUndo).toEqual(run.before);
        expect(run.journal.filter((e) => e.undoes !== undefined).map((e) => e.result)).toEqual(Array(8).fill('ok'));
        expect(fake.plans.size).toBe(0);
        expect(fake.vaults.size).toBe(0);
        await expect(ctx.client(IAMClient).send(new GetRoleCommand({ RoleName: ROLE }))).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
        const db = await describeInstance(ctx, DAY_ONE_DB);
        expect(db.BackupRetentionPeriod).toBe(1);
        expect(db.TagList ?? []).not.toContainEqual(expect.objectContaining({ Key: 'backup' }));
        // Undo's writes are within `policy --for fix`.
        const writes = [...sent, ...backupCalls(backup)].filter((r) => WRITES.test(r.operation));
        expect(writes.map((r) => r.operation)).toEqual(expect.arrayContaining(['DeleteBackupSelection', 'DeleteBackupPlan', 'DeleteBackupVault', 'DetachRolePolicy', 'DeleteRole', 'RemoveTagsFromResource']));
        expect(uncovered(step.meta, 'fix', writes, SANDBOX_ACCOUNT_ID)).toEqual([]);
        // Its reads (and the checks') within `policy --for check`.
        const reads = [...sent, ...backupCalls(backup)].filter((r) => !WRITES.test(r.operation));
        expect(reads.map((r) => r.operation)).toEqual(expect.arrayContaining(['GetBackupSelection', 'GetBackupPlan', 'DescribeBackupVault', 'ListRecoveryPointsByBackupVault', 'ListRolePolicies']));
        expect(uncovered(step.meta, 'check', reads, SANDBOX_ACCOUNT_ID)).toEqual([]);
      });
    }, 60_000);

    it('stubbed: moto lacks backup selections: what someone changed after the fix is refused as drifted, and their change stays', async () => {
      const fake = fakeBackup(backup);
      await inSandbox({ seed: dayOne }, async (ctx) => {
        const run = await fixThenUndo(entry, ctx, undefined, {
          between: async (c) => {
            // Someone gives the role another policy, re-tags the database, moves the plan's schedule and edits the selection.
            await c.client(IAMClient).send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
            await c.client(RDSClient).send(new AddTagsToResourceCommand({ ResourceName: DB_ARN, Tags: [{ Key: 'backup', Value: 'weekly' }] }));
            const [plan] = [...fake.plans.values()];
            plan!.rules = [{ ...plan!.rules![0]!, ScheduleExpression: 'cron(0 3 ? * * *)' }];
            const [sel] = [...plan!.selections.values()];
            sel!.Resources = [DB_ARN];
          },
        });
        expect(kinds(run)).toEqual([
          'CreateBackupSelection: drifted',
          'AddTagsToResource: drifted',
          'CreateBackupPlan: drifted',
          'CreateBackupVault: undo',
          'AttachRolePolicy: undo',
          'AttachRolePolicy: undo',
          'CreateRole: drifted',
          'ModifyDBInstance: undo',
        ]);
        expect(run.items[1]).toMatchObject({ reason: expect.stringContaining('Now: weekly; the fix wrote: secure-start') });
        expect(run.items[6]).toMatchObject({ reason: expect.stringContaining('ReadOnlyAccess') });
        // Their edits stay.
        expect((await describeInstance(ctx, DAY_ONE_DB)).TagList).toContainEqual({ Key: 'backup', Value: 'weekly' });
        const [plan] = [...fake.plans.values()];
        expect(plan!.rules![0]!.ScheduleExpression).toBe('cron(0 3 ? * * *)');
        expect([...plan!.selections.values()][0]!.Resources).toEqual([DB_ARN]);
        const attached = (await ctx.client(IAMClient).send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE }))).AttachedPolicies?.map((p) => p.PolicyName);
        expect(attached).toEqual(['ReadOnlyAccess']);
      });
    }, 60_000);

    it('stubbed: moto lacks backup selections: a vault holding backups is deleted only by a destructive action, left out by default', async () => {
      const fake = fakeBackup(backup);
      const point = `arn:aws:rds:us-east-1:${SANDBOX_ACCOUNT_ID}:snapshot:awsbackup:job-1`;
      await inSandbox({ seed: dayOne }, async (ctx) => {
        const run = await fixThenUndo(entry, ctx, undefined, { between: async () => void fake.vaults.set(VAULT, [point]) });
        const vault = run.items.find((i) => i.entry.operation === 'CreateBackupVault')!;
        expect(vault).toMatchObject({ kind: 'undo', warnings: [expect.stringContaining('they stay until they expire or someone deletes them')] });
        expect(vault.kind === 'undo' && vault.actions.map((a) => a.destructive)).toEqual([true]);
        // `undo --yes` leaves it out: the vault and its backup stay; everything else is undone.
        expect(fake.vaults.get(VAULT)).toEqual([point]);
        expect(fake.plans.size).toBe(0);
      });
      // Confirmed, it deletes the backup, then the vault.
      const again = fakeBackup(backup.reset() as unknown as ReturnType<typeof mockClient>);
      await inSandbox({ seed: dayOne }, async (ctx) => {
        await fixThenUndo(entry, ctx, undefined, { includeDestructive: true, between: async () => void again.vaults.set(VAULT, [point]) });
        expect(again.vaults.size).toBe(0);
        expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input)).toEqual([{ BackupVaultName: VAULT, RecoveryPointArn: point }]);
      });
    }, 90_000);
  });
});
