/**
 * The helpers that prove the printed policies against recorded requests (test/helpers/permissions.ts)
 * can fail: a request outside a scoped statement, a missing condition value, an implied action not
 * declared, a declared action never sent. Pure: requests are written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { buildPolicy } from '../../src/cli/commands/policy.js';
import { registry } from '../../steps/index.js';
import { fixDiff, neededFor, policyAllows, uncovered } from '../helpers/permissions.js';

const ACCOUNT = '123456789012';
const meta = (id: string) => registry.find((e) => e.meta.id === id)!.meta;

describe('neededFor', () => {
  it('maps a request to its IAM action, its resource, and what it implies', () => {
    const needed = neededFor(
      { service: 'EC2', operation: 'CreateFlowLogs', input: { LogDestinationType: 's3', TagSpecifications: [{ ResourceType: 'vpc-flow-log', Tags: [] }] } },
      ACCOUNT,
    );
    expect(needed.map((n) => n.action)).toEqual(['ec2:CreateFlowLogs', 'ec2:CreateTags', 'logs:CreateLogDelivery', 'logs:DeleteLogDelivery']);
    expect(needed[1]!.context).toEqual({ 'ec2:CreateAction': 'CreateFlowLogs' });
    expect(neededFor({ service: 'STS', operation: 'GetCallerIdentity', input: {} }, ACCOUNT)).toEqual([]);
  });

  it('names the role a trail is handed and the service it is passed to', () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/secure-start-cloudtrail-to-logs`;
    const [, pass] = neededFor({ service: 'CloudTrail', operation: 'UpdateTrail', input: { Name: 't', CloudWatchLogsRoleArn: role } }, ACCOUNT);
    expect(pass).toMatchObject({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'cloudtrail.amazonaws.com' } });
  });
});

describe('policyAllows', () => {
  const alerts = buildPolicy([registry.find((e) => e.meta.id === 'monitoring.alerts')!], 'fix');

  it('allows the tool’s own role and refuses another name', () => {
    const create = (RoleName: string) => neededFor({ service: 'IAM', operation: 'CreateRole', input: { RoleName } }, ACCOUNT)[0]!;
    expect(policyAllows(alerts, create('secure-start-events-forwarder'))).toBe(true);
    expect(policyAllows(alerts, create('admin'))).toBe(false);
  });

  it('refuses a role passed to another service', () => {
    const pass = { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/secure-start-cloudtrail-to-logs`, because: 'test' };
    expect(policyAllows(alerts, { ...pass, context: { 'iam:PassedToService': 'cloudtrail.amazonaws.com' } })).toBe(true);
    expect(policyAllows(alerts, { ...pass, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).toBe(false);
    expect(policyAllows(alerts, { ...pass, context: {} })).toBe(false);
  });
});

describe('uncovered and fixDiff', () => {
  it('report a read the check policy lacks', () => {
    expect(uncovered(meta('account.password-policy'), 'check', [{ service: 'IAM', operation: 'GetLoginProfile', input: { UserName: 'a' } }], ACCOUNT)).toEqual(['iam:GetLoginProfile (IAM:GetLoginProfile)']);
  });

  it('report both ways: sent but undeclared, declared but never sent', () => {
    const diff = fixDiff(meta('monitoring.flow-logs'), [{ service: 'EC2', operation: 'CreateFlowLogs', input: { LogDestinationType: 's3', DeliverLogsPermissionArn: 'arn:aws:iam::1:role/x' } }], ACCOUNT);
    expect(diff.missing).toEqual(['iam:PassRole']);
    expect(diff.extra).toContain('ec2:CreateTags');
    expect(diff.extra).toContain('s3:CreateBucket');
  });
});
