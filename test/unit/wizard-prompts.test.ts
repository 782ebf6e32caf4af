import { render } from '@inquirer/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Validator } from '../../src/engine/types.js';
import type { PromptContext, StepChoiceOptions } from '../../src/wizard/prompts.js';
import { InquirerAsker, SKIP_REASON_MAX, askReadLesson, askSkipReason, askStepChoice, confirmPlan, isPromptExit, wrapMessage, wrappingStyles } from '../../src/wizard/prompts.js';
import { bufferOutput, setColor } from '../../src/wizard/theme.js';

const email: Validator = (v) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) ? true : 'Enter an email address like name@example.com');

// The asker and the wizard's own prompts as @inquirer/testing prompts: (config, context) => answer.
type Asker = InquirerAsker;
const asker = (ctx?: PromptContext) => new InquirerAsker({ context: ctx });
const askText = (q: Parameters<Asker['text']>[0], ctx?: PromptContext) => asker(ctx).text(q);
const askNumber = (q: Parameters<Asker['number']>[0], ctx?: PromptContext) => asker(ctx).number(q);
const askSelect = (q: Parameters<Asker['select']>[0], ctx?: PromptContext) => asker(ctx).select(q);
const askCheckbox = (q: Parameters<Asker['checkbox']>[0], ctx?: PromptContext) => asker(ctx).checkbox(q);
const stepChoice = (opts: StepChoiceOptions, ctx?: PromptContext) => askStepChoice(ctx, opts);
const confirm = (opts: { destructive: boolean; paid: boolean }, ctx?: PromptContext) => confirmPlan(opts, ctx);
const skipReason = (_: object, ctx?: PromptContext) => askSkipReason(ctx);
const readLesson = (_: object, ctx?: PromptContext) => askReadLesson(ctx);

/** Ctrl-U: readline clears the line (inquirer keeps a rejected answer on the line for editing). */
const clearLine = { name: 'u', ctrl: true };

beforeEach(() => setColor(false));

describe('InquirerAsker.text', () => {
  it('shows the validator message for a bad answer and lets the person retry', async () => {
    const { answer, events, getScreen, nextRender } = await render(askText, { message: 'Security contact email', validate: email });
    expect(getScreen()).toContain('Security contact email');
    events.type('not-an-email');
    events.keypress('enter');
    await nextRender();
    expect(getScreen()).toContain('Enter an email address like name@example.com');
    events.keypress(clearLine);
    events.type('  alice@example.com ');
    events.keypress('enter');
    await expect(answer).resolves.toBe('alice@example.com');
  });

  it('takes the default with Enter', async () => {
    const { answer, events, getScreen } = await render(askText, { message: 'Group name', default: 'Administrators' });
    expect(getScreen()).toContain('(Administrators)');
    events.keypress('enter');
    await expect(answer).resolves.toBe('Administrators');
  });

  it('refuses a blank answer when required', async () => {
    const { answer, events, getScreen, nextRender } = await render(askText, { message: 'Name', required: true });
    events.type('   ');
    events.keypress('enter');
    await nextRender();
    expect(getScreen()).toContain('An answer is required.');
    events.keypress(clearLine);
    events.type('Alice');
    events.keypress('enter');
    await expect(answer).resolves.toBe('Alice');
  });

  it('leaves Ctrl-C to the caller as ExitPromptError', async () => {
    const { answer, events } = await render(askText, { message: 'Name' });
    events.keypress({ name: 'c', ctrl: true });
    const err = await answer.catch((e: unknown) => e);
    expect(isPromptExit(err)).toBe(true);
    expect((err as Error).name).toBe('ExitPromptError');
  });
});

