/**
 * Pure renderers: each takes data and returns the text the wizard writes. Nothing here prints,
 * prompts or reads the environment (besides the colour switch in theme.ts).
 */
import { COST_LABEL, planCost } from '../engine/cost.js';
import { safeFinding, safeJson, safePlan, safeText } from '../engine/safe-text.js';
import type { CostScale, Finding, Plan, StepMeta, Status, Target } from '../engine/types.js';
import { REDACTED } from '../engine/types.js';
import { renderMarkdown } from './lesson.js';
import { displayWidth, ellipsize, plural, wrap } from '../engine/wrap.js';
import { BADGE_WIDTH, badge, c, colorEnabled, padVisible, severityLabel } from './theme.js';

/**
 * Word-wraps text to `width` columns with the one routine of engine/wrap.ts: breaks at spaces only,
 * a word longer than a line stays whole on a line of its own. Keeps blank lines.
 */
export function wrapText(text: string, width: number): string[] {
  return wrap(text, Math.max(1, width));
}

export { ellipsize };

/**
 * The last guard before the terminal: a line wider than `columns` is wrapped at spaces under its
 * own indent; lines that fit (tables, plans already laid out) are left exactly as they are.
 */
export function fitLines(text: string, columns: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      if (displayWidth(line) <= columns) return [line];
      const indent = /^ */.exec(line)![0];
      return wrap(line.slice(indent.length), columns, { first: indent });
    })
    .join('\n');
}

/** `free` alone, or the scale then its prices, never `free. free`. */
export function costText(scale: CostScale, detail: string): string {
  const label = COST_LABEL[scale];
  const d = detail.trim();
  if (!d) return label;
  if (d.toLowerCase().startsWith(label.split(' ')[0]!.toLowerCase())) return d;
  return `${label}. ${d}`;
}

/**
 * A resource as a person reads it: `arn:aws:iam::123456789012:user/alice` → `iam user/alice`,
 * `arn:aws:s3:::my-bucket` → `s3 my-bucket`. Anything that is not an ARN is left as is.
 */
export function shortResource(resource: string): string {
  const m = /^arn:[^:]+:([^:]+):[^:]*:[^:]*:(.+)$/.exec(resource);
  if (!m) return resource;
  return `${m[1]} ${m[2]}`;
}

function targetLabel(target: Target): string {
  if (target.sandbox) {
    const where = target.endpoint ? ` at ${target.endpoint}` : '';
    const tag = colorEnabled() ? c.inverse(c.yellow(c.bold(' SANDBOX '))) : '[SANDBOX]';
    return `${tag} practice emulator${where}, account ${target.accountId}, nothing real changes`;
  }
  const via = target.endpoint ? ` via ${target.endpoint}` : '';
  const root = target.isRoot ? ` ${c.red(c.bold('as ROOT'))}` : '';
  return `${c.bold(`AWS account ${target.accountId}`)} (${target.principalArn})${root}${via}`;
}

/**
 * The short banner above every step: `[SANDBOX]` or `[AWS 123456789012]` first, so the two
 * cannot be confused on any screen, then the step.
 */
export function stepHeader(target: Target, label: string): string {
  const tag = target.sandbox
    ? colorEnabled()
      ? c.inverse(c.yellow(c.bold(' SANDBOX ')))
      : '[SANDBOX]'
    : colorEnabled()
      ? c.inverse(c.bold(` AWS ${target.accountId} `))
      : `[AWS ${target.accountId}]`;
  const root = !target.sandbox && target.isRoot ? ` ${c.red(c.bold('as ROOT'))}` : '';
  return `${tag}${root} ${label}`;
}

/**
 * The one-line banner at the start of a run. Sandbox mode starts with `SANDBOX` and names the
 * endpoint; a real account reads `AWS account <id> (<arn>)`: the two never look alike.
 */
export function header(target: Target, stepLabel?: string): string {
  const label = stepLabel ? ` ${c.dim('·')} ${stepLabel}` : '';
  return targetLabel(target) + label;
}

/** Shown once at start when the person is signed in as the root user. */
export function rootWarning(): string {
  const lines = [
    `${c.red(c.bold('!'))} ${c.bold('You are signed in as the root user.')}`,
    '  Root can do anything in this account and no policy can restrict it.',
    '  Use it for this first setup only: the wizard helps you create an everyday admin',
    '  identity, give root MFA and remove its access keys. Then put root away.',
  ];
  return lines.join('\n');
}

const STATUS_ORDER: Status[] = ['fail', 'error', 'manual', 'unsupported', 'skipped', 'pass'];

