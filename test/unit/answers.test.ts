/**
 * The answers file (ARCHITECTURE.md, "The answers file"; issue 9 item 6, issue 10 item 6): checked
 * whole for the selected steps before anything runs, unselected entries ignored, the engine's
 * `"apply"` field, blanks as "not answered", and an unedited template that decides nothing a person
 * should decide. Pure: the steps' schemas and plans, no AWS.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answersProblems, answersTemplate, closeIds, loadAnswers } from '../../src/engine/answers.js';
import { consentReasons, honouredSkip, refusalUnderYes } from '../../src/engine/consent.js';
import { UserError } from '../../src/engine/errors.js';
import { answered, checkEntry, isBlank, resolveInputs, splitEntry } from '../../src/engine/inputs.js';
import type { Plan, PlanAction, StepMeta } from '../../src/engine/types.js';
import { registry } from '../../steps/index.js';
import type { StepEntry } from '../../steps/index.js';

const byId = (id: string): StepEntry => registry.find((e) => e.meta.id === id)!;
const pick = (...ids: string[]) => ids.map(byId);
const load = (id: string) => byId(id).load();

async function fileWith(data: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'secure-start-answers-'));
  const file = join(dir, 'answers.json');
  await writeFile(file, JSON.stringify(data));
  return file;
}

async function refusal(file: string, selected: StepEntry[]): Promise<UserError> {
  try {
    await loadAnswers(file, selected);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('loadAnswers accepted the file');
}

describe('checking the answers file before anything runs', () => {
  it('lists every problem of every selected step at once, with step id and field path', async () => {
    const file = await fileWith({
      'account.password-policy': { minimumLength: 3, reusePrevention: 25 },
      'account.admin-identity': { userName: 'ada lovelace' },
      'monitoring.alerts': { email: 'a@b', phone: '+1 555 0100' },
      'monitoring.guardduty': { apply: 'yes' },
    });
    const err = await refusal(file, pick('account.password-policy', 'account.admin-identity', 'monitoring.alerts', 'monitoring.guardduty'));
    expect(err.exitCode).toBe(2);
    const lines = err.message.split('\n').slice(1);
    expect(lines).toHaveLength(6);
    expect(err.message).toMatch(/6 problems; nothing was changed/);
    expect(lines).toEqual([
      expect.stringMatching(/^ {2}- account\.password-policy › minimumLength: .*at least 6/),
      expect.stringMatching(/^ {2}- account\.password-policy › reusePrevention: .*at most 24/),
      expect.stringMatching(/^ {2}- account\.admin-identity › userName: .*no spaces/),
      expect.stringMatching(/^ {2}- monitoring\.alerts › email: "a@b" is not an email address/),
      expect.stringMatching(/^ {2}- monitoring\.alerts › phone: not an input of this step \(its inputs: email, apply\)/),
      expect.stringMatching(/^ {2}- monitoring\.guardduty › apply: true or false/),
    ]);
  });

  it('ignores entries for steps that exist but are not selected, bad or not', async () => {
    const file = await fileWith({ 'monitoring.alerts': { email: 'a@b' }, 'account.regions': { allowed: ['moon-1'] } });
    await expect(loadAnswers(file, pick('account.password-policy'))).resolves.toHaveProperty(['monitoring.alerts']);
    expect(await answersProblems({ 'monitoring.alerts': { email: 'a@b' } }, pick('data.s3-encryption'))).toEqual({ unknown: [], problems: [] });
  });

  it('names ids that no area has, suggesting close ones; $ keys are notes', async () => {
    const file = await fileWith({ $comment: 'mine', 'account.pasword-policy': {}, 'data.guardduty': {} });
    const err = await refusal(file, pick('account.password-policy'));
    expect(err.message).toMatch(/unknown steps: account\.pasword-policy, data\.guardduty/);
    expect(err.hint).toMatch(/Did you mean account\.password-policy or monitoring\.guardduty\?/);
    expect(closeIds('account.mfa')).toEqual([]);
  });

  it('refuses an entry that is not an object, and inputs given to a step that takes none', async () => {
    const { problems } = await answersProblems({ 'monitoring.cloudtrail': true, 'monitoring.guardduty': { apply: true, regions: ['us-east-1'] } }, pick('monitoring.cloudtrail', 'monitoring.guardduty'));
    expect(problems).toEqual([
      expect.stringMatching(/^monitoring\.cloudtrail › \(entry\): an object/),
      expect.stringMatching(/^monitoring\.guardduty › regions: not an input of this step \(it takes only "apply"\)/),
    ]);
  });

  it('accepts "apply" as true, false or null on every step, and $ notes inside an entry', async () => {
    for (const apply of [true, false, null]) {
      const data = Object.fromEntries(registry.map((e) => [e.meta.id, { apply, $note: 'why' }]));
      expect((await answersProblems(data, registry)).problems, String(apply)).toEqual([]);
    }
  });
});

describe('blank values are not answers', () => {
  it('tells blank from wrong: a blank field is missing, a wrong one invalid', async () => {
    const alerts = await load('monitoring.alerts');
    expect(checkEntry(alerts, { email: '  ' })).toMatchObject({ invalid: [], missing: [expect.stringMatching(/^email: /)] });
    expect(checkEntry(alerts, { email: 'a@b' })).toMatchObject({ invalid: [expect.stringMatching(/^email: /)], missing: [] });
    const regions = await load('account.regions');
    expect(checkEntry(regions, { allowed: [] }).missing).toEqual([expect.stringMatching(/^allowed: /)]);
    expect(checkEntry(regions, { allowed: [] }).invalid).toEqual([]);
    expect(isBlank({ a: '', b: [], c: { d: null } })).toBe(true);
    expect(isBlank({ a: 0 })).toBe(false);
  });

  it('an empty allowed-regions list is "not answered", never "deny everything"', async () => {
    const regions = await load('account.regions');
    const r = resolveInputs(regions, [], { allowed: [], apply: true });
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/needs inputs left blank in the answers file: allowed/) });
  });

  it('an entry with only "apply" gives no inputs: defaults where safe, else the step needs them', async () => {
    const pp = await load('account.password-policy');
    expect(resolveInputs(pp, [], { apply: true })).toMatchObject({ ok: true, fromAnswers: false });
    const alerts = await load('monitoring.alerts');
    expect(resolveInputs(alerts, [], { apply: true })).toEqual({ ok: false, message: expect.stringMatching(/needs inputs: fill in "monitoring\.alerts"/) });
    expect(resolveInputs(alerts, [], undefined)).toEqual({ ok: false, message: expect.stringMatching(/needs inputs: add "monitoring\.alerts" to the answers file/) });
    expect(resolveInputs(alerts, [], { email: 'sec@example.com', apply: true, $apply: 'note' })).toEqual({ ok: true, inputs: { email: 'sec@example.com' }, fromAnswers: true });
  });

  it('splits the engine fields from the inputs', () => {
    expect(splitEntry({ apply: true, $apply: 'x', email: 'e' })).toEqual({ apply: true, inputs: { email: 'e' } });
    expect(splitEntry({ apply: null })).toEqual({ inputs: {} });
    expect(splitEntry({ apply: 1 })).toEqual({ badApply: 1, inputs: {} });
    expect(splitEntry([])).toEqual({ notAnObject: true });
    expect(answered({ apply: false, $apply: 'x' })).toBe(false);
    expect(answered({ apply: true })).toBe(true);
    expect(answered({ buckets: 'all' })).toBe(true);
  });
});

describe('every input has bounds', () => {
  const huge = 'a'.repeat(1000);
  /** Every leaf of a template entry, by path. */
  function leaves(v: unknown, path: string[] = []): Array<{ path: string[]; value: unknown }> {
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]));
    return [{ path, value: v }];
  }
  const withLeaf = (entry: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> => {
    const copy = structuredClone(entry);
    let at: Record<string, unknown> = copy;
    for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
    at[path.at(-1)!] = value;
    return copy;
  };

  it('refuses an over-long, mistyped or out-of-range value in every field of every step (exit 2, not a late failure)', async () => {
    const template = await answersTemplate(registry);
    let fields = 0;
    for (const e of registry) {
      const step = await e.load();
      if (!step.inputs) continue;
      const entry = (template[e.meta.id] ?? {}) as Record<string, unknown>;
      for (const { path, value } of leaves(entry)) {
        if (path[0] === 'apply' || path[0]!.startsWith('$')) continue;
        fields++;
        const where = `${e.meta.id} ${path.join('.')}`;
        const bad: unknown[] = [{ nested: 1 }, huge];
        // A yes/no field takes true and false; anything else (a string, a number) is wrong.
        if (typeof value === 'boolean') bad.push('true', 1);
        else bad.push(true);
        if (Array.isArray(value)) bad.push([huge], [{ nested: 1 }], [42]);
        if (typeof value === 'number' || value === null) bad.push(-1, 0.5, 1e9);
        for (const b of bad) expect(checkEntry(step, withLeaf(entry, path, b)).invalid, `${where} = ${JSON.stringify(b).slice(0, 30)}`).not.toEqual([]);
      }
    }
    expect(fields).toBeGreaterThan(20);
  });

  it('bounds the password policy as IAM does', async () => {
    const pp = await load('account.password-policy');
    for (const [field, values] of Object.entries({ minimumLength: [3, 5, 129], reusePrevention: [0, 25], maxAgeDays: [0, 1096] }))
      for (const v of values) expect(checkEntry(pp, { [field]: v }).invalid, `${field}=${v}`).toHaveLength(1);
    expect(checkEntry(pp, { minimumLength: 6, reusePrevention: 24, maxAgeDays: null })).toMatchObject({ invalid: [], missing: [] });
  });

  it('bounds a KMS key reference as KMS does (alias names up to 256 characters)', async () => {
    const enc = await load('data.s3-encryption');
    expect(checkEntry(enc, { algorithm: 'SSE-KMS', kmsKeyId: `alias/${'k'.repeat(300)}` }).invalid).toHaveLength(1);
    expect(checkEntry(enc, { algorithm: 'SSE-KMS', kmsKeyId: 'alias/my-key' }).invalid).toEqual([]);
  });
});