describe('InquirerAsker: number, select, checkbox, note', () => {
  it('keeps a number within min and max', async () => {
    const { answer, events, getScreen, nextRender } = await render(askNumber, { message: 'Minimum length', min: 14, max: 128, default: 14 });
    events.type('8');
    events.keypress('enter');
    await nextRender();
    expect(getScreen()).toContain('between 14 and 128');
    events.keypress(clearLine);
    events.type('16');
    events.keypress('enter');
    await expect(answer).resolves.toBe(16);
  });

  it('takes a number default with Enter', async () => {
    const { answer, events } = await render(askNumber, { message: 'Reuse prevention', min: 1, max: 24, default: 24 });
    events.keypress('enter');
    await expect(answer).resolves.toBe(24);
  });

  it('selects with the arrow keys and starts on the default', async () => {
    const choices = [
      { value: 'SSE-S3', name: 'SSE-S3 (free)' },
      { value: 'SSE-KMS', name: 'SSE-KMS (a KMS key, costs a little)' },
    ];
    const first = await render(askSelect, { message: 'Encryption', choices });
    first.events.keypress('down');
    first.events.keypress('enter');
    await expect(first.answer).resolves.toBe('SSE-KMS');
    const second = await render(askSelect, { message: 'Encryption', choices, default: 'SSE-KMS' });
    second.events.keypress('enter');
    await expect(second.answer).resolves.toBe('SSE-KMS');
  });

  it('ticks checkboxes with space', async () => {
    const choices = [
      { value: 'us-east-1', name: 'us-east-1', checked: true },
      { value: 'eu-west-1', name: 'eu-west-1' },
    ];
    const { answer, events } = await render(askCheckbox, { message: 'Regions you use', choices });
    events.keypress('down');
    events.keypress('space');
    events.keypress('enter');
    await expect(answer).resolves.toEqual(['us-east-1', 'eu-west-1']);
  });

  it('writes notes to its Output', () => {
    const out = bufferOutput();
    new InquirerAsker({ output: out }).note('Keys last used more than 90 days ago:');
    expect(out.text()).toBe('Keys last used more than 90 days ago:\n');
  });
});

describe('confirmPlan', () => {
  it('defaults to No for a destructive fix', async () => {
    const { answer, events, getScreen } = await render(confirm, { destructive: true, paid: false });
    expect(getScreen()).toContain('y/N');
    // Why is said once, at the end of the plan above the question (planView), not again here.
    expect(getScreen()).not.toContain('removes or disables something');
    events.keypress('enter');
    await expect(answer).resolves.toBe(false);
  });

  it('defaults to No for a paid fix', async () => {
    const { answer, events, getScreen } = await render(confirm, { destructive: false, paid: true });
    expect(getScreen()).toContain('y/N');
    events.keypress('enter');
    await expect(answer).resolves.toBe(false);
  });

  it('defaults to Yes otherwise', async () => {
    const { answer, events, getScreen } = await render(confirm, { destructive: false, paid: false });
    expect(getScreen()).toContain('Y/n');
    events.keypress('enter');
    await expect(answer).resolves.toBe(true);
  });

  it('still applies a destructive fix when the person types yes', async () => {
    const { answer, events } = await render(confirm, { destructive: true, paid: false });
    events.type('y');
    events.keypress('enter');
    await expect(answer).resolves.toBe(true);
  });
});

describe('askStepChoice', () => {
  it('offers the five choices and moves with the arrow keys', async () => {
    const { answer, events, getScreen } = await render(stepChoice, { canFix: true, hasPlan: true });
    const screen = getScreen();
    for (const label of ['Fix it', 'Show the plan first', 'Explain more', 'Skip (accept as is)', 'Save and quit']) expect(screen).toContain(label);
    events.keypress('down');
    events.keypress('down');
    events.keypress('enter');
    await expect(answer).resolves.toBe('explain');
  });

  it('starts on "Fix it"', async () => {
    const { answer, events } = await render(stepChoice, { canFix: true, hasPlan: true });
    events.keypress('enter');
    await expect(answer).resolves.toBe('fix');
  });

  it('does not offer a fix when there is none', async () => {
    const { answer, events, getScreen } = await render(stepChoice, { canFix: false, hasPlan: false });
    expect(getScreen()).not.toContain('Fix it');
    expect(getScreen()).not.toContain('Show the plan first');
    events.keypress('up');
    events.keypress('enter');
    await expect(answer).resolves.toBe('quit');
  });

  it('an advice step offers what to do by hand, not a plan of changes', async () => {
    const { answer, events, getScreen } = await render(stepChoice, { canFix: false, hasPlan: true });
    expect(getScreen()).toContain('Show what to do');
    expect(getScreen()).not.toContain('API call');
    events.keypress('enter');
    await expect(answer).resolves.toBe('plan');
  });

  it('offers "Re-check now" when asked to', async () => {
    const { answer, events, getScreen } = await render(stepChoice, { canFix: false, hasPlan: true, canRecheck: true });
    expect(getScreen()).toContain('Re-check now');
    events.keypress('down');
    events.keypress('enter');
    await expect(answer).resolves.toBe('recheck');
  });
});

describe('askSkipReason and askReadLesson', () => {
  it('needs a reason of at most 200 characters', async () => {
    const { answer, events, getScreen, nextRender } = await render(skipReason, {});
    events.keypress('enter');
    await nextRender();
    expect(getScreen()).toContain('Please give a short reason');
    events.type('x'.repeat(SKIP_REASON_MAX + 1));
    events.keypress('enter');
    await nextRender();
    expect(getScreen()).toContain(`under ${SKIP_REASON_MAX} characters`);
    events.keypress(clearLine);
    events.type(' We use SSO for people ');
    events.keypress('enter');
    await expect(answer).resolves.toBe('We use SSO for people');
  });

  it('reads the lesson by default', async () => {
    const { answer, events } = await render(readLesson, {});
    events.keypress('enter');
    await expect(answer).resolves.toBe(true);
  });
});

