/**
 * Pure renderers: each takes data and returns the text the wizard writes. Nothing here prints,
 * prompts or reads the environment (besides the colour switch in theme.ts).
 */
import { COST_LABEL, planCost } from '../engine/cost.js';
import { safeFinding, safeJson, safePlan } from '../engine/safe-text.js';
import type { Finding, Plan, StepMeta, Status, Target } from '../engine/types.js';
import { REDACTED } from '../engine/types.js';
import { renderMarkdown } from './lesson.js';
import { BADGE_WIDTH, badge, c, colorEnabled, padVisible, severityLabel, visibleLength } from './theme.js';

/** Word-wraps plain text to `width`, breaking words longer than a line. Keeps blank lines. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (let word of para.split(/\s+/).filter(Boolean)) {
      while (word.length > w) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push(word.slice(0, w));
        word = word.slice(w);
      }
      if (!line) line = word;
      else if (line.length + 1 + word.length <= w) line += ' ' + word;
      else {
        out.push(line);
        line = word;
      }
    }
    out.push(line);
  }
  return out;
}

/** Shortens to `max` characters with an ellipsis in the middle, keeping both ends readable. */
export function ellipsize(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return s.slice(0, max);
  const keepEnd = Math.ceil((max - 1) / 2);
  const keepStart = max - 1 - keepEnd;
  return s.slice(0, keepStart) + '…' + s.slice(s.length - keepEnd);
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
 * Findings as a table: badge, region, shortened resource, message wrapped to `columns`.
 * Failing findings first (stable otherwise). With `max`, only that many rows and a count of
 * the rest. Narrow terminals get a stacked layout. `Finding.data` is never shown.
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
  const regionW = Math.min(16, Math.max(6, ...shown.map((f) => f.region.length)));
  const resources = shown.map((f) => shortResource(f.resource));
  const resourceCap = Math.max(16, Math.floor(width * 0.36));
  const resourceW = Math.min(resourceCap, Math.max(8, ...resources.map((r) => r.length)));
  const messageW = width - BADGE_WIDTH - regionW - resourceW - gap.length * 3;
  const lines: string[] = [];

  if (messageW < 24) {
    // Stacked: badge and resource on one line, the message indented below.
    shown.forEach((f, i) => {
      const head = `${badge(f.status)} ${f.region === 'global' ? '' : f.region + ' '}${ellipsize(resources[i]!, width - BADGE_WIDTH - 2)}`;
      lines.push(head);
      for (const l of wrapText(f.message, width - 4)) lines.push('    ' + l);
    });
  } else {
    lines.push(
      c.dim(['STATUS'.padEnd(BADGE_WIDTH), 'REGION'.padEnd(regionW), 'RESOURCE'.padEnd(resourceW), 'MESSAGE'].join(gap)),
    );
    const indent = ' '.repeat(width - messageW);
    shown.forEach((f, i) => {
      const msg = wrapText(f.message, messageW);
      const region = ellipsize(f.region, regionW).padEnd(regionW);
      const resource = ellipsize(resources[i]!, resourceW).padEnd(resourceW);
      lines.push([badge(f.status, { pad: true }), region, resource, msg[0] ?? ''].join(gap).trimEnd());
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

function paramsBlock(params: Record<string, unknown>, indent: string): string[] {
  if (Object.keys(params).length === 0) return [];
  // safeJson: a policy unfolded by displayParams may decode `\u009b` or a bidi override; shown escaped again.
  return safeJson(displayParams(maskSecrets(params)))
    .split('\n')
    .map((l) => indent + c.dim(l));
}

/**
 * What a fix will do, before it does it: every action numbered with its summary, the call
 * (`service:Operation (region)`), its parameters as JSON, its undo; then warnings, the
 * guidance (markdown) and the step's cost and risk.
 */
export function planView(meta: StepMeta, accountPlan: Plan, columns = process.stdout.columns || 80): string {
  const plan = safePlan(accountPlan);
  const out: string[] = [`${c.bold('Plan:')} ${meta.title} ${c.dim(`(${meta.id}, ${severityLabel(meta.severity)})`)}`, ''];
  if (plan.actions.length === 0) {
    out.push(plan.guidance ? 'No change through the API; what to do by hand is below.' : 'Nothing to change.');
  } else {
    const n = plan.actions.length;
    out.push(`${n} change${n === 1 ? '' : 's'}, applied in this order; the first failure stops the rest:`);
    const numW = String(n).length;
    plan.actions.forEach((a, i) => {
      const num = `${String(i + 1).padStart(numW)}. `;
      const ind = ' '.repeat(num.length + 2);
      const destructive = a.destructive ? ` ${c.red(c.bold('[DESTRUCTIVE]'))}` : '';
      out.push('');
      // The tag sits at the end of the first line: leave it room.
      const [head, ...more] = wrapText(a.summary, columns - num.length - 2 - (a.destructive ? ' [DESTRUCTIVE]'.length : 0));
      out.push(`  ${num}${c.bold(head ?? '')}${destructive}`, ...more.map((l) => ' '.repeat(num.length + 2) + c.bold(l)));
      out.push(`${ind}${c.cyan(`${a.service}:${a.operation}`)} (${a.region})`);
      out.push(...paramsBlock(a.params, ind));
      if (a.inverse) {
        const undo = wrapText(`undo: ${a.inverse.summary}`, columns - ind.length);
        out.push(...undo.map((l) => ind + l), `${ind}  ${c.dim(`${a.inverse.service}:${a.inverse.operation} (${a.inverse.region})`)}`);
        out.push(...paramsBlock(a.inverse.params, ind + '  '));
      } else {
        out.push(`${ind}${c.dim('undo: none; this change cannot be reversed by the tool')}`);
      }
    });
  }
  if (plan.warnings?.length) {
    out.push('', c.yellow(c.bold('Warnings')));
    for (const w of plan.warnings) {
      const [first, ...rest] = wrapText(w, columns - 4);
      out.push(`  ${c.yellow('!')} ${first ?? ''}`, ...rest.map((l) => '    ' + l));
    }
  }
  if (plan.guidance) {
    out.push('', c.bold('By hand'), renderMarkdown(plan.guidance, columns));
  }
  const labelled = (label: string, text: string) => {
    const [first, ...rest] = wrapText(text, columns - label.length - 1);
    return [`${c.bold(label)} ${first ?? ''}`, ...rest.map((l) => ' '.repeat(label.length + 1) + l)];
  };
  const cost = planCost(meta, plan);
  out.push('', ...labelled('Cost:', `${COST_LABEL[cost.scale]}. ${cost.detail}`), ...labelled('Risk:', plan.risk ?? meta.fix.risk));
  const flags = [meta.fix.destructive && 'removes or disables something', cost.paid && 'adds a running cost'].filter(Boolean);
  if (flags.length) out.push(c.yellow(`This fix ${flags.join(' and ')}: the confirmation defaults to No.`));
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
  const widths = Array.from({ length: n - 1 }, (_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  const fixed = widths.reduce((a, b) => a + b, 0) + gap.length * (n - 1);
  const lastW = Math.max(20, width - fixed);
  const indent = ' '.repeat(fixed);
  const lines: string[] = [];
  all.forEach((r, ri) => {
    const cells = widths.map((w, i) => padVisible(r[i] ?? '', w));
    const last = r[n - 1] ?? '';
    const wrapped = visibleLength(last) === last.length ? wrapText(last, lastW) : [last];
    const line = [...cells, wrapped[0] ?? ''].join(gap).trimEnd();
    lines.push(ri === 0 && headerRow ? c.dim(line) : line);
    for (const l of wrapped.slice(1)) lines.push(indent + l);
  });
  return lines.join('\n');
}
