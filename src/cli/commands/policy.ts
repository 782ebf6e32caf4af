/**
 * `secure-start policy`: the least-privilege IAM policy for the selected steps, from their declared
 * permissions (offline). Statement 0 holds every action granted on every resource (all of `--for
 * check`); the statements after it hold fix actions narrowed to the tool's own names or to
 * conditions (`meta.permissions.grants`).
 * Root-only actions are left out: the root user is not governed by IAM policies. What was narrowed,
 * what stays broad and why goes to stderr, so stdout stays one valid JSON policy document.
 */
import type { PermissionGrant } from '../../engine/types.js';
import type { GlobalOptions } from '../options.js';
import { selectSteps } from '../options.js';

type Entries = ReturnType<typeof selectSteps>;
type Condition = NonNullable<PermissionGrant['conditions']>;

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** What the person reads beside the policy: each line names actions and why. */
export interface PolicyNotes {
  narrowed: string[];
  broad: string[];
  /** Steps whose fix runs only as root, left out of the policy. */
  rootOnly: string[];
}

interface Built {
  policy: PolicyDocument;
  notes: PolicyNotes;
}

/** Pure: the policy and its notes. */
export function describePolicy(entries: Entries, mode: 'check' | 'fix'): Built {
  const broad = new Set<string>();
  const scoped = new Map<string, { resources: string[]; conditions?: Condition; actions: Set<string>; why: Map<string, Set<string>> }>();
  const broadWhy = new Map<string, { actions: Set<string>; steps: Set<string> }>();
  const rootOnlySteps = new Set<string>();

  for (const e of entries) {
    const p = e.meta.permissions;
    const wanted = new Set([...p.check, ...(mode === 'fix' ? p.fix : [])]);
    // Reads that check or plan make stay on every resource: the check policy is one statement.
    const reads = new Set(p.check);
    const handled = new Set<string>();
    for (const g of p.grants ?? []) {
      const actions = g.actions.filter((a) => wanted.has(a) && !reads.has(a));
      if (!actions.length) continue;
      for (const a of actions) handled.add(a);
      if (g.rootOnly) {
        rootOnlySteps.add(e.meta.id);
        continue;
      }
      if (!g.resources && !g.conditions) {
        for (const a of actions) broad.add(a);
        const w = broadWhy.get(g.why) ?? { actions: new Set(), steps: new Set() };
        for (const a of actions) w.actions.add(a);
        w.steps.add(e.meta.id);
        broadWhy.set(g.why, w);
        continue;
      }
      const resources = [...(g.resources ?? ['*'])].sort();
      const key = JSON.stringify([resources, g.conditions ?? null]);
      const s = scoped.get(key) ?? { resources, ...(g.conditions ? { conditions: g.conditions } : {}), actions: new Set<string>(), why: new Map<string, Set<string>>() };
      for (const a of actions) s.actions.add(a);
      s.why.set(g.why, (s.why.get(g.why) ?? new Set<string>()).add(e.meta.id));
      scoped.set(key, s);
    }
    for (const a of wanted) if (!handled.has(a)) broad.add(a);
  }
  // Regional steps list the account's regions when none were chosen.
  if (entries.some((e) => e.meta.scope === 'regional')) broad.add('ec2:DescribeRegions');

  const statements: PolicyStatement[] = [
    { Sid: mode === 'check' ? 'SecureStartCheck' : 'SecureStartCheckAndFix', Effect: 'Allow', Action: [...broad].sort(), Resource: '*' },
  ];
  const narrowed: string[] = [];
  for (const s of scoped.values()) {
    // An action granted everywhere needs no narrower statement.
    const actions = [...s.actions].filter((a) => !broad.has(a)).sort();
    if (!actions.length) continue;
    statements.push({
      Sid: `SecureStartScoped${statements.length}`,
      Effect: 'Allow',
      Action: actions,
      Resource: s.resources.length === 1 ? s.resources[0]! : s.resources,
      ...(s.conditions ? { Condition: s.conditions } : {}),
    });
    const where = [s.resources.join(', '), s.conditions ? `when ${conditionText(s.conditions)}` : ''].filter(Boolean).join(' ');
    narrowed.push(`${actions.join(', ')} only on ${where}: ${[...s.why].map(([why, steps]) => `${why} (${[...steps].join(', ')})`).join('; ')}`);
  }
  const broadNotes = [...broadWhy.entries()].map(([why, w]) => `${[...w.actions].sort().join(', ')} (${[...w.steps].join(', ')}): ${why}`);
  const policy: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  validatePolicy(policy);
  return { policy, notes: { narrowed, broad: broadNotes, rootOnly: [...rootOnlySteps] } };
}

