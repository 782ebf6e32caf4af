/**
 * `secure-start policy`: the printed documents are well-formed, least privilege where the policy
 * language can say it, and say what stays broad (issue 9, item 5). Pure: built from the registry's
 * metadata. That the policies cover what the steps really send is proven against moto by StepTester
 * and test/sandbox/permissions.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IMPLIED } from '../../src/aws/actions.js';
import { buildPolicy, describePolicy, notesText, run, validatePolicy } from '../../src/cli/commands/policy.js';
import type { PolicyDocument } from '../../src/cli/commands/policy.js';
import { registry } from '../../steps/index.js';

const byId = (id: string) => registry.filter((e) => e.meta.id === id);
const fix = buildPolicy(registry, 'fix');
const broad = fix.Statement[0]!;
const allActions = (p: PolicyDocument) => p.Statement.flatMap((s) => s.Action);

describe('the generated policies', () => {
  it.each([
    ['check', buildPolicy(registry, 'check')],
    ['fix', fix],
  ] as const)('--for %s is well-formed: Version, a Statement array, each with actions and resources', (_mode, policy) => {
    expect(() => validatePolicy(policy)).not.toThrow();
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Allow', Resource: '*' });
  });

  it.each(registry.map((e) => [e.meta.id, e] as const))('%s: --for fix --step is well-formed, and its grants name only declared actions', (_id, e) => {
    expect(() => buildPolicy([e], 'fix')).not.toThrow();
    const declared = new Set(e.meta.permissions.fix);
    expect(buildPolicy([e], 'check').Statement, 'the check policy is one statement of reads').toHaveLength(1);
    for (const g of e.meta.permissions.grants ?? []) {
      for (const a of g.actions) expect(declared, `${a} in a grant`).toContain(a);
      expect(g.why.trim()).not.toBe('');
    }
  });

  it.each(registry.map((e) => [e.meta.id, e] as const))('%s: declares the actions its fix calls always imply (src/aws/actions.ts, IMPLIED)', (_id, e) => {
    for (const rule of IMPLIED.filter((r) => !r.when && e.meta.permissions.fix.includes(r.call)))
      for (const a of rule.actions) expect(e.meta.permissions.fix, `${rule.call} implies ${a}: ${rule.why}`).toContain(a);
  });

  it('refuses a malformed document', () => {
    const ok = buildPolicy(byId('account.password-policy'), 'fix');
    expect(() => validatePolicy({ ...ok, Version: '2008-10-17' as '2012-10-17' })).toThrow(/Version/);
    expect(() => validatePolicy({ ...ok, Statement: [] })).toThrow(/Statement/);
    expect(() => validatePolicy({ ...ok, Statement: [{ ...ok.Statement[0]!, Action: [] }] })).toThrow(/no Action/);
    expect(() => validatePolicy({ ...ok, Statement: [{ ...ok.Statement[0]!, Resource: [] }] })).toThrow(/Resource/);
  });
});

describe('least privilege in the fix policy', () => {
  it('grants none of the escalation routes on every resource', () => {
    for (const a of ['iam:CreatePolicyVersion', 'iam:CreateRole', 'iam:PutRolePolicy', 'iam:PassRole', 'iam:CreateServiceLinkedRole', 'ec2:CreateTags', 's3:CreateBucket'])
      expect(broad.Action, a).not.toContain(a);
    // Group policies stay broad only for account.groups-only, whose groups are named after the policies they hold.
    const withoutGroupsOnly = buildPolicy(registry.filter((e) => e.meta.id !== 'account.groups-only'), 'fix');
    for (const a of ['iam:PutGroupPolicy', 'iam:AttachGroupPolicy']) expect(withoutGroupsOnly.Statement[0]!.Action, a).not.toContain(a);
  });

  it('scopes what the tool creates to its own names', () => {
    const on = (action: string) => fix.Statement.filter((s) => s.Action.includes(action)).map((s) => s.Resource);
    expect(on('iam:CreateRole')).toEqual(['arn:aws:iam::*:role/secure-start-*']);
    expect(on('iam:PutRolePolicy')).toEqual(['arn:aws:iam::*:role/secure-start-*']);
    expect(on('iam:CreatePolicyVersion')).toEqual(['arn:aws:iam::*:policy/secure-start-*']);
    expect(on('sns:CreateTopic')).toEqual(['arn:aws:sns:*:*:secure-start-*']);
    expect(on('s3:CreateBucket')).toEqual(['arn:aws:s3:::secure-start-logs-*']);
  });

  it('passes roles only to the services that use them, and makes only the service-linked roles it needs', () => {
    const passed = fix.Statement.filter((s) => s.Action.includes('iam:PassRole')).map((s) => s.Condition?.StringEquals?.['iam:PassedToService']);
    expect(passed.sort()).toEqual(['backup.amazonaws.com', 'cloudtrail.amazonaws.com', 'config.amazonaws.com', 'ec2.amazonaws.com', 'events.amazonaws.com']);
    const linked = fix.Statement.filter((s) => s.Action.includes('iam:CreateServiceLinkedRole')).map((s) => s.Condition?.StringEquals?.['iam:AWSServiceName']);
    expect(linked.sort()).toEqual(['config.amazonaws.com', 'ec2-instance-connect.amazonaws.com', 'guardduty.amazonaws.com']);
  });

  it('tags flow logs only as they are created', () => {
    const flow = buildPolicy(byId('monitoring.flow-logs'), 'fix');
    const tags = flow.Statement.filter((s) => s.Action.includes('ec2:CreateTags'));
    expect(tags).toEqual([expect.objectContaining({ Resource: 'arn:aws:ec2:*:*:vpc-flow-log/*', Condition: { StringEquals: { 'ec2:CreateAction': 'CreateFlowLogs' } } })]);
  });

  it('leaves out the root-only actions, and says that the root steps run as root', () => {
    const { policy, notes } = describePolicy(registry, 'fix');
    for (const a of ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:DeleteVirtualMFADevice', 'iam:DeleteAccessKey']) expect(allActions(policy), a).not.toContain(a);
    expect(notes.rootOnly).toEqual(['account.root-mfa', 'account.root-access-keys']);
    const text = notesText(notes, 'fix');
    expect(text).toMatch(/account\.root-mfa, account\.root-access-keys run only as the root user/);
    expect(text).toMatch(/Still on every resource, and why:\n {2}- .*iam:AddUserToGroup/);
    expect(text).toMatch(/Narrowed to what the tool itself creates or uses:\n/);
  });

  it('prints for one step only what that step needs', () => {
    const pw = buildPolicy(byId('account.password-policy'), 'fix');
    expect(pw.Statement).toEqual([{ Sid: 'SecureStartCheckAndFix', Effect: 'Allow', Action: ['iam:DeleteAccountPasswordPolicy', 'iam:GetAccountPasswordPolicy', 'iam:UpdateAccountPasswordPolicy'], Resource: '*' }]);
    const mfa = buildPolicy(byId('account.root-mfa'), 'fix');
    expect(allActions(mfa).sort()).toEqual([...byId('account.root-mfa')[0]!.meta.permissions.check].sort());
  });
});

describe('the policy command', () => {
  afterEach(() => vi.restoreAllMocks());

  async function capture(opts: Parameters<typeof run>[0]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    const code = await run(opts);
    return { code, stdout, stderr };
  }

  it('prints one JSON policy on stdout and its notes on stderr', async () => {
    const r = await capture({ for: 'fix', step: ['account.root-mfa', 'monitoring.alerts'] });
    expect(r.code).toBe(0);
    const policy = JSON.parse(r.stdout) as PolicyDocument;
    expect(() => validatePolicy(policy)).not.toThrow();
    expect(r.stderr).toMatch(/account\.root-mfa run only as the root user/);
    expect(r.stderr).toMatch(/iam:PassRole only on arn:aws:iam::\*:role\/secure-start-cloudtrail-to-logs when iam:PassedToService StringEquals cloudtrail\.amazonaws\.com/);
    expect(r.stdout).not.toMatch(/Narrowed|root user/);
  });

  it('says a check policy only reads', async () => {
    const r = await capture({ for: 'check' });
    expect(JSON.parse(r.stdout).Statement).toHaveLength(1);
    expect(r.stderr).toMatch(/only reads/);
  });
});