/**
 * Findings as a table: badge, region, resource, message wrapped to `columns`. Failing findings
 * first (stable otherwise). With `max`, only that many rows and a count of the rest. A resource
 * is never cut: when the names do not fit their column, or the message column would be narrow,
 * each finding becomes a block (status and message, then resource and region under them).
 * `Finding.data` is never shown.
 */
export function findingsTable(accountFindings: Finding[], columns: number, opts: { max?: number } = {}): string {
  const findings = accountFindings.map(safeFinding);
  if (findings.length === 0) return c.dim('No findings.');
  const width = Math.max(30, columns);
  const sorted = findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => STATUS_ORDER.indexOf(a.f.status) - STATUS_ORDER.indexOf(b.f.status) || a.i - b.i)
    .map((x) => x.f);
  const shown = opts.max !== undefined && opts.max < sorted.length ? sorted.slice(0, Math.max(0, opts.max)) : sorted;
  const gap = '  ';
  const regionW = Math.max(6, ...shown.map((f) => displayWidth(f.region)));
  const resources = shown.map((f) => shortResource(f.resource));
  const resourceW = Math.max(8, ...resources.map(displayWidth));
  const messageW = width - BADGE_WIDTH - regionW - resourceW - gap.length * 3;
  const lines: string[] = [];

  if (messageW < 36 || resourceW > Math.floor(width * 0.4)) {
    // Stacked: the status and the message (wrapped at spaces), then the resource and region under it.
    shown.forEach((f, i) => {
      lines.push(...wrap(f.message, width, { first: `${badge(f.status, { advice: f.advice === true })} `, rest: '    ' }));
      const where = f.region === 'global' ? '' : ` ${c.dim('·')} ${f.region}`;
      lines.push(...wrap(`${c.dim(resources[i]!)}${where}`, width, { first: '    ' }));
    });
  } else {
    lines.push(
      c.dim(['STATUS'.padEnd(BADGE_WIDTH), 'REGION'.padEnd(regionW), 'RESOURCE'.padEnd(resourceW), 'MESSAGE'].join(gap)),
    );
    const indent = ' '.repeat(width - messageW);
    shown.forEach((f, i) => {
      const msg = wrap(f.message, messageW);
      const region = padVisible(f.region, regionW);
      const resource = padVisible(resources[i]!, resourceW);
      lines.push([badge(f.status, { pad: true, advice: f.advice === true }), region, resource, msg[0] ?? ''].join(gap).trimEnd());
      for (const l of msg.slice(1)) lines.push(indent + l);
    });
  }
  const hidden = sorted.length - shown.length;
  if (hidden > 0) {
    const passing = sorted.slice(shown.length).filter((f) => f.status === 'pass').length;
    lines.push(c.dim(`… and ${hidden} more${passing ? ` (${passing} passing)` : ''}`));
  }
  return lines.join('\n');
}

const SECRET_KEY = /(password|passphrase|secret|secretaccesskey|secretstring|token|privatekey)$/i;

/**
 * Parameters are redacted by the step already (REDACTED); as a second line of defence any
 * string under a key that names a password, secret, token, secret access key or private key is
 * masked too.
 */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return SECRET_KEY.test(key) && value !== REDACTED ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  return value;
}

/** Parameters that carry a JSON document as a string (a policy, an event pattern): shown as JSON, not as one escaped line. */
const JSON_DOCUMENT_KEY = /(^|[a-z])(Policy|PolicyDocument|EventPattern)$/;

/** The parameters as a person reads them: secrets masked, embedded JSON documents unfolded. */
export function displayParams(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && JSON_DOCUMENT_KEY.test(key) && /^\s*\{/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((v) => displayParams(v, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, displayParams(v, k)]));
  return value;
}

/** Parameters as indented JSON; a long line wraps at spaces under its own indent plus two. */
function paramsBlock(params: Record<string, unknown>, indent: string, columns: number): string[] {
  if (Object.keys(params).length === 0) return [];
  // safeJson: a policy unfolded by displayParams may decode `\u009b` or a bidi override; shown escaped again.
  return safeJson(displayParams(maskSecrets(params)))
    .split('\n')
    .flatMap((l) => {
      const own = indent + /^ */.exec(l)![0];
      return wrap(l.trimStart(), columns, { first: own, rest: own + '  ' }).map((x) => c.dim(x));
    });
}

/**
 * What a fix will do, before it does it: every action numbered with its summary, the call
 * (`service:Operation (region)`), its parameters as JSON, its undo (undoLines); then warnings,
 * the guidance (markdown) and the step's cost and risk. `canUndo`: the step has `undo` (default yes, as
 * every step with an automatic fix must).
 */