/** The least-privilege policy for the selected steps. */
export function buildPolicy(entries: Entries, mode: 'check' | 'fix'): PolicyDocument {
  return describePolicy(entries, mode).policy;
}

function conditionText(c: Condition): string {
  return Object.entries(c)
    .flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `${k} ${op} ${Array.isArray(v) ? v.join(' or ') : v}`))
    .join(' and ');
}

const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;

/** Throws unless `doc` is a well-formed identity policy: Version, a Statement array, each with actions and resources. */
export function validatePolicy(doc: PolicyDocument): void {
  const problems: string[] = [];
  if (doc.Version !== '2012-10-17') problems.push('Version is not 2012-10-17');
  if (!Array.isArray(doc.Statement) || !doc.Statement.length) problems.push('Statement is not a non-empty array');
  const sids = new Set<string>();
  for (const [i, s] of (doc.Statement ?? []).entries()) {
    const at = `Statement ${i}`;
    if (!/^[A-Za-z0-9]+$/.test(s.Sid) || sids.has(s.Sid)) problems.push(`${at}: Sid "${s.Sid}" is not a unique alphanumeric id`);
    sids.add(s.Sid);
    if (s.Effect !== 'Allow') problems.push(`${at}: Effect is not Allow`);
    if (!Array.isArray(s.Action) || !s.Action.length) problems.push(`${at}: no Action`);
    for (const a of s.Action ?? []) if (!ACTION.test(a)) problems.push(`${at}: "${a}" is not service:Action`);
    if (new Set(s.Action).size !== s.Action.length) problems.push(`${at}: an action appears twice`);
    const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    if (!resources.length || resources.some((r) => typeof r !== 'string' || !(r === '*' || r.startsWith('arn:')))) problems.push(`${at}: Resource is not "*" or ARNs`);
    if (s.Condition !== undefined && !Object.values(s.Condition).every((kv) => Object.keys(kv).length > 0)) problems.push(`${at}: an empty Condition`);
  }
  if (problems.length) throw new Error(`The generated policy is malformed: ${problems.join('; ')}.`);
}

/** The notes as stderr lines. */
export function notesText(notes: PolicyNotes, mode: 'check' | 'fix'): string {
  const lines: string[] = [];
  if (mode === 'check') lines.push('This policy only reads: it lets `check` and `plan` run, nothing that changes the account.');
  if (notes.rootOnly.length)
    lines.push(
      `Left out: the fixes of ${notes.rootOnly.join(', ')} run only as the root user, whom IAM policies do not govern; ` +
        'granting their actions to anyone else would only let them put MFA devices on, or delete the keys of, other users. Sign in as root for those steps.',
    );
  if (notes.narrowed.length) lines.push('Narrowed to what the tool itself creates or uses:', ...notes.narrowed.map((n) => `  - ${n}`));
  if (notes.broad.length) lines.push('Still on every resource, and why:', ...notes.broad.map((n) => `  - ${n}`));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export async function run(opts: GlobalOptions): Promise<number> {
  const mode = opts.for === 'fix' ? 'fix' : 'check';
  const { policy, notes } = describePolicy(selectSteps(opts), mode);
  process.stdout.write(JSON.stringify(policy, null, 2) + '\n');
  process.stderr.write(notesText(notes, mode));
  return 0;
}
