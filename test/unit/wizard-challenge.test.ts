/** Challenge mode's pure parts: hints at three levels, the AWS CLI commands they show, the clock. */
import { render } from '@inquirer/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Finding, Plan, PlanAction, StepInputs, StepMeta, Target } from '../../src/engine/types.js';
import { REDACTED } from '../../src/engine/types.js';
import {
  EnterEverywhere,
  HINT_LEVELS,
  HINT_NAMES,
  awsCliCommand,
  challengeSummary,
  cliAccess,
  cliOperationName,
  duration,
  enterInputs,
  hintInputs,
  hintText,
  timeSpentMs,
} from '../../src/wizard/challenge.js';
import type { PromptContext } from '../../src/wizard/prompts.js';
import { askChallengeChoice } from '../../src/wizard/prompts.js';
import { setColor } from '../../src/wizard/theme.js';
import { execFileSync } from 'node:child_process';

/** The words a POSIX shell makes of a command line (its quoting undone), by asking one. */
const shellWords = (cmd: string): string[] => execFileSync('sh', ['-c', `printf '%s\\0' ${cmd}`], { encoding: 'utf8' }).split('\0').slice(0, -1);

beforeEach(() => setColor(false));

const meta = {
  id: 'account.password-policy',
  area: 'account',
  title: 'A strong password policy is set',
  severity: 'high',
  scope: 'global',
  references: {},
  lesson: 'account/password-policy.md',
  permissions: { check: [], fix: [] },
  fix: { kind: 'auto', costScale: 'free', cost: 'free', risk: 'Users must pick longer passwords.', destructive: false, paid: false },
} as StepMeta;

const action = (over: Partial<PlanAction>): PlanAction => ({
  summary: 'Set the password policy',
  service: 'iam',
  operation: 'UpdateAccountPasswordPolicy',
  region: 'global',
  params: { MinimumPasswordLength: 14, RequireSymbols: true },
  run: async () => undefined,
  ...over,
});

const plan: Plan = {
  actions: [
    action({}),
    action({ summary: "Block public access on bucket it's-mine", service: 's3', operation: 'PutPublicAccessBlock', region: 'eu-west-1', params: { Bucket: "it's-mine", PublicAccessBlockConfiguration: { BlockPublicAcls: true } } }),
  ],
};

describe('the AWS CLI command of a call', () => {
  it('names operations as the AWS CLI does', () => {
    expect(cliOperationName('UpdateAccountPasswordPolicy')).toBe('update-account-password-policy');
    expect(cliOperationName('ModifyDBInstance')).toBe('modify-db-instance');
    expect(cliOperationName('PutPublicAccessBlock')).toBe('put-public-access-block');
    expect(cliOperationName('EnableEbsEncryptionByDefault')).toBe('enable-ebs-encryption-by-default');
    expect(cliOperationName('CreateSAMLProvider')).toBe('create-saml-provider');
  });

  it('quotes the parameters for a shell, names the region of a regional call and the learner profile, maps s3 to s3api', () => {
    const cmd = awsCliCommand(plan.actions[1]!, { profile: 'classroom-ana' });
    const words = shellWords(cmd);
    expect(words.slice(0, 8)).toEqual(['aws', 's3api', 'put-public-access-block', '--profile', 'classroom-ana', '--region', 'eu-west-1', '--cli-input-json']);
    // What the shell hands the AWS CLI is the call's parameters exactly, the quote in the name included.
    expect(JSON.parse(words[8]!)).toEqual(plan.actions[1]!.params);
    expect(awsCliCommand(plan.actions[0]!)).not.toContain('--region');
  });

  it('never prints a secret: its place asks for one', () => {
    const cmd = awsCliCommand(action({ operation: 'CreateLoginProfile', params: { UserName: 'bob', Password: 'hunter2-secret' } }));
    expect(cmd).not.toContain('hunter2-secret');
    expect(cmd).not.toContain(REDACTED);
    expect(JSON.parse(shellWords(cmd).at(-1)!)).toEqual({ UserName: 'bob', Password: '<choose one>' });
  });

  it('keeps control characters from the account out of the command', () => {
    const cmd = awsCliCommand(action({ params: { Bucket: 'evil\u001b[31m' } }));
    expect(cmd).not.toContain("\u001b");
  });
});