export function planView(meta: StepMeta, accountPlan: Plan, columns = process.stdout.columns || 80, opts: { canUndo?: boolean } = {}): string {
  const plan = safePlan(accountPlan);
  const out: string[] = [...wrap(`${meta.title} ${c.dim(`(${meta.id}, ${severityLabel(meta.severity)})`)}`, columns, { first: `${c.bold('Plan:')} ` }), ''];
  if (plan.actions.length === 0) {
    out.push(...wrap(plan.guidance ? 'No change through the API; what to do by hand is below.' : 'Nothing to change.', columns));
  } else {
    const n = plan.actions.length;
    out.push(...wrap(`${n} change${n === 1 ? '' : 's'}, applied in this order; the first failure stops the rest:`, columns));
    const numW = String(n).length;
    plan.actions.forEach((a, i) => {
      const num = `${String(i + 1).padStart(numW)}. `;
      const ind = ' '.repeat(num.length + 2);
      const destructive = a.destructive ? ` ${c.red(c.bold('[DESTRUCTIVE]'))}` : '';
      out.push('');
      out.push(...wrap(`${c.bold(a.summary)}${destructive}`, columns, { first: `  ${num}`, rest: ind }));
      out.push(...wrap(`${c.cyan(`${a.service}:${a.operation}`)} (${a.region})`, columns, { first: ind }));
      out.push(...paramsBlock(a.params, ind, columns));
      out.push(...undoLines(a, opts.canUndo ?? true, ind, columns));
    });
  }
  if (plan.warnings?.length) {
    out.push('', c.yellow(c.bold('Warnings')));
    for (const w of plan.warnings) out.push(...wrap(w, columns, { first: `  ${c.yellow('!')} ` }));
  }
  if (plan.guidance) {
    out.push('', c.bold('By hand'), renderMarkdown(plan.guidance, columns));
  }
  const labelled = (label: string, text: string) => wrap(text, columns, { first: `${c.bold(label)} ` });
  const cost = planCost(meta, plan);
  out.push('', ...labelled('Cost:', costText(cost.scale, cost.detail)), ...labelled('Risk:', plan.risk ?? meta.fix.risk));
  const destructive = meta.fix.destructive || plan.actions.some((a) => a.destructive);
  const flags = [destructive && 'removes or disables something', cost.paid && 'adds a running cost'].filter(Boolean);
  // A plan with nothing to apply (advice) asks no confirmation: no word about one.
  if (flags.length && plan.actions.length) out.push(...wrap(c.yellow(`This fix ${flags.join(' and ')}: the confirmation defaults to No.`), columns));
  return out.join('\n');
}

/**
 * How `secure-start undo` would reverse one action, said before the fix: "cannot be undone" with
 * the reason when the step says so (`irreversible`); else "undo:" with the recorded inverse call;
 * else, when the step can undo its changes, that undo works it out from what it reads then.
 */
export function undoLines(a: Plan['actions'][number], canUndo: boolean, ind: string, columns: number): string[] {
  if (a.irreversible) return wrap(`cannot be undone: ${safeText(a.irreversible)}`, columns, { first: ind, rest: `${ind}  ` }).map((l) => c.yellow(l));
  if (!canUndo) return wrap(c.dim('cannot be undone: this step cannot reverse its changes; undo it by hand'), columns, { first: ind, rest: `${ind}  ` });
  if (!a.inverse) return wrap(c.dim('undo: secure-start undo reverses it, while it is still as the fix left it'), columns, { first: ind, rest: `${ind}  ` });
  return [
    ...wrap(`undo: ${a.inverse.summary}`, columns, { first: ind, rest: `${ind}  ` }),
    ...wrap(c.dim(`${a.inverse.service}:${a.inverse.operation} (${a.inverse.region})`), columns, { first: `${ind}  ` }),
    ...paramsBlock(a.inverse.params, ind + '  ', columns),
  ];
}

/**
 * "Explain more": the lesson, then the references the lesson does not already list, then what the
 * fix is, costs and risks. References are said once.
 */
export function explainView(meta: StepMeta, lesson: string, columns = process.stdout.columns || 80): string {
  const out = [renderMarkdown(lesson, columns)];
  if (!/^#{1,6}\s+References\b/im.test(lesson)) {
    const refs = [...(meta.references.cis ?? []).map((x) => `CIS AWS Foundations ${x}`), ...(meta.references.fsbp ?? []).map((x) => `AWS FSBP ${x}`)];
    if (refs.length) out.push(...wrap(refs.join(' · '), columns, { first: `${c.bold('References:')} ` }));
  }
  for (const d of meta.references.docs ?? []) if (!lesson.includes(d)) out.push(...wrap(d, columns, { first: '  ' }));
  const fix = `${meta.fix.kind} · cost: ${costText(meta.fix.costScale, meta.fix.cost)} · risk: ${meta.fix.risk}`;
  out.push('', ...wrap(fix, columns, { first: `${c.bold('Fix:')} ` }));
  return out.join('\n');
}

