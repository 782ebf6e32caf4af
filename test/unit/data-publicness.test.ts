/** Publicness from the documents themselves: ACL grants, policy statements and Block Public Access in force. */
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../src/aws/policy.js';
import { actionsCover, globMatch, parsePolicy, principalIsEveryone, statementsOf } from '../../src/aws/policy.js';
import {
  ALL_USERS_URI,
  AUTHENTICATED_USERS_URI,
  FULL_BLOCK,
  assessExposure,
  blockFrom,
  combinedBlock,
  describeBlock,
  isFullBlock,
  isNarrowCidr,
  isPublicStatement,
  publicGrants,
  publicStatements,
  settingsOff,
} from '../../steps/data/_shared/publicness.js';
import type { AclGrant, BlockConfig, PolicyState } from '../../steps/data/_shared/publicness.js';

const OWNER: AclGrant = { Grantee: { Type: 'CanonicalUser', ID: 'abc' }, Permission: 'FULL_CONTROL' };
const group = (uri: string, permission: string): AclGrant => ({ Grantee: { Type: 'Group', URI: uri }, Permission: permission });
const LOG_DELIVERY = group('http://acs.amazonaws.com/groups/s3/LogDelivery', 'WRITE');

const allowAll = (extra: Partial<Statement> = {}): Statement => ({
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::site/*',
  ...extra,
});
const withCondition = (condition: Record<string, unknown>) => allowAll({ Condition: condition });

describe('ACL grants', () => {
  it('finds grants to everyone and to every AWS account, and nothing else', () => {
    expect(publicGrants([OWNER, LOG_DELIVERY])).toEqual([]);
    expect(publicGrants([OWNER, group(ALL_USERS_URI, 'READ'), group(AUTHENTICATED_USERS_URI, 'WRITE')])).toEqual([
      { group: 'AllUsers', permission: 'READ' },
      { group: 'AuthenticatedUsers', permission: 'WRITE' },
    ]);
    expect(publicGrants(null)).toEqual([]);
  });

  it('accepts the group URIs written with https', () => {
    expect(publicGrants([group('https://acs.amazonaws.com/groups/global/AllUsers', 'READ_ACP')])).toEqual([{ group: 'AllUsers', permission: 'READ_ACP' }]);
  });
});

describe('policy statements', () => {
  it.each([
    ['Principal "*"', allowAll(), true],
    ['Principal {"AWS": "*"}', allowAll({ Principal: { AWS: '*' } }), true],
    ['"*" among other principals', allowAll({ Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } }), true],
    ['a wildcard account', allowAll({ Principal: { AWS: 'arn:aws:iam::*:root' } }), true],
    ['Allow with NotPrincipal', { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*', Resource: '*' }, true],
    ['a fixed account', allowAll({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } }), false],
    ['a service principal', allowAll({ Principal: { Service: 'cloudtrail.amazonaws.com' } }), false],
    ['a Deny for "*"', allowAll({ Effect: 'Deny' }), false],
    ['no Effect', { Principal: '*', Action: 's3:GetObject' }, false],
  ])('%s → public: %s', (_name, statement, expected) => {
    expect(isPublicStatement(statement as Statement)).toBe(expected);
  });

  it.each([
    ['a narrow aws:SourceIp range', { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.7'] } }, false],
    ['aws:SourceIp of the whole internet', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, true],
    ['aws:SourceIp wider than /8', { IpAddress: { 'aws:SourceIp': '64.0.0.0/2' } }, true],
    ['IPv6 ::/0', { IpAddress: { 'aws:SourceIp': '::/0' } }, true],
    ['NotIpAddress', { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, true],
    ['a fixed VPC endpoint', { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }, false],
    ['a VPC endpoint pattern', { StringLike: { 'aws:SourceVpce': 'vpce-*' } }, true],
    ['a fixed VPC', { StringEquals: { 'aws:SourceVpc': 'vpc-111bbb22' } }, false],
    ['StringNotEquals on the VPC endpoint', { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }, true],
    ['IfExists lets requests without the key through', { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }, true],
    ['the organization', { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }, false],
    ['ForAnyValue on the organization paths', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/' } }, false],
    ['ForAllValues (true for an empty set)', { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }, true],
    ['the source account', { StringEquals: { 'aws:SourceAccount': '111122223333' } }, false],
    ['a source ARN', { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main' } }, false],
    ['a source ARN with a wildcard', { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:*:trail/*' } }, true],
    ['the principal account', { StringEquals: { 'aws:PrincipalAccount': '111122223333' } }, false],
    ['keys match case-insensitively', { StringEquals: { 'AWS:SOURCEACCOUNT': '111122223333' } }, false],
    ['a policy variable is not a fixed value', { StringEquals: { 'aws:SourceAccount': '${aws:PrincipalAccount}' } }, true],
    ['aws:Referer can be forged', { StringLike: { 'aws:Referer': 'https://www.example.com/*' } }, true],
    ['aws:SecureTransport says nothing about who', { Bool: { 'aws:SecureTransport': 'true' } }, true],
    ['one restricting key among others is enough', { Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }, false],
    ['an empty value list', { StringEquals: { 'aws:SourceVpce': [] } }, true],
  ])('Principal "*" with %s → public: %s', (_name, condition, expected) => {
    expect(isPublicStatement(withCondition(condition))).toBe(expected);
  });

  it('describes each public statement with its number and Sid', () => {
    const statements: Statement[] = [
      { Sid: 'Own', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*', Resource: '*' },
      allowAll({ Sid: 'Website' }),
      allowAll({ Action: ['s3:GetObject', 's3:ListBucket'] }),
    ];
    expect(publicStatements(statements)).toEqual([
      { number: 2, sid: 'Website', description: 'statement 2 ("Website") allows anyone s3:GetObject' },
      { number: 3, description: 'statement 3 allows anyone s3:GetObject, s3:ListBucket' },
    ]);
  });

  it('narrow CIDRs', () => {
    expect(isNarrowCidr('10.0.0.0/8')).toBe(true);
    expect(isNarrowCidr('10.0.0.0/7')).toBe(false);
    expect(isNarrowCidr('2001:db8::/32')).toBe(true);
    expect(isNarrowCidr('2001:db8::/16')).toBe(false);
    expect(isNarrowCidr('not-an-ip')).toBe(false);
  });
});

describe('the verdict', () => {
  const none: PolicyState = { kind: 'none' };
  const publicPolicy: PolicyState = { kind: 'parsed', statements: [allowAll({ Sid: 'Share' })] };
  const readAcl = [OWNER, group(ALL_USERS_URI, 'READ')];
  const only = (settings: Partial<BlockConfig>): BlockConfig => ({ ...blockFrom({})!, ...settings });

  it('a public-read ACL without any block is public, and says so', () => {
    expect(assessExposure({ acl: readAcl, policy: none, bucketBlock: null, accountBlock: null })).toEqual({
      status: 'public',
      reasons: ['its ACL grants READ to everyone (AllUsers)'],
      neutralised: [],
    });
  });

  it('a policy for "*" is public, and names the statement', () => {
    const e = assessExposure({ acl: [OWNER], policy: publicPolicy, bucketBlock: null, accountBlock: null });
    expect(e.status).toBe('public');
    expect(e.reasons).toEqual(['its policy: statement 1 ("Share") allows anyone s3:GetObject']);
  });

  it('IgnorePublicAcls on the bucket or on the account neutralises the ACL', () => {
    for (const blocks of [{ bucketBlock: only({ IgnorePublicAcls: true }), accountBlock: null }, { bucketBlock: null, accountBlock: only({ IgnorePublicAcls: true }) }]) {
      const e = assessExposure({ acl: readAcl, policy: none, ...blocks });
      expect(e.status).toBe('private');
      expect(e.neutralised).toEqual(['its ACL grants READ to everyone (AllUsers)']);
    }
  });

  it('RestrictPublicBuckets neutralises the policy but not the ACL', () => {
    const e = assessExposure({ acl: readAcl, policy: publicPolicy, bucketBlock: null, accountBlock: only({ RestrictPublicBuckets: true }) });
    expect(e.status).toBe('public');
    expect(e.reasons).toEqual(['its ACL grants READ to everyone (AllUsers)']);
    expect(e.neutralised).toHaveLength(1);
  });

  it('BlockPublicAcls and BlockPublicPolicy only stop new grants: existing ones stay public', () => {
    const e = assessExposure({ acl: readAcl, policy: publicPolicy, bucketBlock: only({ BlockPublicAcls: true, BlockPublicPolicy: true }), accountBlock: null });
    expect(e.status).toBe('public');
    expect(e.reasons).toHaveLength(2);
  });

  it('a policy that cannot be read makes the verdict unknown, unless RestrictPublicBuckets makes it moot', () => {
    const unreadable: PolicyState = { kind: 'unreadable', reason: 'it is not valid JSON' };
    expect(assessExposure({ acl: [OWNER], policy: unreadable, bucketBlock: null, accountBlock: null })).toMatchObject({
      status: 'unknown',
      unknown: 'its policy cannot be read (it is not valid JSON)',
    });
    expect(assessExposure({ acl: [OWNER], policy: unreadable, bucketBlock: only({ RestrictPublicBuckets: true }), accountBlock: null }).status).toBe('private');
    // A public ACL is enough to call it public, whatever the policy says.
    expect(assessExposure({ acl: readAcl, policy: unreadable, bucketBlock: null, accountBlock: null }).status).toBe('public');
  });

  it('an ACL not read (the bucket ignores public ACLs) counts for nothing', () => {
    expect(assessExposure({ acl: null, policy: none, bucketBlock: FULL_BLOCK, accountBlock: null }).status).toBe('private');
  });
});

describe('Block Public Access configurations', () => {
  it('reads missing settings as off and keeps "none set" apart', () => {
    expect(blockFrom(null)).toBeNull();
    expect(blockFrom({ BlockPublicAcls: true })).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    expect(isFullBlock(FULL_BLOCK)).toBe(true);
    expect(isFullBlock(null)).toBe(false);
    expect(settingsOff(blockFrom({ BlockPublicAcls: true, IgnorePublicAcls: true }))).toEqual(['BlockPublicPolicy', 'RestrictPublicBuckets']);
  });

  it('describes a configuration in one line', () => {
    expect(describeBlock(null)).toBe('none set');
    expect(describeBlock(FULL_BLOCK)).toBe('all four settings on');
    expect(describeBlock(blockFrom({}))).toBe('all four settings off');
    expect(describeBlock(blockFrom({ IgnorePublicAcls: true }))).toBe('on: IgnorePublicAcls; off: BlockPublicAcls, BlockPublicPolicy, RestrictPublicBuckets');
  });

  it('combines bucket and account: the stricter setting counts', () => {
    expect(combinedBlock(blockFrom({ BlockPublicAcls: true }), blockFrom({ RestrictPublicBuckets: true }))).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: true,
    });
    expect(combinedBlock(null, null)).toEqual(blockFrom({}));
  });
});

describe('policy document helpers', () => {
  it('parses only documents with statements that are objects', () => {
    expect(parsePolicy('{not json')).toMatchObject({ ok: false, reason: expect.stringContaining('not valid JSON') });
    expect(parsePolicy('[]')).toEqual({ ok: false, reason: 'it is not a JSON object' });
    expect(parsePolicy('{"Version":"2012-10-17"}')).toEqual({ ok: false, reason: 'it has no "Statement"' });
    expect(parsePolicy('{"Statement":[{"Effect":"Allow"},"x"]}')).toEqual({ ok: false, reason: 'statement 2 is not a JSON object' });
    const single = parsePolicy('{"Statement":{"Effect":"Allow"}}');
    expect(single).toMatchObject({ ok: true, statements: [{ Effect: 'Allow' }] });
    if (single.ok) expect(statementsOf(single.document)).toEqual([{ Effect: 'Allow' }]);
  });

  it('matches wildcards as IAM does', () => {
    expect(globMatch('arn:aws:s3:::site/*', 'arn:aws:s3:::site/a/b.html')).toBe(true);
    expect(globMatch('arn:aws:s3:::site/*', 'arn:aws:s3:::site')).toBe(false);
    expect(globMatch('arn:aws:s3:::sit?', 'arn:aws:s3:::site')).toBe(true);
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(actionsCover(['S3:Get*'], 's3:GetObject')).toBe(true);
    expect(actionsCover('s3:PutObject', 's3:GetObject')).toBe(false);
  });

  it('knows "everyone" in its spellings', () => {
    expect(principalIsEveryone('*')).toBe(true);
    expect(principalIsEveryone({ AWS: ['*'] })).toBe(true);
    expect(principalIsEveryone({ AWS: 'arn:aws:iam::111122223333:root' })).toBe(false);
    expect(principalIsEveryone(undefined)).toBe(false);
  });
});
