/** The groups-only model without AWS: signatures, names, moves, the before/after sets, actions and warnings. */
import type { GroupDetail, UserDetail } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { AuthorizationDetails } from '../../steps/account/_shared/iam-data.js';
import { movesToActions, warningsFor } from '../../steps/account/groups-only/index.js';
import { canonicalJson, deriveGroupName, planMoves, samePermissions, signature, userPolicies } from '../../steps/account/groups-only/model.js';

const enc = (doc: unknown) => encodeURIComponent(typeof doc === 'string' ? doc : JSON.stringify(doc));
const A = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const B = 'arn:aws:iam::123456789012:policy/deploy';
const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] };

function user(name: string, managed: string[] = [], inline: Record<string, unknown> = {}, groups: string[] = []): UserDetail {
  return {
    UserName: name,
    Arn: `arn:aws:iam::123456789012:user/${name}`,
    AttachedManagedPolicies: managed.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
    UserPolicyList: Object.entries(inline).map(([n, d]) => ({ PolicyName: n, PolicyDocument: enc(d) })),
    GroupList: groups,
  };
}
function group(name: string, managed: string[] = [], inline: Record<string, unknown> = {}): GroupDetail {
  return {
    GroupName: name,
    AttachedManagedPolicies: managed.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
    GroupPolicyList: Object.entries(inline).map(([n, d]) => ({ PolicyName: n, PolicyDocument: enc(d) })),
  };
}
const details = (users: UserDetail[], groups: GroupDetail[] = []): AuthorizationDetails => ({ UserDetailList: users, GroupDetailList: groups, RoleDetailList: [], Policies: [] });

describe('account.groups-only: comparing policies', () => {
  it('ignores key order and spacing in documents, but not array order or names of managed policies', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    const one = userPolicies(user('u', [A], { x: DOC }));
    const reordered = userPolicies(user('u', [A], { y: '{"Statement":[{"Resource":"*","Effect":"Allow","Action":"sqs:SendMessage"}],"Version":"2012-10-17"}' }));
    expect(signature(one)).toBe(signature(reordered));
    expect(signature(one)).not.toBe(signature(userPolicies(user('u', [A, B], { x: DOC }))));
    expect(signature(one)).not.toBe(signature(userPolicies(user('u', [A], { x: DOC, y: DOC }))));
  });

  it('names a new group after the policies it grants, never after a person, valid and free', () => {
    const set = (managed: string[], inline: string[] = []) => ({
      managed: managed.map((name) => ({ arn: `arn:aws:iam::aws:policy/${name}`, name })),
      inline: inline.map((name) => ({ name, document: '{}', canonical: '{}' })),
    });
    expect(deriveGroupName(set(['ReadOnlyAccess']), new Set())).toBe('ReadOnlyAccess');
    expect(deriveGroupName(set(['ReadOnlyAccess'], ['publish-site']), new Set())).toBe('ReadOnlyAccess+publish-site');
    expect(deriveGroupName(set(['A', 'B'], ['c', 'd']), new Set())).toBe('A+B+2-more');
    expect(deriveGroupName(set(['ReadOnlyAccess']), new Set(['readonlyaccess', 'readonlyaccess-2']))).toBe('ReadOnlyAccess-3');
    expect(deriveGroupName(set([], ['weird name/with:chars']), new Set())).toBe('weird-name-with-chars');
    expect(deriveGroupName(set([]), new Set())).toBe('permissions');
    const long = set(['u'.repeat(128), 'v'.repeat(128)]);
    expect(deriveGroupName(long, new Set())).toMatch(/^[\w+=,.@-]{1,128}$/);
    expect(deriveGroupName(long, new Set([deriveGroupName(long, new Set()).toLowerCase()]))).toMatch(/^[\w+=,.@-]{1,128}$/);
  });
});