describe('an unedited template decides nothing a person should decide', () => {
  it('is a valid answers file for every step, with no unknown id', async () => {
    const template = { $comment: 'x', ...(await answersTemplate(registry)) };
    expect(await answersProblems(template, registry)).toEqual({ unknown: [], problems: [] });
  });

  it('guesses no regions, names no person, and sets "apply": false wherever a fix may cost or take away', async () => {
    const template = (await answersTemplate(registry)) as Record<string, Record<string, unknown>>;
    expect(template['account.regions']!.allowed).toEqual([]);
    for (const e of registry) {
      const { paid, destructive, destructiveWhen, kind } = e.meta.fix;
      if (kind !== 'advice' && (paid || destructive || destructiveWhen)) expect(template[e.meta.id], e.meta.id).toMatchObject({ apply: false, $apply: expect.stringMatching(/Set to true/) });
      else expect(template[e.meta.id]?.apply, e.meta.id).toBeUndefined();
    }
    // A fix that takes something away only in some accounts says when, beside "apply".
    expect(template['infrastructure.default-security-groups']).toMatchObject({
      apply: false,
      $apply: expect.stringMatching(/where it removes or disables something \(when a network interface uses the default group\)/),
    });
    // The steps whose inputs only a person can give stay unanswered.
    for (const id of ['account.admin-identity', 'account.security-contacts', 'account.regions', 'monitoring.alerts']) {
      const step = await load(id);
      expect(resolveInputs(step, [], template[id]), id).toMatchObject({ ok: false, message: expect.stringMatching(/needs inputs/) });
    }
  });
});

