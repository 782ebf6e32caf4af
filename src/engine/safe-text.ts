/**
 * Text from the account on its way to a person: a VPC's Name tag, a policy, an error message.
 * Anyone allowed to tag a resource could otherwise write escape sequences to an auditor's
 * terminal (erase a FAIL line, fake a PASS) or reorder text with bidi overrides, and a markdown
 * report could grow fake rows. Every text renderer and the wizard's prompts take their data
 * through these functions; JSON output keeps the raw value, escaped by JSON (`safeJson`).
 *
 * Removed: C0 controls (but see below), DEL, C1 controls (U+0080–U+009F, including the one-byte
 * CSI U+009B), line and paragraph separators, and the bidi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069). In one-line values a newline, carriage return or tab is shown
 * escaped (`\n`, `\r`, `\t`); in blocks (guidance, parameters shown as JSON) newlines and tabs stay.
 * Ordinary Unicode (accents, CJK, emoji) is untouched.
 */

/** Every character the functions below remove or escape. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, for a test: does `s` hold any of them? */
// eslint-disable-next-line no-control-regex -- as above
const HAS_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const ESCAPED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** True when `s` holds a control, separator or bidi-override character. */
export function hasUnsafeText(s: string): boolean {
  return HAS_UNSAFE.test(s);
}

/** One value on one line: controls and bidi overrides removed, newline/CR/tab shown as `\n`, `\r`, `\t`. */
export function safeText(s: string): string {
  if (typeof s !== 'string') return s;
  return s.replace(UNSAFE, (ch) => ESCAPED[ch] ?? '');
}

/** A block of text (markdown guidance, a policy): newlines and tabs kept, CRLF made LF, everything else as in `safeText`. */
export function safeBlock(s: string): string {
  if (typeof s !== 'string') return s;
  return s.replace(/\r\n/g, '\n').replace(UNSAFE, (ch) => (ch === '\n' || ch === '\t' ? ch : ''));
}

/** A deep copy of plain data with every string (and key) made safe: values as blocks, keys as one line. */
export function safeData<T>(value: T): T {
  if (typeof value === 'string') return safeBlock(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => safeData(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [safeText(k), safeData(v)])) as T;
  }
  return value;
}

/** What renderers show of a finding; `data` is never shown and is passed on as it is. */
interface ShownFinding {
  resource: string;
  region: string;
  message: string;
}

export function safeFinding<F extends ShownFinding>(f: F): F {
  return { ...f, resource: safeText(f.resource), region: safeText(f.region), message: safeText(f.message) };
}

/** A step result (or a report's result) for a renderer: title, findings and error made safe. */
export function safeResult<R extends { title: string; findings: ShownFinding[]; error?: string }>(r: R): R {
  return {
    ...r,
    title: safeText(r.title),
    findings: r.findings.map(safeFinding),
    ...(r.error !== undefined ? { error: safeText(r.error) } : {}),
  };
}

interface ShownOperation {
  service: string;
  operation: string;
  region: string;
  params: Record<string, unknown>;
}

function safeOperation<O extends ShownOperation>(o: O): O {
  return { ...o, service: safeText(o.service), operation: safeText(o.operation), region: safeText(o.region), params: safeData(o.params) };
}

interface ShownPlan {
  actions: Array<ShownOperation & { summary: string; inverse?: ShownOperation & { summary: string } }>;
  guidance?: string;
  warnings?: string[];
  cost?: { scale: string; detail: string };
}

/**
 * A plan for a renderer: summaries, parameters, guidance, warnings and cost made safe. Only for
 * showing: the engine applies the plan it was given, whose parameters are sent as they are.
 */
export function safePlan<P extends ShownPlan>(plan: P): P {
  return {
    ...plan,
    actions: plan.actions.map((a) => ({
      ...safeOperation(a),
      summary: safeText(a.summary),
      ...(a.inverse ? { inverse: { ...safeOperation(a.inverse), summary: safeText(a.inverse.summary) } } : {}),
    })),
    ...(plan.guidance !== undefined ? { guidance: safeBlock(plan.guidance) } : {}),
    ...(plan.warnings ? { warnings: plan.warnings.map(safeText) } : {}),
    ...(plan.cost ? { cost: { ...plan.cost, detail: safeText(plan.cost.detail) } } : {}),
  };
}

interface ShownTarget {
  accountId: string;
  principalArn: string;
  endpoint?: string;
}

export function safeTarget<T extends ShownTarget>(t: T): T {
  return {
    ...t,
    accountId: safeText(t.accountId),
    principalArn: safeText(t.principalArn),
    ...(t.endpoint !== undefined ? { endpoint: safeText(t.endpoint) } : {}),
  };
}

/** A `check` report for the table and markdown renderers. */
export function safeReport<R extends { target: ShownTarget & { regions: string[] }; results: Array<{ title: string; findings: ShownFinding[] }> }>(r: R): R {
  return { ...r, target: { ...safeTarget(r.target), regions: r.target.regions.map(safeText) }, results: r.results.map(safeResult) };
}

/**
 * One value as markdown text (a table cell, a list item): made safe on one line, then every
 * character that could start markdown structure escaped: `\`, backticks, `|` (a fake cell or
 * row), `<` and `>` (HTML, a comment hiding the rows below), `[` and `]` (a fake link), `*` and
 * `_` (emphasis), and a leading `#`.
 */
export function mdText(s: string): string {
  return safeText(s)
    .replace(/[\\`|<>[\]*_]/g, (ch) => `\\${ch}`)
    .replace(/^(\s*)#/, '$1\\#');
}

/** One value as a markdown code span: made safe on one line, fenced by more backticks than it holds. */
export function mdCode(s: string): string {
  const v = safeText(s);
  const longest = Math.max(0, ...(v.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = v.startsWith('`') || v.endsWith('`') || (v.startsWith(' ') && v.endsWith(' ') && v.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${v}${pad}${fence}`;
}

/** Escapes JSON.stringify leaves raw: DEL, C1, line/paragraph separators, bidi overrides. */
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for the terminal or a file: the raw values, every control and bidi character escaped as
 * `\uXXXX` (JSON.stringify leaves C1 and bidi characters raw), so `JSON.parse` gives them back exactly.
 */
export function safeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(JSON_RAW, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
