/**
 * Undo, proven for the whole registry (issue 15): every registered step with an automatic fix and
 * a day-one fixture is seeded, checked (the snapshot: its findings, normalised), fixed with inputs
 * that make its fix act, undone (destructive undos included, as a person who says yes would), and
 * checked again. The check must read as the snapshot did, unless some change was `irreversible` or
 * `nothing` (each with its reason, and an irreversible one said so in the plan before the fix).
 * A step registered later is covered as soon as it is registered; one with an automatic fix and
 * no `undo` fails here with its name. Every inverse a plan records must be a call of the step's
 * `permissions.fix` (so `policy --for fix` covers undo), and one src/aws/call.ts can send.
 */
import { IAMClient, ListAccessKeysCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { canCall } from '../../src/aws/call.js';
import type { RunContext } from '../../src/engine/context.js';
import { resolveInputs } from '../../src/engine/inputs.js';
import { checkStep, planStep } from '../../src/engine/runner.js';
import type { Finding, StepEntry } from '../../src/engine/types.js';
import { registry } from '../../steps/index.js';
import { useManagedPolicies } from '../helpers/moto.js';
import { inSandbox } from '../helpers/sandbox.js';
import { fixThenUndo } from '../helpers/undo.js';

// The IAM fixtures attach AWS managed policies (ReadOnlyAccess, AdministratorAccess).
useManagedPolicies();

const failing = (findings: Finding[]) => findings.filter((f) => f.status === 'fail');
const bucketNames = (findings: Finding[]) => [...new Set(failing(findings).map((f) => f.resource.replace(/^arn:aws:s3:::/, '').split(/[ /]/)[0]!))];

/**
 * Answers-file entries that make a step's fix act on its own fixture, built from its first check
 * (ids moto makes up), as the e2e area tests build theirs. Steps not named here plan from their
 * defaults.
 */
const ANSWERS: Record<string, (findings: Finding[], ctx: RunContext) => Promise<unknown> | unknown> = {
  'account.admin-identity': () => ({ groupName: 'Administrators', userName: 'ada' }),
  'account.security-contacts': () => ({
    security: { name: 'Sam Secure', title: 'Security lead', email: 'security@example.com', phone: '+1 555 0100' },
    operations: { name: 'Olu Ops', title: 'Operations', email: 'ops@example.com', phone: '+1 555 0101' },
  }),
  'account.unused-credentials': async (_f, ctx) => {
    const iam = ctx.client(IAMClient);
    const users = (await iam.send(new ListUsersCommand({}))).Users ?? [];
    const keys = (await Promise.all(users.map((u) => iam.send(new ListAccessKeysCommand({ UserName: u.UserName }))))).flatMap((k) => k.AccessKeyMetadata ?? []);
    return { deactivateKeys: keys.map((k) => k.AccessKeyId), removeConsoleAccess: users.map((u) => u.UserName) };
  },
  'infrastructure.network-layout': (f) => ({ subnets: failing(f).map((x) => /subnet-[0-9a-f]+/.exec(x.resource)?.[0]).filter(Boolean) }),
  'resources.ec2-imdsv2': () => ({ accountDefault: true, instances: 'all' }),
  'resources.public-sharing': (f) => ({ unshare: failing(f).map((x) => x.resource.split(' ')[0]) }),
  'resources.rds-private': () => ({ databases: ['day-one-db'] }),
  'resources.lambda-public': () => ({ functions: ['day-one-thumbnailer', 'day-one-webhook'] }),
  'data.s3-account-public-access': () => ({ publicBucketsToClose: ['day-one-website', 'day-one-shared-files'] }),
  'data.s3-bucket-public-access': (f) => ({ buckets: bucketNames(f) }),
  'data.s3-tls-only': (f) => ({ buckets: bucketNames(f) }),
  'monitoring.alerts': () => ({ email: 'security@example.com' }),
};

const AUTO: StepEntry[] = registry.filter((e) => e.meta.fix.kind === 'auto');

describe('undo, for every step with an automatic fix', () => {
  it('covers the registry: the steps with an automatic fix are all here', () => {
    expect(AUTO.length).toBeGreaterThan(0);
    for (const id of Object.keys(ANSWERS)) expect(registry.map((e) => e.meta.id), `ANSWERS names ${id}, which is not registered`).toContain(id);
  });

  it.each(AUTO.map((e) => [e.meta.id, e] as const))('%s: fix, undo, and the check reads as before', async (id, entry) => {
    const step = await entry.load();
    if (!step.seed) return; // No day-one fixture: the step's own sandbox test covers its undo.
    await inSandbox({ seed: (ctx) => step.seed!(ctx) }, async (ctx) => {
      const first = await checkStep(entry, ctx);
      expect(first.result.status, `${id} fails on its day-one fixture`).toBe('fail');
      const given = await ANSWERS[id]?.(first.result.findings, ctx);
      const inputs = resolveInputs(step, first.result.findings, given);
      if (!inputs.ok) throw new Error(`${id}: the test's inputs are refused: ${inputs.message}`);
      // The inputs make the fix act (proven before undo is asked for, so the table is right already).
      const plan = await planStep(first, ctx, inputs.inputs);
      expect(plan.actions.length, `${id}: the plan from these inputs changes something`).toBeGreaterThan(0);
      // `policy --for fix` covers undo: every inverse the plan records is a call the step declares, and one undo can send.
      for (const a of plan.actions)
        if (a.inverse) {
          expect(canCall(a.inverse.service), `${id}: the inverse of ${a.operation} names a service src/aws/call.ts knows`).toBe(true);
          expect(step.meta.permissions.fix, `${id}: the inverse of ${a.operation} needs a permission in meta.permissions.fix`).toContain(iamActionFor(a.inverse.service, a.inverse.operation));
        }
      expect(step.undo, `${id} has an automatic fix but no undo(ctx, entry): add it (src/engine/types.ts, Step.undo)`).toBeTypeOf('function');
      const run = await fixThenUndo(entry, ctx, inputs.inputs, { includeDestructive: true });
      expect(run.plan.actions.length, `${id}: the plan from these inputs changes something`).toBeGreaterThan(0);
      expect(run.afterFix, `${id}: the fix changed what the check reads`).not.toEqual(run.before);

      const why = run.items.map((i) => `#${i.entry.index} ${i.entry.operation}: ${i.kind}${i.kind === 'undo' ? '' : ` (${i.reason})`}`).join('\n');
      // Nothing the tool itself changed a moment ago can have drifted, and every verdict could be read.
      for (const i of run.items) expect(['undo', 'irreversible', 'nothing'], `${id} verdicts:\n${why}`).toContain(i.kind);
      for (const i of run.items) if (i.kind !== 'undo') expect(i.reason.trim(), `${id}: a change undo leaves says why`).not.toBe('');
      // The plan said so before the fix: an action AWS cannot reverse carries `irreversible`.
      for (const i of run.items)
        if (i.kind === 'irreversible')
          expect(run.plan.actions[i.entry.index]?.irreversible, `${id}: #${i.entry.index} ${i.entry.operation} is irreversible in undo, so its plan action must say why`).toBeTruthy();
      // Every change of the fix was either undone or named as one undo leaves.
      const undoneIdx = new Set(run.journal.flatMap((e) => (e.undoes !== undefined && !(e as { undoPart?: boolean }).undoPart && e.result === 'ok' ? [e.undoes] : [])));
      for (const i of run.items) if (i.kind === 'undo') expect(undoneIdx.has(i.entry.index), `${id}: #${i.entry.index} is journalled as undone`).toBe(true);

      // Equal to the snapshot, unless the journal names a change undo leaves (irreversible or nothing, with its reason above).
      if (run.items.every((i) => i.kind === 'undo')) expect(run.afterUndo, `${id}: after the undo, the check reads as before the fix`).toEqual(run.before);
    });
  });
});
