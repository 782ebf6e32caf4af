import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DetachGroupPolicyCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import { authorizationDetails } from '../../steps/account/_shared/iam-data.js';
import step, { SEED_GROUP, SEED_USERS } from '../../steps/account/groups-only/index.js';
import { groupPolicies, permissionKeys, userPolicies } from '../../steps/account/groups-only/model.js';
import { resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { inSandbox, isReadRequest, makeSandboxContext, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

// The day-one scenario and the IAM steps attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] };
/** The same document with its keys in another order and other spacing. */
const DOC_REORDERED = '{ "Statement": [ { "Resource": "*", "Action": "sqs:SendMessage", "Effect": "Allow" } ], "Version": "2012-10-17" }';

const MOVE_NEW = ['iam:CreateGroup', 'iam:PutGroupPolicy', 'iam:AttachGroupPolicy', 'iam:AddUserToGroup', 'iam:DetachUserPolicy', 'iam:DeleteUserPolicy'];

function seedWith(fn: (iam: IAMClient) => Promise<void>) {
  return (ctx: RunContext) => fn(ctx.client(IAMClient));
}

runStepCases(step, [
  {
    name: 'no IAM users: nothing to move',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: 'There are no IAM users, so none holds policies of their own.' }],
  },
  {
    name: 'users who get everything through groups pass',
    seed: seedWith(async (iam) => {
      await iam.send(new CreateGroupCommand({ GroupName: 'ops' }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'ops', PolicyArn: READ_ONLY }));
      await iam.send(new CreateUserCommand({ UserName: 'olga' }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'ops', UserName: 'olga' }));
      await iam.send(new CreateUserCommand({ UserName: 'nobody' }));
    }),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: 'No IAM user holds policies of their own: all 2 users get their permissions through groups.' }],
  },
  {
    name: 'the day-one seed: riley joins the existing readers group; jordan and taylor share one new group',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', resource: 'arn:aws:iam::123456789012:user/riley.analyst', message: 'IAM user riley.analyst holds 1 managed policy directly instead of through a group: managed ReadOnlyAccess.' },
      {
        status: 'fail',
        resource: 'arn:aws:iam::123456789012:user/jordan.dev',
        message: 'IAM user jordan.dev holds 1 managed policy and 1 inline policy directly instead of through a group: managed ReadOnlyAccess; inline publish-site.',
      },
      { status: 'fail', resource: 'arn:aws:iam::123456789012:user/taylor.dev' },
    ],
    expectOperations: [
      'iam:AddUserToGroup',
      'iam:DetachUserPolicy',
      ...MOVE_NEW,
      'iam:AddUserToGroup',
      'iam:DetachUserPolicy',
      'iam:DeleteUserPolicy',
    ],
    expectFindingsAfter: [{ status: 'pass', message: expect.stringContaining('all 3 users get their permissions through groups') }],
  },
  {
    name: 'a derived name already taken by a different group gets a suffix',
    seed: seedWith(async (iam) => {
      await iam.send(new CreateGroupCommand({ GroupName: 'send' }));
      await iam.send(new CreateUserCommand({ UserName: 'ada' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'ada', PolicyName: 'send', PolicyDocument: JSON.stringify(DOC) }));
    }),
    expectStatus: 'fail',
    expectOperations: ['iam:CreateGroup', 'iam:PutGroupPolicy', 'iam:AddUserToGroup', 'iam:DeleteUserPolicy'],
  },
  {
    name: 'an existing group with the same inline document (other key order, other name) is reused',
    seed: seedWith(async (iam) => {
      await iam.send(new CreateGroupCommand({ GroupName: 'senders' }));
      await iam.send(new PutGroupPolicyCommand({ GroupName: 'senders', PolicyName: 'queue', PolicyDocument: DOC_REORDERED }));
      await iam.send(new CreateUserCommand({ UserName: 'bo' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'bo', PolicyName: 'send', PolicyDocument: JSON.stringify(DOC) }));
    }),
    expectStatus: 'fail',
    expectOperations: ['iam:AddUserToGroup', 'iam:DeleteUserPolicy'],
  },
  {
    name: 'a user already in a matching group only loses the duplicate of their own',
    seed: seedWith(async (iam) => {
      await iam.send(new CreateGroupCommand({ GroupName: 'viewers' }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'viewers', PolicyArn: READ_ONLY }));
      await iam.send(new CreateUserCommand({ UserName: 'cy' }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'viewers', UserName: 'cy' }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'cy', PolicyArn: READ_ONLY }));
    }),
    expectStatus: 'fail',
    expectOperations: ['iam:DetachUserPolicy'],
  },
  {
    name: 'a group with more than the user’s policies is not reused',
    seed: seedWith(async (iam) => {
      const custom = await iam.send(new CreatePolicyCommand({ PolicyName: 'queue-send', PolicyDocument: JSON.stringify(DOC) }));
      await iam.send(new CreateGroupCommand({ GroupName: 'wider' }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'wider', PolicyArn: READ_ONLY }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'wider', PolicyArn: custom.Policy!.Arn! }));
      await iam.send(new CreateUserCommand({ UserName: 'dee' }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'dee', PolicyArn: custom.Policy!.Arn! }));
    }),
    expectStatus: 'fail',
    expectOperations: ['iam:CreateGroup', 'iam:AttachGroupPolicy', 'iam:AddUserToGroup', 'iam:DetachUserPolicy'],
  },
]);