describe('consent under --yes', () => {
  const action = (extra: Partial<PlanAction> = {}): PlanAction => ({ service: 's', operation: 'Op', region: 'global', params: {}, summary: 'x', run: async () => undefined, ...extra });
  const metaWith = (fix: Partial<StepMeta['fix']>): StepMeta => ({ ...byId('account.password-policy').meta, id: 'x.y', fix: { ...byId('account.password-policy').meta.fix, ...fix } });
  const plan = (p: Partial<Plan> = {}): Plan => ({ actions: [action()], ...p });

  it('asks for "apply": true where the wizard asks with No as the default: paid or destructive', () => {
    const free = metaWith({});
    expect(consentReasons(free, plan())).toEqual([]);
    expect(consentReasons(free, plan({ actions: [action({ destructive: true })] }))).toEqual(['it removes or disables something']);
    expect(consentReasons(free, plan({ cost: { scale: 'cents', detail: '…' } }))).toEqual([expect.stringMatching(/running cost, cents a month/)]);
    const paid = metaWith({ paid: true, costScale: 'dollars' });
    expect(consentReasons(paid, plan())).toHaveLength(1);
    // A plan that prices itself free (SSE-S3 rather than a new KMS key) costs nothing.
    expect(consentReasons(paid, plan({ cost: { scale: 'free', detail: '' } }))).toEqual([]);
    expect(consentReasons(metaWith({ destructive: true, paid: true, costScale: 'cents' }), plan())).toHaveLength(2);
    // Nothing to change, nothing to consent to.
    expect(consentReasons(paid, plan({ actions: [] }))).toEqual([]);
  });

  it('refuses without "apply": true, says which field to add; false is the same as no answer', () => {
    const meta = metaWith({ paid: true, costScale: 'dollars' });
    for (const answer of [undefined, {}, { apply: false }, { apply: null }])
      expect(refusalUnderYes(meta, plan(), answer), JSON.stringify(answer)).toMatch(/running cost.*add "apply": true to "x\.y" in the answers file/);
    expect(refusalUnderYes(meta, plan(), { apply: true })).toBeUndefined();
    expect(refusalUnderYes(metaWith({}), plan(), undefined)).toBeUndefined();
  });

  it('honours a recorded skip unless the run names the step', () => {
    const skipped = { status: 'skipped', reason: 'Accepted as is', at: '2026-12-01T10:00:00.000Z' };
    expect(honouredSkip(skipped, 'monitoring.flow-logs', undefined)).toMatch(/^accepted as is on 2026-12-01 \(Accepted as is\); name it with --step monitoring\.flow-logs/);
    expect(honouredSkip(skipped, 'monitoring.flow-logs', ['monitoring.guardduty'])).toBeDefined();
    expect(honouredSkip(skipped, 'monitoring.flow-logs', ['monitoring.flow-logs'])).toBeUndefined();
    expect(honouredSkip({ status: 'fail', at: skipped.at }, 'monitoring.flow-logs', undefined)).toBeUndefined();
    expect(honouredSkip(undefined, 'monitoring.flow-logs', undefined)).toBeUndefined();
    expect(honouredSkip({ ...skipped, reason: 'ok\x1b[2K\nPASS' }, 'monitoring.flow-logs', undefined)).toContain('(ok[2K\\nPASS)');
  });
});