/**
 * One-time secrets (a new password, an access key): a box that says they are shown once and
 * never saved. Values are never wrapped or truncated so they copy whole.
 */
export function secretsView(secrets: { label: string; value: string }[], columns = process.stdout.columns || 80): string {
  if (secrets.length === 0) return '';
  const title = ' SHOWN ONCE ';
  const inner = Math.max(title.length + 4, Math.min(columns, 72) - 2);
  const left = Math.floor((inner - title.length) / 2);
  const top = c.yellow('╭' + '─'.repeat(left) + c.bold(title) + '─'.repeat(inner - left - title.length) + '╮');
  const bottom = c.yellow('╰' + '─'.repeat(inner) + '╯');
  const body = [c.bold('  Shown once, not saved anywhere — copy it now.'), ''];
  for (const s of secrets) body.push(`  ${s.label}:`, `    ${s.value}`, '');
  return [top, ...body, bottom].join('\n');
}

/** Lays out rows of cells in columns; the last column takes the rest of `width` and wraps. */
export function textTable(rows: string[][], width: number, headerRow?: string[]): string {
  const all = headerRow ? [headerRow, ...rows] : rows;
  const n = Math.max(0, ...all.map((r) => r.length));
  if (n === 0) return '';
  const gap = '  ';
  const widths = Array.from({ length: n - 1 }, (_, i) => Math.max(...all.map((r) => displayWidth(r[i] ?? ''))));
  const fixed = widths.reduce((a, b) => a + b, 0) + gap.length * (n - 1);
  const lastW = Math.max(20, width - fixed);
  const indent = ' '.repeat(fixed);
  const lines: string[] = [];
  all.forEach((r, ri) => {
    const cells = widths.map((w, i) => padVisible(r[i] ?? '', w));
    const wrapped = wrap(r[n - 1] ?? '', lastW);
    const line = [...cells, wrapped[0] ?? ''].join(gap).trimEnd();
    lines.push(ri === 0 && headerRow ? c.dim(line) : line);
    for (const l of wrapped.slice(1)) lines.push(indent + l);
  });
  return lines.join('\n');
}

/** A journal entry as one line: the call and the resource it named (a user, a bucket…), from its parameters. */
export function journalAction(e: { service: string; operation: string; region: string; params: Record<string, unknown> }): string {
  const named = Object.entries(e.params).find(([k, v]) => typeof v === 'string' && v.length <= 120 && /(Name|Id|Arn|^Bucket)$/.test(k));
  const where = e.region === 'global' ? '' : ` in ${e.region}`;
  return safeText(`${e.service}:${e.operation}${named ? ` ${String(named[1])}` : ''}${where}`);
}

/** When a journal entry was made, to the minute, in UTC. */
export function journalTime(at: string): string {
  return `${at.slice(0, 16).replace('T', ' ')} UTC`;
}

/** What undo can do for one applied change, in a few words. */
export const VERDICT_WORD: Record<'undo' | 'drifted' | 'irreversible' | 'nothing' | 'error', string> = {
  undo: 'can be undone',
  drifted: 'changed since the fix: left alone',
  irreversible: 'cannot be undone',
  nothing: 'nothing to undo',
  error: 'could not be read',
};

export interface JournalRow {
  index: number;
  at: string;
  step: string;
  service: string;
  operation: string;
  region: string;
  params: Record<string, unknown>;
  /** How it stands: a verdict of its step, `undone` (with when), or `failed` (the call did not go through). */
  state: keyof typeof VERDICT_WORD | 'undone' | 'failed' | 'open';
  undoneAt?: string;
}