/** Every user's permission keys (direct and through groups), as IAM holds them now. */
async function effectivePermissions(ctx: RunContext): Promise<Record<string, string[]>> {
  ctx.invalidate();
  const d = await authorizationDetails(ctx);
  const groups = new Map(d.GroupDetailList.map((g) => [g.GroupName!, groupPolicies(g)]));
  return Object.fromEntries(
    d.UserDetailList.map((u) => [
      u.UserName!,
      [...new Set([...permissionKeys(userPolicies(u)), ...(u.GroupList ?? []).flatMap((g) => permissionKeys(groups.get(g)!))])].sort(),
    ]),
  );
}

describe('account.groups-only: the same permissions before and after', () => {
  it('states it in the plan, and IAM agrees after the fix; the undos restore the account as it was', async () => {
    await resetMoto();
    const ctx = makeSandboxContext();
    const entry = { meta: step.meta, load: async () => step };
    try {
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      ctx.factory.readOnly = true;
      const before = await effectivePermissions(ctx);
      const checked = await checkStep(entry, ctx);
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.warnings?.[0]).toMatch(/^Permissions before and after are the same set for each of the 3 users/);
      expect(plan.actions.find((a) => a.operation === 'CreateGroup')!.params).toEqual({ GroupName: 'ReadOnlyAccess+publish-site' });
      expect(plan.actions.filter((a) => a.operation === 'AddUserToGroup').map((a) => a.params)).toEqual([
        { GroupName: SEED_GROUP, UserName: 'riley.analyst' },
        { GroupName: 'ReadOnlyAccess+publish-site', UserName: 'jordan.dev' },
        { GroupName: 'ReadOnlyAccess+publish-site', UserName: 'taylor.dev' },
      ]);
      expect(plan.actions.filter((a) => a.destructive).every((a) => a.inverse)).toBe(true);

      ctx.factory.readOnly = false;
      for (const a of plan.actions) await a.run(ctx);
      ctx.factory.readOnly = true;
      const after = await effectivePermissions(ctx);
      expect(after).toEqual(before);
      for (const u of SEED_USERS) expect(after[u]!.length).toBeGreaterThan(0);

      // Undo in reverse order, through the inverses the journal would record.
      ctx.factory.readOnly = false;
      const iam = ctx.client(IAMClient);
      const inverse: Record<string, (p: never) => { input: unknown }> = {
        DeleteGroup: (p) => new DeleteGroupCommand(p),
        DeleteGroupPolicy: (p) => new DeleteGroupPolicyCommand(p),
        DetachGroupPolicy: (p) => new DetachGroupPolicyCommand(p),
        RemoveUserFromGroup: (p) => new RemoveUserFromGroupCommand(p),
        AttachUserPolicy: (p) => new AttachUserPolicyCommand(p),
        PutUserPolicy: (p) => new PutUserPolicyCommand(p),
      };
      for (const a of [...plan.actions].reverse()) await iam.send(inverse[a.inverse!.operation]!(a.inverse!.params as never) as never);
      ctx.factory.readOnly = true;
      expect(await effectivePermissions(ctx)).toEqual(before);
      ctx.invalidate();
      const restored = await checkStep(entry, ctx);
      expect(restored.result.findings).toEqual(checked.result.findings);
      expect((await authorizationDetails(ctx)).GroupDetailList.map((g) => g.GroupName)).toEqual([SEED_GROUP]);
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('account.groups-only: reads', () => {
  it('check and plan read the authorization details once, whatever the number of users', async () => {
    const { checked, sent, recorded } = await recordCheckAndPlan(step, {
      seed: async (ctx) => {
        await step.seed!(ctx);
        const iam = ctx.client(IAMClient);
        for (let i = 0; i < 8; i++) {
          await iam.send(new CreateUserCommand({ UserName: `extra-${i}` }));
          await iam.send(new PutUserPolicyCommand({ UserName: `extra-${i}`, PolicyName: 'send', PolicyDocument: JSON.stringify(DOC) }));
        }
      },
    });
    expect(checked.result.findings).toHaveLength(11);
    expect(sent).toEqual(['IAM:GetAccountAuthorizationDetails']);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
  });
});

describe('account.groups-only: undo', () => {
  const entry = { meta: step.meta, load: async () => step };
  const NEW_GROUP = 'ReadOnlyAccess+publish-site';

  it('puts every user’s own policies back, then empties and deletes the group it made; permissions end as they began', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const permissions = await effectivePermissions(ctx);
      const run = await fixThenUndo(entry, ctx, undefined);
      expect(run.items.every((i) => i.kind === 'undo')).toBe(true);
      expect(run.journal.find((e) => e.operation === 'CreateGroup')!.output).toEqual({
        leaves: { members: ['jordan.dev', 'taylor.dev'], managed: [READ_ONLY], inline: [{ name: 'publish-site', document: expect.any(String) }] },
      });
      const created = run.journal.findIndex((e) => e.operation === 'CreateGroup');
      expect(run.journal.find((e) => e.undoes === created)).toMatchObject({ operation: 'DeleteGroup', params: { GroupName: NEW_GROUP }, result: 'ok' });
      expect(run.afterUndo).toEqual(run.before);
      expect(await effectivePermissions(ctx)).toEqual(permissions);
      expect((await authorizationDetails(ctx)).GroupDetailList.map((g) => g.GroupName)).toEqual([SEED_GROUP]);
    });
  });

  it('keeps the group it made when someone joined it since, and says so; the rest is undone', async () => {
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, {
        between: async (c) => {
          const iam = c.client(IAMClient);
          await iam.send(new CreateUserCommand({ UserName: 'sam.new' }));
          await iam.send(new AddUserToGroupCommand({ GroupName: NEW_GROUP, UserName: 'sam.new' }));
        },
      });
      const group = run.items.find((i) => i.entry.operation === 'CreateGroup')!;
      expect(group).toMatchObject({ kind: 'drifted', reason: expect.stringContaining('member sam.new') });
      expect(run.items.filter((i) => i !== group).every((i) => i.kind === 'undo')).toBe(true);
      const details = await authorizationDetails(ctx);
      expect(details.GroupDetailList.map((g) => g.GroupName).sort()).toEqual([NEW_GROUP, SEED_GROUP].sort());
      expect(details.UserDetailList.find((u) => u.UserName === 'sam.new')!.GroupList).toEqual([NEW_GROUP]);
      // The three users hold their own policies again, as before the fix.
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('refuses to overwrite an inline policy someone changed after the fix', async () => {
    const edited = { ...DOC, Statement: [{ ...DOC.Statement[0], Action: 'sqs:*' }] };
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, undefined, {
        between: async (c) => void (await c.client(IAMClient).send(new PutGroupPolicyCommand({ GroupName: NEW_GROUP, PolicyName: 'publish-site', PolicyDocument: JSON.stringify(edited) }))),
      });
      expect(run.items.filter((i) => i.kind === 'drifted').map((i) => i.entry.operation).sort()).toEqual(['CreateGroup', 'PutGroupPolicy']);
      const group = (await authorizationDetails(ctx)).GroupDetailList.find((g) => g.GroupName === NEW_GROUP)!;
      expect(JSON.parse(decodeURIComponent(group.GroupPolicyList![0]!.PolicyDocument!))).toEqual(edited);
    });
  });
});
