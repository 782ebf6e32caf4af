import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runTaskList, withSpinner } from '../../src/wizard/tasks.js';
import { bufferOutput, setColor } from '../../src/wizard/theme.js';

beforeEach(() => setColor(false));
afterEach(() => vi.restoreAllMocks());

/** Everything written to process.stdout while `fn` runs. */
async function stdoutDuring(fn: () => Promise<unknown>): Promise<string> {
  let written = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return written;
}

describe('runTaskList', () => {
  it('runs tasks in order and reports success', async () => {
    const order: string[] = [];
    const tasks = ['a', 'b', 'c'].map((t) => ({
      title: t,
      run: async () => {
        await new Promise((r) => setTimeout(r, 5));
        order.push(t);
      },
    }));
    await expect(runTaskList(tasks, { renderer: 'silent', exitOnError: true })).resolves.toEqual({ ok: true });
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('stops at the first failure and returns it', async () => {
    const ran: string[] = [];
    const boom = new Error('AccessDenied: iam:UpdateAccountPasswordPolicy');
    const result = await runTaskList(
      [
        { title: 'first', run: async () => void ran.push('first') },
        {
          title: 'second',
          run: async () => {
            ran.push('second');
            throw boom;
          },
        },
        { title: 'third', run: async () => void ran.push('third') },
      ],
      { renderer: 'silent', exitOnError: true },
    );
    expect(ran).toEqual(['first', 'second']);
    expect(result).toMatchObject({ ok: false, error: boom.message, cause: boom, failedTask: 'second' });
  });

  it('can carry on after a failure when asked', async () => {
    const ran: string[] = [];
    const result = await runTaskList(
      [
        {
          title: 'one',
          run: async () => {
            throw new Error('nope');
          },
        },
        { title: 'two', run: async () => void ran.push('two') },
      ],
      { renderer: 'silent', exitOnError: false },
    );
    expect(ran).toEqual(['two']);
    expect(result.ok).toBe(false);
    expect(result.error).toBe('nope');
  });

  it('writes one line per event to a given Output with the simple renderer', async () => {
    const out = bufferOutput();
    const result = await runTaskList(
      [
        { title: 'Set the password policy', run: async () => {} },
        {
          title: 'Create the admin group',
          run: async () => {
            throw new Error('EntityAlreadyExists');
          },
        },
      ],
      { renderer: 'default', exitOnError: true, output: out },
    );
    expect(result.ok).toBe(false);
    const text = out.text();
    expect(text).toContain('Set the password policy');
    expect(text).toContain('Create the admin group');
    expect(text).toContain('EntityAlreadyExists');
    expect(text).not.toContain('\u001b[');
  });
});

describe('renderers', () => {
  it('the silent renderer prints nothing', async () => {
    const written = await stdoutDuring(() => runTaskList([{ title: 'Quiet task', run: async () => {} }], { renderer: 'silent', exitOnError: true }));
    expect(written).not.toContain('Quiet task');
  });

  it('a given Output gets everything and process.stdout nothing', async () => {
    const out = bufferOutput();
    const written = await stdoutDuring(() => runTaskList([{ title: 'Routed task', run: async () => {} }], { output: out }));
    expect(out.text()).toContain('✔ Routed task');
    expect(written).not.toContain('Routed task');
  });
});

describe('withSpinner', () => {
  it('returns the value', async () => {
    await expect(withSpinner('Checking', async () => 42, { renderer: 'silent' })).resolves.toBe(42);
  });

  it('rethrows the error after the spinner stops', async () => {
    const err = new Error('throttled');
    await expect(
      withSpinner(
        'Checking',
        async () => {
          throw err;
        },
        { renderer: 'silent' },
      ),
    ).rejects.toBe(err);
  });

  it('shows its title on the given Output', async () => {
    const out = bufferOutput();
    await withSpinner('Checking: a strong password policy', async () => 'ok', { output: out });
    expect(out.text()).toContain('Checking: a strong password policy');
  });
});