/** The journal of applied changes, newest first: when, step, the call, and whether it can be undone. At most `max` rows. */
export function journalView(rows: readonly JournalRow[], columns: number, max = 30): string {
  if (!rows.length) return 'The journal has no change made by secure-start.';
  const word = (r: JournalRow) =>
    r.state === 'undone' ? `undone ${journalTime(r.undoneAt ?? r.at)}` : r.state === 'failed' ? 'failed: nothing changed' : r.state === 'open' ? 'not undone' : VERDICT_WORD[r.state];
  const shown = rows.slice(0, max);
  // Each change on its own line under its row: a call name never shares a narrow column, so it is never cut.
  const numW = Math.max(...shown.map((r) => String(r.index).length)) + 1;
  const stepW = Math.max(...shown.map((r) => displayWidth(safeText(r.step))));
  const row = (r: JournalRow) => `${`#${r.index}`.padEnd(numW)}  ${journalTime(r.at)}  ${padVisible(safeText(r.step), stepW)}  ${word(r)}`;
  const lines = shown.flatMap((r) => [
    // Aligned columns when the row fits (wrap would fold the padding), else wrapped at spaces.
    ...(displayWidth(row(r)) <= columns ? [row(r)] : wrap(row(r), columns, { rest: ' '.repeat(numW + 4) })),
    ...wrap(c.dim(journalAction(r)), columns, { first: ' '.repeat(numW + 2), rest: ' '.repeat(numW + 4) }),
  ]);
  if (rows.length > shown.length) lines.push(c.dim(`… and ${rows.length - shown.length} older`));
  return lines.join('\n');
}

/** One change in an undo plan: the entry it reverses and its step's verdict. */
export interface UndoPlanItem {
  entry: { index: number; at: string; step: string; service: string; operation: string; region: string; params: Record<string, unknown> };
  stepTitle: string;
  kind: keyof typeof VERDICT_WORD;
  reason?: string;
  actions?: Plan['actions'];
  warnings?: string[];
}

/**
 * The undo plan, laid out as a fix plan: the changes to reverse, newest first, each with every
 * inverse call and its parameters ([DESTRUCTIVE] marked); then those undo leaves, with why; then
 * cost and risk.
 */
export function undoPlanView(items: readonly UndoPlanItem[], columns = process.stdout.columns || 80): string {
  const out: string[] = [];
  const doing = items.filter((i) => i.kind === 'undo' && i.actions?.length);
  const leaving = items.filter((i) => !(i.kind === 'undo' && i.actions?.length));
  const head = (i: UndoPlanItem) => `${safeText(i.entry.step)}: ${journalAction(i.entry)} (#${i.entry.index}, ${journalTime(i.entry.at)})`;
  if (doing.length) {
    const n = doing.reduce((k, i) => k + i.actions!.length, 0);
    out.push(
      c.bold('Undo plan:'),
      ...wrap(`${plural(doing.length, 'applied change')} to reverse with ${plural(n, 'call')}, newest first; the first failure stops the rest:`, columns),
    );
    const numW = String(doing.length).length;
    doing.forEach((i, k) => {
      const num = `${String(k + 1).padStart(numW)}. `;
      const ind = ' '.repeat(num.length + 2);
      out.push('', ...wrap(`Undo ${head(i)}`, columns, { first: `  ${num}`, rest: ind }));
      for (const a of i.actions!.map((x) => safePlan({ actions: [x] }).actions[0]!)) {
        const destructive = a.destructive ? ` ${c.red(c.bold('[DESTRUCTIVE]'))}` : '';
        out.push(...wrap(`${c.bold(a.summary)}${destructive}`, columns, { first: `${ind}→ `, rest: `${ind}  ` }));
        out.push(...wrap(`${c.cyan(`${a.service}:${a.operation}`)} (${a.region})`, columns, { first: `${ind}  ` }));
        out.push(...paramsBlock(a.params, `${ind}  `, columns));
      }
      for (const w of i.warnings ?? []) out.push(...wrap(safeText(w), columns, { first: `${ind}${c.yellow('!')} `, rest: `${ind}  ` }));
    });
  } else out.push(...wrap('Nothing here can be undone now.', columns));
  if (leaving.length) {
    out.push('', c.bold('Not undone:'));
    for (const i of leaving)
      out.push(...wrap(`${head(i)}: ${VERDICT_WORD[i.kind]}. ${safeText(i.reason ?? '')}`.trim(), columns, { first: `  ${c.yellow('-')} `, rest: '    ' }));
  }
  if (doing.length) {
    const steps = [...new Set(doing.map((i) => `${i.entry.step} (${i.stepTitle})`))];
    out.push(
      '',
      ...wrap('undo adds nothing new: the account costs again what it cost before these fixes.', columns, { first: `${c.bold('Cost:')} ` }),
      ...wrap(`what the fixes secured is taken back; ${plural(steps.length, 'step')} will likely fail again: ${safeText(steps.join('; '))}.`, columns, {
        first: `${c.bold('Risk:')} `,
      }),
    );
    if (doing.some((i) => i.actions!.some((a) => a.destructive)))
      out.push(...wrap(c.yellow('Some of it removes something that may hold data ([DESTRUCTIVE]): each is asked on its own, and defaults to No.'), columns));
  }
  return out.join('\n');
}
