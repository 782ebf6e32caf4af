/**
 * Which statements of a policy document hand out every action on every resource. Pure.
 *
 * - `full`: Effect Allow, Action `*` (alone or in a list, also written `*:*`), Resource `*`, no
 *   Condition. This is what CIS 2.14 and FSBP IAM.1 forbid in customer-managed policies.
 * - `conditional`: the same under a Condition. Whether the condition really narrows it (MFA, a
 *   source network) or hardly at all (TLS only) takes a person to judge.
 * - `nearly`: Allow with NotAction (every action except the listed ones) on Resource `*`, or
 *   Action `*` on NotResource (every resource except the listed ones). Not administrator access in
 *   the letter of the rule, close to it in effect. `NotAction: "*"` allows nothing and is ignored.
 * Deny statements grant nothing; they are counted so that a finding can mention them.
 */

export type Verdict = 'full' | 'conditional' | 'nearly';

export interface StatementFinding {
  verdict: Verdict;
  /** 1-based position in the document. */
  index: number;
  sid?: string;
  /** For `nearly`: what is excluded; for `conditional`: the condition keys. */
  detail?: string;
}

export interface DocumentAnalysis {
  /** The statements that grant (nearly) everything. */
  statements: StatementFinding[];
  /** Deny statements in the document, which may take some of it back. */
  denies: number;
  /** The document could not be read as a policy. */
  unreadable: boolean;
}

const list = (v: unknown): string[] | undefined => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map((x) => String(x)));

const ALL_ACTIONS = new Set(['*', '*:*']);

function conditionKeys(c: unknown): string[] {
  if (!c || typeof c !== 'object') return [];
  return Object.values(c as Record<string, unknown>).flatMap((ops) => (ops && typeof ops === 'object' ? Object.keys(ops) : []));
}

export function analyseDocument(doc: unknown): DocumentAnalysis {
  const raw = doc && typeof doc === 'object' ? (doc as { Statement?: unknown }).Statement : undefined;
  if (raw === undefined) return { statements: [], denies: 0, unreadable: true };
  const statements = (Array.isArray(raw) ? raw : [raw]).filter((s): s is Record<string, unknown> => !!s && typeof s === 'object');
  const out: StatementFinding[] = [];
  let denies = 0;
  statements.forEach((s, i) => {
    if (s.Effect === 'Deny') denies++;
    if (s.Effect !== 'Allow') return;
    const action = list(s.Action);
    const notAction = list(s.NotAction);
    const resource = list(s.Resource);
    const notResource = list(s.NotResource);
    const everyAction = action?.some((a) => ALL_ACTIONS.has(a.trim())) ?? false;
    // NotAction "*" excludes everything: the statement allows nothing.
    const allButSome = notAction !== undefined && !notAction.some((a) => ALL_ACTIONS.has(a.trim()));
    const everyResource = resource?.some((r) => r.trim() === '*') ?? false;
    const allButSomeResources = notResource !== undefined && !notResource.some((r) => r.trim() === '*');
    const base = { index: i + 1, ...(typeof s.Sid === 'string' && s.Sid ? { sid: s.Sid } : {}) };
    // An empty Condition block narrows nothing.
    const hasCondition = !!s.Condition && typeof s.Condition === 'object' && Object.keys(s.Condition).length > 0;

    if (!(everyAction || allButSome) || !(everyResource || allButSomeResources)) return;
    if (hasCondition) {
      out.push({ verdict: 'conditional', ...base, detail: conditionKeys(s.Condition).join(', ') || 'a condition' });
      return;
    }
    if (everyAction && everyResource) out.push({ verdict: 'full', ...base });
    else if (allButSome && (everyResource || allButSomeResources))
      out.push({ verdict: 'nearly', ...base, detail: `every action except ${notAction!.join(', ')}${allButSomeResources ? ` on every resource except ${notResource!.join(', ')}` : ''}` });
    else out.push({ verdict: 'nearly', ...base, detail: `every action on every resource except ${notResource!.join(', ')}` });
  });
  return { statements: out, denies, unreadable: false };
}

/** The worst verdict of a document: `full` beats the others. */
export function worst(a: DocumentAnalysis): Verdict | undefined {
  if (a.statements.some((s) => s.verdict === 'full')) return 'full';
  if (a.statements.some((s) => s.verdict === 'conditional')) return 'conditional';
  if (a.statements.some((s) => s.verdict === 'nearly')) return 'nearly';
  return undefined;
}
