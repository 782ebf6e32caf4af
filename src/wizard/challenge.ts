/**
 * Challenge mode (`--challenge`): the learner gets the lesson and the check, makes the change
 * themselves (AWS CLI or console), and asks the wizard to check their work. Hints reveal the plan
 * in three levels: where to look (service and operation), with what (the parameters, as an AWS CLI
 * command), then the whole plan. Pure: the texts, the AWS CLI commands and the time per step.
 */
import { CLASS_PROFILE, SANDBOX_REGION } from '../sandbox/constants.js';
import { safeBlock, safeText } from '../engine/safe-text.js';
import type { Asker, Finding, OperationSpec, Plan, StepInputs, StepMeta, Target } from '../engine/types.js';
import { REDACTED } from '../engine/types.js';
import { plural, wrap, wrapCommand } from '../engine/wrap.js';
import type { ChallengeRecord } from '../progress/index.js';
import { renderMarkdown } from './lesson.js';
import { maskSecrets, planView } from './render.js';
import { c } from './theme.js';

export const HINT_LEVELS = 3;

/** What each hint level reveals, as the menu names it. */
export const HINT_NAMES: readonly string[] = ['where to look', 'with what parameters', 'the whole plan'];

/** The AWS CLI's name of a service, where it differs from the name the steps record (the SDK's). */
const CLI_SERVICE: Record<string, string> = { s3: 's3api', config: 'configservice' };

