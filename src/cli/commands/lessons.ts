import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registry } from '../../../steps/index.js';
import { UserError } from '../../engine/errors.js';
import { AREAS } from '../../engine/types.js';
import { lessonsDir } from '../../paths.js';
import type { GlobalOptions } from '../options.js';
import { invokedAs } from '../../engine/invocation.js';
import { wrap } from '../../engine/wrap.js';

async function show(md: string): Promise<void> {
  const { renderMarkdown } = await import('../../wizard/lesson.js');
  const { showPaged } = await import('../../wizard/pager.js');
  // A page at a time on a terminal (or $PAGER); whole when piped.
  await showPaged(renderMarkdown(md, process.stdout.columns || 80));
}

/** Offline reading: the list of lessons, one step's lesson, or an area's lesson and its steps'. */
export async function run(_opts: GlobalOptions, args: string[]): Promise<number> {
  const which = args[0];
  if (!which) {
    const out: string[] = [`Lessons (read one with \`${invokedAs()} lessons STEP\` or \`${invokedAs()} lessons AREA\`):`, ''];
    for (const area of AREAS) {
      const steps = registry.filter((e) => e.meta.area === area);
      out.push(`${area}${steps.length ? '' : '  (steps coming)'}`);
      // On a terminal a long title wraps at spaces under itself; piped, each step keeps one line.
      const width = process.stdout.isTTY ? process.stdout.columns || 80 : Infinity;
      for (const e of steps) out.push(...wrap(e.meta.title, width, { first: `  ${e.meta.id.padEnd(36)} ` }));
    }
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  }
  if ((AREAS as readonly string[]).includes(which)) {
    const parts = [await readFile(join(lessonsDir(), which, 'README.md'), 'utf8').catch(() => `# ${which}\n\nThis area's lessons are coming.\n`)];
    for (const e of registry.filter((x) => x.meta.area === which)) parts.push(await readFile(join(lessonsDir(), e.meta.lesson), 'utf8'));
    await show(parts.join('\n\n---\n\n'));
    return 0;
  }
  const entry = registry.find((e) => e.meta.id === which);
  if (!entry) throw new UserError(`No lesson named "${which}".`, `Run \`${invokedAs()} lessons\` to list them.`);
  await show(await readFile(join(lessonsDir(), entry.meta.lesson), 'utf8'));
  return 0;
}
