/** The no-admin-star-policies analysis without AWS: string and list forms, NotAction, NotResource, conditions, Deny. */
import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../src/engine/types.js';
import { analyseDocument, worst } from '../../steps/account/no-admin-star-policies/analysis.js';
import step, { describeUsage, policyFinding } from '../../steps/account/no-admin-star-policies/index.js';

const doc = (...Statement: Record<string, unknown>[]) => ({ Version: '2012-10-17', Statement });
const verdict = (d: unknown) => worst(analyseDocument(d));

describe('account.no-admin-star-policies: reading statements', () => {
  it('finds Action "*" on Resource "*", as a string, in a list, or written *:*, and a single statement object', () => {
    expect(verdict(doc({ Effect: 'Allow', Action: '*', Resource: '*' }))).toBe('full');
    expect(verdict(doc({ Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: ['arn:aws:s3:::x', '*'] }))).toBe('full');
    expect(verdict(doc({ Effect: 'Allow', Action: '*:*', Resource: '*' }))).toBe('full');
    expect(verdict({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } })).toBe('full');
  });

  it('does not count narrower grants, denials, or other effects', () => {
    expect(verdict(doc({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }))).toBeUndefined();
    expect(verdict(doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket/*' }))).toBeUndefined();
    expect(verdict(doc({ Effect: 'Deny', Action: '*', Resource: '*' }))).toBeUndefined();
    expect(verdict(doc({ Effect: 'allow', Action: '*', Resource: '*' }))).toBeUndefined();
    expect(verdict(doc({ Effect: 'Allow', Action: 's*', Resource: '*' }))).toBeUndefined();
  });

  it('treats NotAction carefully: "*" excludes everything, anything else leaves nearly everything', () => {
    expect(verdict(doc({ Effect: 'Allow', NotAction: '*', Resource: '*' }))).toBeUndefined();
    expect(verdict(doc({ Effect: 'Allow', NotAction: ['*:*'], Resource: '*' }))).toBeUndefined();
    const a = analyseDocument(doc({ Sid: 'Power', Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }));
    expect(a.statements).toEqual([{ verdict: 'nearly', index: 1, sid: 'Power', detail: 'every action except iam:*' }]);
    expect(verdict(doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::one' }))).toBeUndefined();
  });

  it('treats NotResource as nearly every resource', () => {
    const a = analyseDocument(doc({ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::secret/*' }));
    expect(a.statements).toEqual([{ verdict: 'nearly', index: 1, detail: 'every action on every resource except arn:aws:s3:::secret/*' }]);
    expect(verdict(doc({ Effect: 'Allow', Action: '*', NotResource: '*' }))).toBeUndefined();
  });

  it('leaves a condition to a person, but an empty Condition narrows nothing', () => {
    const a = analyseDocument(doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }));
    expect(a.statements).toEqual([{ verdict: 'conditional', index: 1, detail: 'aws:SourceIp' }]);
    expect(verdict(doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: {} }))).toBe('full');
  });

  it('full beats conditional beats nearly; Deny statements are counted; junk is unreadable, not admin', () => {
    const mixed = analyseDocument(
      doc(
        { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
        { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
      ),
    );
    expect(worst(mixed)).toBe('full');
    expect(mixed.denies).toBe(1);
    expect(analyseDocument(undefined)).toEqual({ statements: [], denies: 0, unreadable: true });
    expect(analyseDocument({ Statement: ['nonsense'] }).statements).toEqual([]);
  });
});

describe('account.no-admin-star-policies: findings and advice', () => {
  const policy = { PolicyName: 'p', Arn: 'arn:aws:iam::123456789012:policy/p', DefaultVersionId: 'v2' };

  it('fails a full grant, marks the others manual, and names who uses it', () => {
    const usage = { users: ['a'], groups: [], roles: ['r1', 'r2'], boundaryOf: ['role r3'] };
    const f = policyFinding(policy, analyseDocument(doc({ Effect: 'Allow', Action: '*', Resource: '*' })), usage)!;
    expect(f.status).toBe('fail');
    expect(f.message).toBe(
      'Customer-managed policy p allows every action on every resource (statement 1). It is attached to user a; roles r1, r2. It is also the permissions boundary of role r3 (a limit there, not a grant).',
    );
    expect(policyFinding(policy, analyseDocument(doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })), usage)!.status).toBe('manual');
    expect(policyFinding(policy, analyseDocument(doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })), usage)).toBeUndefined();
    expect(describeUsage(undefined)).toBe('It is attached to nothing yet: one attachment away from a new administrator.');
  });

  it('plans no change, only advice naming each policy and the commands', async () => {
    const f = policyFinding(policy, analyseDocument(doc({ Effect: 'Allow', Action: '*', Resource: '*' })), { users: [], groups: ['g'], roles: [], boundaryOf: [] })!;
    const ctx = { target: { partition: 'aws' } } as StepContext;
    const plan = await step.plan(ctx, [f], undefined);
    expect(plan.actions).toEqual([]);
    expect(plan.guidance).toContain('**`p`** (every action on every resource; attached to group g)');
    expect(plan.guidance).toContain('aws iam detach-group-policy --group-name g --policy-arn arn:aws:iam::123456789012:policy/p');
    expect(plan.guidance).toContain('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(step.meta.fix.kind).toBe('advice');
    expect(step.meta.permissions.fix).toEqual([]);
  });
});