/** `UpdateAccountPasswordPolicy` → `update-account-password-policy`, `ModifyDBInstance` → `modify-db-instance`. */
export function cliOperationName(operation: string): string {
  return operation
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/**
 * How hint commands reach the account: a class learner's profile; in a sandbox, its endpoint named
 * on every command (so the call cannot go to a real account whatever the shell's settings, and
 * AWS CLI v1 services that ignore AWS_ENDPOINT_URL, such as RDS, reach the emulator too).
 */
export interface CliOptions {
  profile?: string;
  endpoint?: string;
}

/** Single-quotes a word for a POSIX shell (a `'` inside becomes `'\''`). */
const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The AWS CLI command that makes the same call: the parameters as `--cli-input-json` (the API's
 * own shape, as the SDK takes it), a region for a regional call, the learner's profile in a class.
 * A secret in the parameters is never printed: its place says to choose one.
 */
export function awsCliCommand(op: OperationSpec, opts: CliOptions = {}): string {
  const service = CLI_SERVICE[op.service] ?? op.service;
  const words = ['aws', service, cliOperationName(op.operation)];
  if (opts.profile) words.push('--profile', opts.profile);
  if (opts.endpoint) words.push('--endpoint-url', opts.endpoint);
  if (op.region !== 'global') words.push('--region', op.region);
  if (Object.keys(op.params).length) {
    const params = JSON.stringify(maskSecrets(op.params), null, 2).replaceAll(JSON.stringify(REDACTED), '"<choose one>"');
    words.push('--cli-input-json', shellQuote(params));
  }
  return safeBlock(words.join(' '));
}

/** How the learner reaches the account this wizard works on, with the AWS CLI. */
export function cliAccess(target: Target, learner?: string): CliOptions & { lines: string[] } {
  const endpoint = target.sandbox && target.endpoint ? { endpoint: target.endpoint } : {};
  if (learner !== undefined) {
    const profile = `${CLASS_PROFILE}-${learner}`;
    return {
      profile,
      ...endpoint,
      lines: [
        `Your account is ${target.accountId}. With the AWS CLI, use the profile from your join text (the trainer's \`[profile ${profile}]\` block in ~/.aws/config):`,
        `  aws --profile ${profile} sts get-caller-identity`,
      ],
    };
  }
  if (target.sandbox && target.endpoint) {
    return {
      ...endpoint,
      lines: [
        `Your practice account is ${target.accountId} at ${target.endpoint}. To reach it with the AWS CLI, run this in another terminal (throw-away keys; nothing real):`,
        `  export AWS_ENDPOINT_URL=${target.endpoint} AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox AWS_DEFAULT_REGION=${SANDBOX_REGION}`,
        `  aws sts get-caller-identity`,
      ],
    };
  }
  return { lines: [`Make the changes in account ${target.accountId} with the AWS CLI (your usual profile) or the console.`] };
}

/** The hint at `level` (1 to 3) for a plan: the level's own text, each earlier level's included. */
export function hintText(level: number, meta: StepMeta, plan: Plan, columns: number, opts: CliOptions & { canUndo?: boolean } = {}): string {
  const n = Math.min(Math.max(1, level), HINT_LEVELS);
  const title = c.bold(`Hint ${n} of ${HINT_LEVELS}: ${HINT_NAMES[n - 1]}`);
  const out: string[] = [title];
  const byHand = !plan.actions.length;
  if (byHand && !plan.guidance) {
    // A judgement step: its fix changes only what the person picks, and picking nothing changes nothing.
    const ops = meta.permissions.fix.filter((a) => !/^(iam:PassRole|sts:)/.test(a));
    out.push(
      ...wrap('This step is a judgement: the fix changes only the items you choose, item by item (the findings above list them; "Explain more" says what to weigh). Its calls:', columns),
      ...wrap(ops.join(', ') || 'none', columns, { first: '  ', rest: '  ' }),
      ...wrap('Anything you decide to keep as it is: choose "Skip (accept as is)" and say why.', columns),
    );
    return out.join('\n');
  }
  if (n === 3) {
    out.push(planView(meta, plan, columns, { canUndo: opts.canUndo ?? true }));
    if (!byHand) out.push('', ...commandLines(plan, columns, opts));
    return out.join('\n');
  }
  if (byHand) {
    if (n === 1) out.push(...wrap('This one is not a single API call: it is done by hand (the console, or a person in your organization). The next hint says what to do.', columns));
    else out.push(renderMarkdown(safeBlock(plan.guidance ?? ''), columns));
    return out.join('\n');
  }
  if (n === 1) {
    const ops = [...new Map(plan.actions.map((a) => [`${a.service}:${a.operation}`, a])).values()];
    out.push(...wrap(`The fix is ${plural(plan.actions.length, 'call')} to ${ops.length === 1 ? 'this operation' : 'these operations'} (under each, the AWS CLI command that explains it):`, columns));
    for (const a of ops) {
      const where = a.region === 'global' ? 'global' : `region ${a.region}`;
      out.push(`  ${c.cyan(safeText(`${a.service}:${a.operation}`))} (${safeText(where)})`);
      out.push(...wrapCommand(safeText(`aws ${CLI_SERVICE[a.service] ?? a.service} ${cliOperationName(a.operation)} help`), columns, '    ').map((l) => c.dim(l)));
    }
    if (plan.guidance) out.push(...wrap('Part of it is done by hand, too: the next hints say what.', columns));
    return out.join('\n');
  }
  out.push(...wrap('Each call with its parameters, as an AWS CLI command:', columns), '', ...commandLines(plan, columns, opts));
  if (plan.guidance) out.push('', c.bold('By hand'), renderMarkdown(safeBlock(plan.guidance), columns));
  return out.join('\n');
}

function commandLines(plan: Plan, columns: number, opts: CliOptions): string[] {
  const out: string[] = [];
  plan.actions.forEach((a, i) => {
    out.push(...wrap(`${i + 1}. ${safeText(a.summary)}`, columns, { rest: '   ' }));
    const cmd = awsCliCommand(a, { ...(opts.profile !== undefined ? { profile: opts.profile } : {}), ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}) });
    // The command's words continue with ` \` to fit; the JSON after `--cli-input-json '{` is inside
    // the quotes, where a line break would change a value: its lines stay whole (a long one is
    // left to the terminal, whose soft wrap copies back as one line).
    const [head, ...json] = cmd.split('\n');
    out.push(...wrapCommand(head!, columns, '   '), ...json.map((l) => `   ${l}`));
  });
  return out;
}

