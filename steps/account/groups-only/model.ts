/**
 * The pure part of account.groups-only: which users hold policies of their own, which group each
 * should get them from instead (an existing group with exactly the same policies, one planned for
 * an earlier user with the same set, or a new one named after the policies it holds), and the permissions of each
 * user before and after, computed rather than assumed.
 *
 * A user's permissions here are a set: the ARNs of managed policies and the documents of inline
 * policies (in a canonical form: key order and whitespace do not count, names do not count), from
 * the user directly and from every group the user is in.
 */
import type { GroupDetail, UserDetail } from '@aws-sdk/client-iam';
import { decodePolicyDocument } from '../_shared/iam-data.js';
import type { AuthorizationDetails } from '../_shared/iam-data.js';

/** IAM quotas (defaults) that the moves can run into. */
export const QUOTAS = { groupsPerUser: 10, managedPerGroup: 10, groupsPerAccount: 300 } as const;

export interface InlinePolicy {
  name: string;
  /** The document as JSON text (compact), as PutGroupPolicy / PutUserPolicy take it. */
  document: string;
  /** Key-sorted JSON, for comparing documents. */
  canonical: string;
}

export interface PolicySet {
  managed: { arn: string; name: string }[];
  inline: InlinePolicy[];
}

/** JSON with object keys sorted at every level; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sort(value));
}

function inlineOf(list: { PolicyName?: string; PolicyDocument?: string }[] | undefined): InlinePolicy[] {
  return (list ?? []).map((p) => {
    const parsed = decodePolicyDocument(p.PolicyDocument);
    // A document that does not parse is compared as the text IAM returned (never equal to a parsed one).
    const document = parsed === undefined ? (p.PolicyDocument ?? '') : JSON.stringify(parsed);
    return { name: p.PolicyName ?? '', document, canonical: parsed === undefined ? `raw:${document}` : canonicalJson(parsed) };
  });
}

export function userPolicies(u: UserDetail): PolicySet {
  return {
    managed: (u.AttachedManagedPolicies ?? []).map((p) => ({ arn: p.PolicyArn ?? '', name: p.PolicyName ?? p.PolicyArn?.split('/').pop() ?? '' })),
    inline: inlineOf(u.UserPolicyList),
  };
}

export function groupPolicies(g: GroupDetail): PolicySet {
  return {
    managed: (g.AttachedManagedPolicies ?? []).map((p) => ({ arn: p.PolicyArn ?? '', name: p.PolicyName ?? p.PolicyArn?.split('/').pop() ?? '' })),
    inline: inlineOf(g.GroupPolicyList),
  };
}

/** The permission keys a set grants: `managed:<arn>` and `inline:<canonical document>`. */
export function permissionKeys(s: PolicySet): string[] {
  return [...s.managed.map((m) => `managed:${m.arn}`), ...s.inline.map((i) => `inline:${i.canonical}`)];
}

/** Two sets hold exactly the same policies: the same managed ARNs, and the same inline documents as many times. */
export function signature(s: PolicySet): string {
  return JSON.stringify([[...new Set(s.managed.map((m) => m.arn))].sort(), s.inline.map((i) => i.canonical).sort()]);
}

export function hasOwnPolicies(u: UserDetail): boolean {
  return Boolean(u.AttachedManagedPolicies?.length || u.UserPolicyList?.length);
}

export interface Move {
  user: string;
  arn: string;
  own: PolicySet;
  /** Groups the user is in now. */
  groups: string[];
  target: {
    name: string;
    /** exists: reused as it is; planned: created for an earlier user in this plan; new: created for this user. */
    kind: 'exists' | 'planned' | 'new';
    isMember: boolean;
    /** What the target grants after the plan. */
    policies: PolicySet;
  };
  /** Sorted permission keys, from the user and their groups, before and after. */
  before: string[];
  after: string[];
}

const sortedSet = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** What IAM allows in a group name: letters, digits and `+=,.@_-`. */
const nameSafe = (s: string) => s.replace(/[^\w+=,.@-]/g, '-');

/**
 * A group name for a set of policies, named after what it grants (never after one of the people
 * who will be in it): `ReadOnlyAccess`, `ReadOnlyAccess+publish-site`, or
 * `ReadOnlyAccess+publish-site+2-more`; then `-2`, `-3`… when taken (IAM names are case-insensitive).
 */
export function deriveGroupName(set: PolicySet, taken: ReadonlySet<string>): string {
  const parts = [...set.managed.map((m) => m.name), ...set.inline.map((i) => i.name)].map(nameSafe).filter(Boolean);
  const shown = parts.length > 3 ? [...parts.slice(0, 2), `${parts.length - 2}-more`] : parts;
  const base = (shown.join('+') || 'permissions').slice(0, 120);
  if (!taken.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const name = `${base}-${n}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}

/**
 * Where each user with policies of their own gets them from instead, in the order IAM lists
 * users. `only` limits it to those users (the ones the check reported).
 */
export function planMoves(details: AuthorizationDetails, only?: ReadonlySet<string>): Move[] {
  const groups = new Map(details.GroupDetailList.filter((g) => g.GroupName).map((g) => [g.GroupName!, groupPolicies(g)]));
  const bySignature = new Map<string, string[]>();
  for (const [name, set] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const sig = signature(set);
    bySignature.set(sig, [...(bySignature.get(sig) ?? []), name]);
  }
  const taken = new Set([...groups.keys()].map((n) => n.toLowerCase()));
  const planned = new Map<string, { name: string; policies: PolicySet }>();
  const moves: Move[] = [];

  for (const u of details.UserDetailList) {
    if (!u.UserName || !hasOwnPolicies(u) || (only && !only.has(u.UserName))) continue;
    const own = userPolicies(u);
    const sig = signature(own);
    const member = u.GroupList ?? [];
    const existing = bySignature.get(sig);
    let target: Move['target'];
    if (existing?.length) {
      const name = existing.find((g) => member.includes(g)) ?? existing[0]!;
      target = { name, kind: 'exists', isMember: member.includes(name), policies: groups.get(name)! };
    } else if (planned.has(sig)) {
      const p = planned.get(sig)!;
      target = { name: p.name, kind: 'planned', isMember: false, policies: p.policies };
    } else {
      const name = deriveGroupName(own, taken);
      taken.add(name.toLowerCase());
      planned.set(sig, { name, policies: own });
      target = { name, kind: 'new', isMember: false, policies: own };
    }
    const viaGroups = member.flatMap((g) => permissionKeys(groups.get(g) ?? { managed: [], inline: [] }));
    const before = sortedSet([...permissionKeys(own), ...viaGroups]);
    const after = sortedSet([...viaGroups, ...permissionKeys(target.policies)]);
    moves.push({ user: u.UserName, arn: u.Arn ?? '', own, groups: member, target, before, after });
  }
  return moves;
}

export function samePermissions(m: Move): boolean {
  return m.before.length === m.after.length && m.before.every((k, i) => k === m.after[i]);
}
