/**
 * Task lists (listr2) for applying a plan and a spinner while a step is checked.
 *
 * While a list is live, listr2 owns the screen: the default renderer redraws its lines in place
 * and anything else written meanwhile (console.log, an Output, a prompt) is overwritten or
 * garbled (listr2 issue 296). So: NOTHING else may print or prompt while `runTaskList` or
 * `withSpinner` is running. Ask every question before the list starts, collect what the tasks
 * produce (secrets, messages) and print it after the list has ended. Tasks here never prompt.
 */
import { Writable } from 'node:stream';
import type { ListrBaseClassOptions } from 'listr2';
import { Listr, ListrDefaultRendererLogLevels, ListrLogLevels, ListrLogger, ProcessOutput } from 'listr2';
import type { Output } from './theme.js';
import { colorEnabled, stdoutOutput, stripAnsi } from './theme.js';

export interface TaskSpec {
  title: string;
  run: () => Promise<void>;
}

export type TaskRenderer = 'default' | 'simple' | 'silent';

export interface TaskListOptions {
  /** `default` redraws in place on a terminal and falls back to `simple` (one line per event) elsewhere. */
  renderer?: TaskRenderer;
  /** Stop at the first failure (the engine's rule for plans). Default true. */
  exitOnError?: boolean;
  /** Where to write; default process.stdout. Any other Output gets the `simple` renderer. */
  output?: Output;
}

export interface TaskListResult {
  /** Every task ran and none failed. */
  ok: boolean;
  /** The first failure's message. */
  error?: string;
  /** The first failure as thrown. */
  cause?: unknown;
  /** The title of the task that failed first. */
  failedTask?: string;
}

function processOutputFor(out: Output): ProcessOutput {
  const strip = !colorEnabled();
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      const s = String(chunk);
      out.write(strip ? stripAnsi(s) : s);
      cb();
    },
  });
  // listr2 only writes to and reads `columns` from these streams.
  Object.assign(stream, { columns: out.columns ?? 80, isTTY: false });
  const ws = stream as unknown as NodeJS.WriteStream;
  return new ProcessOutput(ws, ws, { dump: [], leaveEmptyLine: false });
}

const identity = (s?: string) => s ?? '';
/** listr2 merges this over its colour map: every level's colour becomes the identity. */
const PLAIN_COLORS = Object.fromEntries(
  [...Object.values(ListrLogLevels), ...Object.values(ListrDefaultRendererLogLevels)].map((level) => [level, identity]),
);

type AnyListrOptions = ListrBaseClassOptions<Record<string, never>, TaskRenderer, 'simple'>;

function listrOptions(opts: TaskListOptions): AnyListrOptions {
  const custom = opts.output !== undefined && opts.output !== stdoutOutput;
  const tty = !custom && Boolean(process.stdout.isTTY);
  let renderer: TaskRenderer = opts.renderer ?? 'default';
  if (renderer === 'default' && !tty) renderer = 'simple';
  // Without colour the icons are still distinct (✔ ✖ ↓) and failures say FAILED.
  const plain = colorEnabled() ? {} : { color: PLAIN_COLORS };
  // The simple renderer writes through its logger; give it one bound to the Output.
  const processOutput = custom
    ? { logger: new ListrLogger<ListrLogLevels>({ useIcons: true, toStderr: [], processOutput: processOutputFor(opts.output!) }) }
    : {};
  const base = {
    concurrent: false,
    exitOnError: opts.exitOnError ?? true,
    // The wizard handles Ctrl-C itself (save progress, exit cleanly): listr2 must not.
    registerSignalListeners: false,
    collectErrors: 'minimal' as const,
    fallbackRenderer: 'simple' as const,
    fallbackRendererCondition: !tty,
    fallbackRendererOptions: { ...plain, ...processOutput },
  };
  // listr2 takes the fallback renderer whenever its condition holds: silent must say so itself.
  if (renderer === 'silent') return { ...base, renderer: 'silent', silentRendererCondition: true };
  if (renderer === 'simple') return { ...base, renderer: 'simple', rendererOptions: { ...plain, ...processOutput } };
  return {
    ...base,
    renderer: 'default',
    rendererOptions: {
      ...plain,
      showErrorMessage: true,
      collapseErrors: false,
      collapseSubtasks: false,
      removeEmptyLines: true,
      formatOutput: 'wrap',
    },
  };
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Runs tasks one after another under a listr2 list. Never throws for a task's failure: returns
 * whether all succeeded and the first error. See the module comment: nothing else may print
 * while it runs.
 */
export async function runTaskList(tasks: TaskSpec[], opts: TaskListOptions = {}): Promise<TaskListResult> {
  let first: { err: unknown; title: string } | undefined;
  const list = new Listr(
    tasks.map((t) => ({
      title: t.title,
      task: async () => {
        try {
          await t.run();
        } catch (err) {
          first ??= { err, title: t.title };
          throw err;
        }
      },
    })),
    listrOptions(opts),
  );
  try {
    await list.run();
  } catch (err) {
    first ??= { err, title: '' };
  }
  if (!first) return { ok: true };
  return { ok: false, error: messageOf(first.err), cause: first.err, ...(first.title ? { failedTask: first.title } : {}) };
}

/**
 * Shows a spinner titled `title` while `fn` runs and returns its value; rethrows its error once
 * the spinner has stopped. Nothing else may print until it returns.
 */
export async function withSpinner<T>(title: string, fn: () => Promise<T>, opts: Omit<TaskListOptions, 'exitOnError'> = {}): Promise<T> {
  let value: { v: T } | undefined;
  const result = await runTaskList(
    [
      {
        title,
        run: async () => {
          value = { v: await fn() };
        },
      },
    ],
    { ...opts, exitOnError: true },
  );
  if (!result.ok) throw result.cause;
  return value!.v;
}