describe('hints', () => {
  it('reveal more at each level: the operations, then their parameters, then the whole plan', () => {
    const one = hintText(1, meta, plan, 100);
    expect(one).toContain(`Hint 1 of ${HINT_LEVELS}: ${HINT_NAMES[0]}`);
    expect(one).toContain('iam:UpdateAccountPasswordPolicy (global)');
    expect(one).toContain('s3:PutPublicAccessBlock (region eu-west-1)');
    expect(one).not.toContain('MinimumPasswordLength');
    expect(one).not.toContain('Set the password policy');

    const two = hintText(2, meta, plan, 100);
    expect(two).toContain('"MinimumPasswordLength": 14');
    expect(two).toContain('aws iam update-account-password-policy --cli-input-json');
    expect(two).not.toContain('Risk:');

    const three = hintText(3, meta, plan, 100);
    expect(three).toContain('Plan: A strong password policy is set');
    expect(three).toContain('Risk: Users must pick longer passwords.');
    expect(three).toContain('aws s3api put-public-access-block');
  });

  it('for a fix done by hand, say so first and give the guidance next', () => {
    const byHand: Plan = { actions: [], guidance: 'Open the **console** and turn it on.' };
    expect(hintText(1, meta, byHand, 80)).toContain('done by hand');
    expect(hintText(1, meta, byHand, 80)).not.toContain('console** ');
    expect(hintText(2, meta, byHand, 80)).toContain('Open the console and turn it on.');
  });

  it('lay a long command out with ` \\` continuations that a shell reads as the one command', () => {
    const opts = { endpoint: 'http://127.0.0.1:46633', profile: 'classroom-learner-with-a-long-name' };
    const text = hintText(2, meta, plan, 60, opts);
    for (const a of plan.actions) {
      const cmd = awsCliCommand(a, opts);
      const head = cmd.split('\n')[0]!;
      const start = text.indexOf(`   aws ${a.service === 's3' ? 's3api' : a.service} `);
      expect(start, text).toBeGreaterThan(-1);
      const lines = text.slice(start).split('\n');
      // Continued lines end with ` \`, fit the width, and together give the words of the command.
      const taken: string[] = [];
      for (const line of lines) {
        taken.push(line);
        if (!line.endsWith(' \\')) break;
        expect(line.length, line).toBeLessThanOrEqual(60);
      }
      expect(taken.length).toBeGreaterThan(1);
      const joined = taken.map((l) => l.replace(/ \\$/, '').trim()).join(' ');
      expect(joined).toBe(head);
    }
  });

  it('fit the width given, except a command word that cannot be broken', () => {
    for (const level of [1, 2, 3])
      for (const line of hintText(level, meta, plan, 60).split('\n'))
        if (!line.includes("'")) expect(line.length, line).toBeLessThanOrEqual(60);
  });
});

describe('how the learner reaches the account', () => {
  const target: Target = { accountId: '111122223333', principalArn: 'arn:aws:iam::111122223333:root', isRoot: false, sandbox: true, endpoint: 'http://127.0.0.1:5000', partition: 'aws', homeRegion: 'us-east-1' };
  it('a learner of a class uses their profile; a sandbox of their own, the endpoint and the throw-away keys', () => {
    const learner = cliAccess(target, 'ana');
    expect(learner.profile).toBe('classroom-ana');
    expect(learner.lines.join('\n')).toContain('aws --profile classroom-ana sts get-caller-identity');
    const own = cliAccess(target);
    expect(own.profile).toBeUndefined();
    expect(own.lines.join('\n')).toContain('export AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_ACCESS_KEY_ID=sandbox');
    expect(cliAccess({ ...target, sandbox: false }).lines.join('\n')).not.toContain('AWS_ACCESS_KEY_ID');
  });
});