describe('notes between questions', () => {
  it('wrap at spaces to the terminal width, never mid-word', () => {
    let written = '';
    const a = new InquirerAsker({ output: { write: (s: string) => (written += s), columns: 40 } });
    a.note('AWS will send a confirmation email to this address: someone must click its link, or no alert is delivered.');
    const lines = written.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(39);
    expect(lines.join(' ')).toBe('AWS will send a confirmation email to this address: someone must click its link, or no alert is delivered.');
  });
});

describe('long words in notes and prompts (issue 10 item 7)', () => {
  it('a note keeps an ARN whole and continues a command with a backslash', () => {
    let written = '';
    const a = new InquirerAsker({ output: { write: (s: string) => (written += s), columns: 60 } });
    const cmd = 'aws iam enable-mfa-device --user-name dana --serial-number arn:aws:iam::123456789012:mfa/dana --authentication-code1 CODE1 --authentication-code2 CODE2';
    a.note(`Then run:\n  ${cmd}`);
    const lines = written.trimEnd().split('\n');
    expect(lines.slice(1, -1).every((l) => l.endsWith(' \\'))).toBe(true);
    expect(lines.slice(1).join('\n').replace(/ \\\n\s*/g, ' ').trim()).toBe(cmd);
    expect(written).toContain('arn:aws:iam::123456789012:mfa/dana');
  });

  it('a prompt message breaks at spaces, not where the line ends', () => {
    const msg = 'Apply these changes to IAM user passwords follow a strong policy (account.password-policy, HIGH)?';
    const lines = wrapMessage(msg, 60).split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(57);
    expect(lines.join(' ')).toBe(msg);
    expect(wrapMessage('Short?', 60)).toBe('Short?');
  });
});

describe('lines inquirer draws itself never break mid-word', () => {
  const words = (line: string) => line.split(/\s+/).filter(Boolean);

  it('a long validation error wraps at spaces under its "> "', () => {
    const { error } = wrappingStyles(2, 40);
    const lines = error('Enter an address range in CIDR notation, for example 203.0.113.0/24 for the office.').split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toMatch(/^> Enter/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(39);
    expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true);
    expect(words(lines.join(' ')).join(' ')).toBe('> Enter an address range in CIDR notation, for example 203.0.113.0/24 for the office.');
  });

  it('a long answer continues after the message and wraps at spaces, never past the edge', () => {
    const { answer } = wrappingStyles(30, 60);
    const reason = 'the VPN lands next quarter and until then the office reaches the hosts through this rule';
    const lines = answer(reason).split('\n');
    expect(lines[0]!.length + 30).toBeLessThanOrEqual(59);
    for (const l of lines.slice(1)) expect(l.length).toBeLessThanOrEqual(59);
    expect(words(lines.join(' ')).join(' ')).toBe(reason);
    expect(wrappingStyles(30, 60).answer('short')).toBe('short');
  });

  it('the skip reason echoed after a 100-column prompt keeps every word whole', async () => {
    const columns = process.stdout.columns;
    process.stdout.columns = 60;
    try {
      const { answer, events, getScreen } = await render(skipReason, {});
      events.type('handled by the platform team until the VPN lands next quarter');
      events.keypress('enter');
      await expect(answer).resolves.toBe('handled by the platform team until the VPN lands next quarter');
      const screen = getScreen();
      for (const l of screen.split('\n')) expect(l.length, l).toBeLessThanOrEqual(60);
      expect(screen.replace(/\s+/g, ' ')).toContain('handled by the platform team until the VPN lands next quarter');
    } finally {
      process.stdout.columns = columns;
    }
  });
});

describe('after a fix that does not pass', () => {
  it('asks to fix again only when something still fails; an endpoint gap or a manual look says so', async () => {
    const { afterFixLine } = await import('../../src/wizard/step-walk.js');
    expect(afterFixLine('fail')).toMatch(/Fix again/);
    for (const s of ['unsupported', 'manual', 'error']) expect(afterFixLine(s), s).not.toMatch(/Fix again/);
    expect(afterFixLine('unsupported')).toMatch(/cannot be read on this endpoint/);
    expect(afterFixLine('manual')).toMatch(/needs a person/);
  });
});