/** `40 s`, `12 min`, `1 h 05 min`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The time spent on a step so far: the recorded visits, plus the current one while it lasts. */
export function timeSpentMs(record: Pick<ChallengeRecord, 'timeMs' | 'since'>, now: Date = new Date()): number {
  const current = record.since ? Math.max(0, now.getTime() - Date.parse(record.since)) : 0;
  return record.timeMs + (Number.isFinite(current) ? current : 0);
}

/** `solved in 4 min with 1 hint` / `4 min, 2 hints, not solved yet`. */
export function challengeSummary(record: ChallengeRecord, now?: Date): string {
  const time = duration(timeSpentMs(record, now));
  const hints = record.hints ? plural(record.hints, 'hint') : 'no hints';
  return record.solvedAt ? `solved in ${time} with ${hints}` : `${time}, ${hints}, not solved yet`;
}

/**
 * The answers a person gives by pressing Enter at every question of a fix: the inputs a hint's plan
 * is worked out from, as the fix would be. A question with no default is noted in `unanswered`.
 */
export class EnterEverywhere implements Asker {
  readonly unanswered: string[] = [];

  /** `checkAll`: tick every box of a checkbox question and say yes to every confirmation, not only the defaults. */
  constructor(private readonly opts: { checkAll?: boolean } = {}) {}

  text(q: { message: string; default?: string }): Promise<string> {
    if (q.default === undefined) this.unanswered.push(q.message);
    return Promise.resolve(q.default ?? '');
  }

  number(q: { message: string; default?: number; min?: number }): Promise<number> {
    if (q.default === undefined) this.unanswered.push(q.message);
    return Promise.resolve(q.default ?? q.min ?? 0);
  }

  /** With `checkAll`, yes: a judgement step asks one confirmation per item (make this snapshot private?). */
  confirm(q: { default: boolean }): Promise<boolean> {
    return Promise.resolve(this.opts.checkAll ? true : q.default);
  }

  select<T extends string>(q: { message: string; choices: { value: T }[]; default?: T }): Promise<T> {
    const first = q.default ?? q.choices[0]?.value;
    if (first === undefined) return Promise.reject(new Error(`"${q.message}" has no choice to take`));
    return Promise.resolve(first);
  }

  checkbox<T extends string>(q: { choices: { value: T; checked?: boolean }[] }): Promise<T[]> {
    return Promise.resolve(q.choices.filter((ch) => this.opts.checkAll || ch.checked).map((ch) => ch.value));
  }

  note(): void {}
}

/**
 * The inputs a hint's plan is worked out from when the person gave none: what pressing Enter at
 * every question of the fix gives (so a hint shows the fix a person would confirm, not a plan that
 * waits for their choice); with `checkAll`, every box ticked and every confirmation a yes (a judgement step
 * whose defaults keep everything). `unanswered`: questions with no default, which need the person's values.
 */
export async function enterInputs<I>(spec: StepInputs<I>, findings: Finding[], opts: { checkAll?: boolean } = {}): Promise<{ ok: true; value: I } | { ok: false; unanswered: string[] }> {
  const enter = new EnterEverywhere(opts);
  const asked = await spec.ask(enter, spec.defaults(findings), findings).catch(() => undefined);
  const valid = spec.schema.safeParse(asked);
  return valid.success ? { ok: true, value: valid.data } : { ok: false, unanswered: enter.unanswered };
}

/**
 * A hint's inputs: Enter everywhere (enterInputs); when that plans no change (a judgement step whose
 * defaults keep everything), every box ticked, so the hint shows the change that makes the step pass.
 */
export async function hintInputs<I>(
  spec: StepInputs<I>,
  findings: Finding[],
  plansSomething: (inputs: I) => Promise<boolean>,
): Promise<{ ok: true; value: I } | { ok: false; unanswered: string[] }> {
  const entered = await enterInputs(spec, findings);
  if (!entered.ok || (await plansSomething(entered.value))) return entered;
  const all = await enterInputs(spec, findings, { checkAll: true });
  return all.ok ? all : entered;
}