describe('the clock', () => {
  it('adds the open visit to the recorded time, and says it in words', () => {
    const now = new Date('2026-12-05T10:10:00Z');
    expect(timeSpentMs({ timeMs: 60_000 }, now)).toBe(60_000);
    expect(timeSpentMs({ timeMs: 60_000, since: '2026-12-05T10:08:00Z' }, now)).toBe(180_000);
    expect(duration(40_400)).toBe('40 s');
    expect(duration(12 * 60_000 + 5_000)).toBe('12 min');
    expect(duration(65 * 60_000)).toBe('1 h 05 min');
    expect(challengeSummary({ hints: 1, timeMs: 240_000, solvedAt: '2026-12-05T10:00:00Z' })).toBe('solved in 4 min with 1 hint');
    expect(challengeSummary({ hints: 0, timeMs: 30_000 }, now)).toBe('30 s, no hints, not solved yet');
  });
});

describe('pressing Enter at every question of a fix', () => {
  it('takes every default, and notes the questions that have none', async () => {
    const enter = new EnterEverywhere();
    expect(await enter.confirm({ default: false })).toBe(false);
    expect(await enter.select({ message: 'Which?', choices: [{ value: 'a' }, { value: 'b' }], default: 'b' })).toBe('b');
    expect(await enter.select({ message: 'Which?', choices: [{ value: 'a' }, { value: 'b' }] })).toBe('a');
    expect(await enter.checkbox({ choices: [{ value: 'x', checked: true }, { value: 'y' }] })).toEqual(['x']);
    expect(await enter.text({ message: 'Name', default: 'ops' })).toBe('ops');
    expect(await enter.text({ message: 'Security contact email' })).toBe('');
    expect(enter.unanswered).toEqual(['Security contact email']);
  });
});

describe('a hint for a judgement step, whose defaults keep everything', () => {
  // As resources.public-sharing asks: one confirmation per public snapshot, default No.
  const spec: StepInputs<{ unshare: string[] }> = {
    schema: z.strictObject({ unshare: z.array(z.string()) }),
    requiredInAnswers: false,
    defaults: () => ({ unshare: [] }),
    async ask(asker, initial, findings) {
      const chosen: string[] = [];
      for (const f of findings) if (await asker.confirm({ message: `Make ${f.resource} private?`, default: initial.unshare.includes(f.resource) })) chosen.push(f.resource);
      return { unshare: chosen };
    },
  };
  const findings = ['snap-1', 'snap-2'].map((resource) => ({ status: 'fail', region: 'us-east-1', resource, message: 'public' }) as Finding);

  it('Enter everywhere makes nothing private; every box ticked says yes to each item', async () => {
    expect(await enterInputs(spec, findings)).toEqual({ ok: true, value: { unshare: [] } });
    expect(await enterInputs(spec, findings, { checkAll: true })).toEqual({ ok: true, value: { unshare: ['snap-1', 'snap-2'] } });
    const all = new EnterEverywhere({ checkAll: true });
    expect(await all.checkbox({ choices: [{ value: 'x', checked: true }, { value: 'y' }] })).toEqual(['x', 'y']);
  });

  it('the hint is worked out from every item when Enter everywhere plans nothing', async () => {
    const planned: unknown[] = [];
    const got = await hintInputs(spec, findings, async (inputs) => {
      planned.push(inputs);
      return inputs.unshare.length > 0;
    });
    expect(planned).toEqual([{ unshare: [] }]);
    expect(got).toEqual({ ok: true, value: { unshare: ['snap-1', 'snap-2'] } });
  });
});

describe('the challenge menu', () => {
  const ask = (opts: { hintsUsed: number }, ctx?: PromptContext) => askChallengeChoice(ctx, { ...opts, levels: HINT_LEVELS, names: HINT_NAMES });

  it('offers "Check my work" first and the next hint by name; no fix, no plan', async () => {
    const { answer, events, getScreen } = await render(ask, { hintsUsed: 1 });
    const screen = getScreen();
    expect(screen).toContain('❯ Check my work');
    expect(screen).toContain('Hint 2 of 3: with what parameters');
    expect(screen).not.toMatch(/Fix it|Show the plan/);
    events.keypress('enter');
    await expect(answer).resolves.toBe('check');
  });

  it('once all hints are used, offers the whole plan again (not counted)', async () => {
    const { answer, events, getScreen } = await render(ask, { hintsUsed: 3 });
    expect(getScreen()).toContain('Show the whole plan again');
    events.keypress('down');
    events.keypress('enter');
    await expect(answer).resolves.toBe('hint');
  });
});
