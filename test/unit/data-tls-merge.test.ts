/** The TLS-only rule: recognising it in a policy, and merging it in without touching anything else. */
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../src/aws/policy.js';
import { BUCKET_POLICY_MAX_BYTES, parsePolicy } from '../../src/aws/policy.js';
import { publicStatements } from '../../steps/data/_shared/publicness.js';
import { TLS_SID, covered, freeSid, insecureTransportDeny, isInsecureTransportDeny, mergeTlsDeny, tlsCoverage } from '../../src/aws/s3-tls.js';

const ARN = 'arn:aws:s3:::reports';

const deny = (extra: Partial<Statement> = {}): Statement => ({
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [ARN, `${ARN}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  ...extra,
});

/** Statements with every shape a real policy may hold: lists and strings, conditions, NotAction, odd fields. */
const EXISTING: Statement[] = [
  {
    Sid: 'ReadForPartner',
    Effect: 'Allow',
    Principal: { AWS: ['arn:aws:iam::111122223333:role/reader', 'arn:aws:iam::444455556666:root'] },
    Action: ['s3:GetObject', 's3:GetObjectVersion'],
    Resource: `${ARN}/shared/*`,
    Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'public' }, NumericLessThan: { 's3:TlsVersion': 1.2 } },
  },
  { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, NotAction: 's3:GetObject', Resource: `${ARN}/*` },
  { Sid: '', Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: `${ARN}/logs/*`, Unknown: [1, { x: null }] },
];

function parse(text: string) {
  const p = parsePolicy(text);
  if (!p.ok) throw new Error(p.reason);
  return p;
}

describe('recognising the TLS-only rule', () => {
  it.each([
    ['the standard statement', [deny()], { bucket: true, objects: true }],
    ['Principal {"AWS": "*"} and Action "*"', [deny({ Principal: { AWS: '*' }, Action: '*' })], { bucket: true, objects: true }],
    ['BoolIfExists and a JSON false', [deny({ Condition: { BoolIfExists: { 'aws:SecureTransport': false } } })], { bucket: true, objects: true }],
    ['a wildcard resource that covers both', [deny({ Resource: 'arn:aws:s3:::report*' })], { bucket: true, objects: true }],
    ['the two resources in two statements', [deny({ Resource: ARN }), deny({ Resource: `${ARN}/*` })], { bucket: true, objects: true }],
    ['objects only', [deny({ Resource: `${ARN}/*` })], { bucket: false, objects: true }],
    ['the bucket only', [deny({ Resource: ARN })], { bucket: true, objects: false }],
    ['one prefix of objects only', [deny({ Resource: [ARN, `${ARN}/private/*`] })], { bucket: true, objects: false }],
    ['another bucket', [deny({ Resource: ['arn:aws:s3:::other', 'arn:aws:s3:::other/*'] })], { bucket: false, objects: false }],
    ['only some actions', [deny({ Action: ['s3:GetObject', 's3:PutObject'] })], { bucket: false, objects: false }],
    ['an Allow', [deny({ Effect: 'Allow' })], { bucket: false, objects: false }],
    ['a single principal', [deny({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } })], { bucket: false, objects: false }],
    ['SecureTransport true', [deny({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } })], { bucket: false, objects: false }],
    ['a second condition narrowing it', [deny({ Condition: { Bool: { 'aws:SecureTransport': 'false' }, IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })], { bucket: false, objects: false }],
    ['NotResource', [deny({ Resource: undefined, NotResource: 'arn:aws:s3:::x' })], { bucket: false, objects: false }],
    ['a TLS version rule instead', [deny({ Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } })], { bucket: false, objects: false }],
  ])('%s', (_name, statements, expected) => {
    expect(tlsCoverage(statements as Statement[], ARN)).toEqual(expected);
  });

  it('the statement the fix adds is recognised and grants nothing', () => {
    const s = insecureTransportDeny(ARN);
    expect(isInsecureTransportDeny(s)).toBe(true);
    expect(covered(tlsCoverage([s], ARN))).toBe(true);
    expect(publicStatements([s])).toEqual([]);
    expect(s).toEqual({
      Sid: TLS_SID,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [ARN, `${ARN}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });
});

describe('merging the TLS-only rule', () => {
  it('a bucket without a policy gets one with only the new statement', () => {
    const merge = mergeTlsDeny(null, ARN);
    expect(merge.ok).toBe(true);
    if (!merge.ok) return;
    expect(JSON.parse(merge.after)).toEqual({ Version: '2012-10-17', Statement: [insecureTransportDeny(ARN)] });
    expect(merge.kept).toBe(0);
  });

  it('every existing statement, the Version, the Id and other fields are unchanged (deep-equal), in order', () => {
    const before = JSON.stringify({ Version: '2012-10-17', Id: 'Reports', Statement: EXISTING, Comment: 'kept' }, null, 4);
    const merge = mergeTlsDeny(before, ARN);
    expect(merge.ok).toBe(true);
    if (!merge.ok) return;
    const after = JSON.parse(merge.after);
    const original = JSON.parse(before);
    expect(after.Statement.slice(0, EXISTING.length)).toStrictEqual(original.Statement);
    expect(after.Statement).toHaveLength(EXISTING.length + 1);
    expect(after.Statement.at(-1)).toEqual(insecureTransportDeny(ARN));
    const { Statement: _a, ...restAfter } = after;
    const { Statement: _b, ...restBefore } = original;
    expect(restAfter).toStrictEqual(restBefore);
    expect(Object.keys(after)).toEqual(Object.keys(original));
    expect(merge.kept).toBe(3);
    expect(covered(tlsCoverage(parse(merge.after).statements, ARN))).toBe(true);
  });

  it('a lone statement object becomes the first of a list, unchanged', () => {
    const lone = EXISTING[0]!;
    const merge = mergeTlsDeny(JSON.stringify({ Version: '2012-10-17', Statement: lone }), ARN);
    if (!merge.ok) throw new Error(merge.reason);
    expect(JSON.parse(merge.after).Statement).toStrictEqual([lone, insecureTransportDeny(ARN)]);
  });

  it('a missing Version stays missing (adding one could change what policy variables mean)', () => {
    const merge = mergeTlsDeny(JSON.stringify({ Statement: [EXISTING[2]] }), ARN);
    if (!merge.ok) throw new Error(merge.reason);
    expect(JSON.parse(merge.after)).not.toHaveProperty('Version');
  });

  it('an existing partial rule stays and the new one gets a free Sid', () => {
    const partial = deny({ Sid: TLS_SID, Resource: `${ARN}/*` });
    const merge = mergeTlsDeny(JSON.stringify({ Version: '2012-10-17', Statement: [partial, { ...partial, Sid: `${TLS_SID}2` }] }), ARN);
    if (!merge.ok) throw new Error(merge.reason);
    const statements = JSON.parse(merge.after).Statement;
    expect(statements.slice(0, 2)).toStrictEqual([partial, { ...partial, Sid: `${TLS_SID}2` }]);
    expect(statements[2].Sid).toBe(`${TLS_SID}3`);
    expect(freeSid([])).toBe(TLS_SID);
  });

  it.each([
    ['not JSON', '{"Version": "2012-10-17", "Statement": [', /cannot be parsed: it is not valid JSON/],
    ['no statements', '{"Version": "2012-10-17"}', /cannot be parsed: it has no "Statement"/],
    ['a statement that is not an object', '{"Statement": ["Allow"]}', /statement 1 is not a JSON object/],
  ])('a policy that is %s is not merged', (_name, text, reason) => {
    const merge = mergeTlsDeny(text, ARN);
    expect(merge.ok).toBe(false);
    if (!merge.ok) expect(merge.reason).toMatch(reason);
  });

  it('a policy that would outgrow S3’s 20 KB limit is not merged', () => {
    const big = { Version: '2012-10-17', Statement: [{ ...EXISTING[0], Sid: 'x'.repeat(BUCKET_POLICY_MAX_BYTES - 400) }] };
    const merge = mergeTlsDeny(JSON.stringify(big), ARN);
    expect(merge.ok).toBe(false);
    if (!merge.ok) expect(merge.reason).toMatch(/over S3's limit of 20480/);
  });
});