describe('account.groups-only: moves', () => {
  it('reuses an exact group, shares a planned one, creates one otherwise, and computes equal sets', () => {
    const moves = planMoves(
      details(
        [user('ann', [A]), user('bob', [A, B], { x: DOC }), user('cat', [B, A], { other: DOC }), user('dan'), user('eve', [A], {}, ['readers'])],
        [group('readers', [A]), group('wide', [A, B])],
      ),
    );
    expect(moves.map((m) => [m.user, m.target.name, m.target.kind, m.target.isMember])).toEqual([
      ['ann', 'readers', 'exists', false],
      ['bob', 'ReadOnlyAccess+deploy+x', 'new', false],
      ['cat', 'ReadOnlyAccess+deploy+x', 'planned', false],
      ['eve', 'readers', 'exists', true],
    ]);
    expect(moves.every(samePermissions)).toBe(true);
    expect(moves[1]!.before).toEqual([`inline:${canonicalJson(DOC)}`, `managed:${A}`, `managed:${B}`].sort());
  });

  it('keeps what users get through their other groups in both sets', () => {
    const [m] = planMoves(details([user('fay', [B], {}, ['readers'])], [group('readers', [A])]));
    expect(m!.before).toEqual([`managed:${A}`, `managed:${B}`].sort());
    expect(m!.after).toEqual(m!.before);
  });

  it('limits itself to the users the check reported', () => {
    expect(planMoves(details([user('ann', [A]), user('bob', [B])]), new Set(['bob'])).map((m) => m.user)).toEqual(['bob']);
  });
});

describe('account.groups-only: actions', () => {
  const moves = planMoves(details([user('bob', [A], { x: DOC }), user('cat', [A], { y: DOC })]));
  const actions = movesToActions(moves);

  it('grants before it removes, creates a shared group once, and can undo every step', () => {
    expect(actions.map((a) => `${a.operation} ${Object.values(a.params).slice(0, 2).join(' ')}`)).toEqual([
      'CreateGroup ReadOnlyAccess+x',
      'PutGroupPolicy ReadOnlyAccess+x x',
      `AttachGroupPolicy ReadOnlyAccess+x ${A}`,
      'AddUserToGroup ReadOnlyAccess+x bob',
      `DetachUserPolicy bob ${A}`,
      'DeleteUserPolicy bob x',
      'AddUserToGroup ReadOnlyAccess+x cat',
      `DetachUserPolicy cat ${A}`,
      'DeleteUserPolicy cat y',
    ]);
    expect(actions.every((a) => a.inverse)).toBe(true);
    expect(actions.filter((a) => a.destructive).map((a) => a.operation)).toEqual(['DetachUserPolicy', 'DeleteUserPolicy', 'DetachUserPolicy', 'DeleteUserPolicy']);
    const del = actions.find((a) => a.operation === 'DeleteUserPolicy')!;
    expect(del.inverse).toMatchObject({ operation: 'PutUserPolicy', params: { UserName: 'bob', PolicyName: 'x', PolicyDocument: JSON.stringify(DOC) } });
    expect(actions[3]!.summary).toBe('Add bob to group ReadOnlyAccess+x, which grants exactly the 1 managed policy and 1 inline policy bob holds directly');
  });

  it('says the permissions stay the same, and warns about quotas it would hit', () => {
    expect(warningsFor(moves, 0)).toEqual([expect.stringMatching(/^Permissions before and after are the same set for each of the 2 users/)]);
    const crowded = planMoves(
      details(
        [user('gil', [A], {}, Array.from({ length: 10 }, (_, i) => `g${i}`))],
        Array.from({ length: 10 }, (_, i) => group(`g${i}`)),
      ),
    );
    const many = planMoves(details([user('hal', Array.from({ length: 11 }, (_, i) => `arn:aws:iam::123456789012:policy/p${i}`))]));
    const w = [...warningsFor(crowded, 10), ...warningsFor(many, 300)];
    expect(w).toEqual([
      expect.stringMatching(/^Permissions before/),
      expect.stringContaining('Already in 10 groups, the most IAM allows by default: gil'),
      expect.stringMatching(/^Permissions before/),
      expect.stringContaining('More than 10 managed policies for one new group'),
      expect.stringContaining('This creates 1 groups next to the 300 there are'),
    ]);
  });
});
