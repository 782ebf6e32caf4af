/**
 * `lessons` in a terminal: a page at a time (space for more, q to stop); `$PAGER` when set; the
 * whole text when stdout is not a terminal (cli-batch.test.ts reads it through a pipe).
 */
import { describe, expect, it } from 'vitest';
import { wizardRuns } from './pty.js';

const pty = wizardRuns();

const MORE = /-- more: space for the next page, q to stop --/;

describe('lessons in a terminal', () => {
  it('shows a long lesson a page at a time: space for the next, q to stop', async () => {
    const run = pty.wizard(['lessons', 'account'], { rows: 20, cols: 80 });
    await run.waitFor(/# The account/, 15_000);
    await run.waitFor(MORE);
    run.send(' ');
    await run.waitFor(MORE);
    run.send('q');
    expect(await run.exit).toBe(0);
    // Two pages of 19 lines, not the whole area (hundreds of lines).
    expect(run.output.split('\n').length).toBeLessThan(60);
  });

  it('opens $PAGER when it is set', async () => {
    const run = pty.wizard(['lessons', 'account'], { rows: 20, cols: 80, env: { PAGER: 'head -n 3; echo PAGER-WAS-HERE' } });
    await run.waitFor(/PAGER-WAS-HERE/, 15_000);
    expect(await run.exit).toBe(0);
    expect(run.output).not.toMatch(MORE);
  });
});
