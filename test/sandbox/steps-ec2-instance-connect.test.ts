/**
 * resources.ec2-instance-connect against moto: an instance with a public address and SSH open to the
 * internet fails. moto implements no Instance Connect endpoints, so the endpoint read is `unsupported`
 * and nothing is planned: the plan is guidance only. The create path runs with SDK stubs in
 * test/unit/step-ec2-instance-connect.test.ts.
 */
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, DeleteInstanceConnectEndpointCommand, DescribeInstanceConnectEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { planStep } from '../../src/engine/runner.js';
import step, { DAY_ONE_INSTANCE, ENDPOINT_NAME } from '../../steps/resources/ec2-instance-connect/index.js';
import { launchDayOne } from '../../steps/resources/_shared/instances.js';
import { checkedWith, inSandbox, recordCheckAndPlan, runStepCases } from '../helpers/step-tester.js';

async function group(ctx: RunContext, name: string, port: number, cidr: string): Promise<string> {
  const ec2 = ctx.client(EC2Client);
  const id = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name }))).GroupId!;
  const range = cidr.includes(':') ? { Ipv6Ranges: [{ CidrIpv6: cidr }] } : { IpRanges: [{ CidrIp: cidr }] };
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, ...range }] }));
  return id;
}

runStepCases(step, [
  {
    name: 'no instances: passes',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: 'No running instance in us-east-1 has a public address.' }],
  },
  {
    name: 'a public instance whose SSH is open only to an office range passes',
    seed: async (ctx) => void (await launchDayOne(ctx, 'ss-office', { httpTokens: 'required', groupIds: [await group(ctx, 'ss-office', 22, '203.0.113.0/24')] })),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', message: 'None of the 1 running instances with a public address in us-east-1 has SSH or RDP open to the internet.' }],
  },
]);

describe('resources.ec2-instance-connect: exposed instances in the sandbox', () => {
  it('day-one seed: the instance fails, the endpoint read is unsupported, and the plan is guidance only', async () => {
    const { ctx, checked } = await checkedWith(step, (c) => step.seed!(c));
    try {
      expect(checked.result.status).toBe('fail');
      expect(checked.result.findings).toEqual([
        expect.objectContaining({
          status: 'fail',
          message: expect.stringMatching(
            new RegExp(`^Instance (i-\\w+) \\(${DAY_ONE_INSTANCE}\\) in us-east-1 has the public address [\\d.]+ and lets anyone on the internet try to log in: SSH \\(22\\) from 0\\.0\\.0\\.0/0 through sg-\\w+\\.$`),
          ),
        }),
        expect.objectContaining({
          status: 'unsupported',
          resource: 'arn:aws:ec2:us-east-1:123456789012:instance-connect-endpoint/*',
          message: expect.stringMatching(/^EC2 Instance Connect Endpoints in us-east-1 could not be checked here\. The endpoint does not implement this API/),
        }),
      ]);
      const id = checked.result.findings[0]!.resource.split('/').pop()!;
      const plan = await planStep(checked, ctx, step.inputs!.defaults(checked.result.findings));
      expect(plan.actions).toEqual([]);
      expect(plan.guidance).toContain(`aws ec2-instance-connect ssh --instance-id ${id} --connection-type eice --region us-east-1`);
      expect(plan.guidance).toMatch(/In us-east-1 the existing Instance Connect Endpoints could not be listed, so none is planned there/);
      // Nothing is created: the risk shown is the closing of the port, not an endpoint's.
      expect(plan.risk).toMatch(/^This plan creates nothing\. Closing the open port/);
      expect(plan.guidance).toMatch(/aws ec2 revoke-security-group-ingress --group-id sg-\w+ --protocol tcp --port 22 --cidr 0\.0\.0\.0\/0 --region us-east-1/);
      expect(plan.guidance).toContain('aws ssm start-session --target i-…');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('RDP open to ::/0 through an all-traffic rule counts too, and a private instance with SSH open does not', async () => {
    const { ctx, checked } = await checkedWith(step, async (c) => {
      const ec2 = c.client(EC2Client);
      const all = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ss-all', Description: 'all' }))).GroupId!;
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: all, IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }));
      await launchDayOne(c, 'ss-all-open', { httpTokens: 'required', groupIds: [all] });
    });
    try {
      expect(checked.result.findings[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('SSH (22) from ::/0 through sg-') });
      expect(checked.result.findings[0]!.message).toContain('RDP (3389) from ::/0');
    } finally {
      ctx.factory.destroy();
    }
  });

  it('check and plan only read, and the endpoints only where an instance is exposed', async () => {
    const { sent } = await recordCheckAndPlan(step, { seed: (c) => step.seed!(c) });
    expect(sent.filter((s) => s === 'EC2:DescribeInstanceConnectEndpoints')).toHaveLength(1);
    expect(sent.filter((s) => /:(Create|Modify|Authorize|Revoke|Delete)/.test(s))).toEqual([]);
    const quiet = await recordCheckAndPlan(step, {});
    expect(quiet.sent.filter((s) => s === 'EC2:DescribeInstanceConnectEndpoints')).toEqual([]);
  });
});

describe('undo', () => {
  const applied = {
    index: 0,
    step: step.meta.id,
    at: '2026-12-05T08:00:00.000Z',
    service: 'ec2',
    operation: 'CreateInstanceConnectEndpoint',
    region: 'us-east-1',
    params: { SubnetId: 'subnet-0abc', PreserveClientIp: false },
    output: { InstanceConnectEndpointId: 'eice-0123' },
    inverse: { service: 'ec2', operation: 'DeleteInstanceConnectEndpoint', region: 'us-east-1', params: { InstanceConnectEndpointId: 'eice-0123' }, summary: 'Delete the endpoint' },
  };
  const endpoint = (name: string, subnet = 'subnet-0abc') => ({
    InstanceConnectEndpoints: [{ InstanceConnectEndpointId: 'eice-0123', SubnetId: subnet, State: 'create-complete' as const, Tags: [{ Key: 'Name', Value: name }] }],
  });

  it('SDK stub (moto lacks Instance Connect endpoints): deletes the endpoint it made by the recorded id, refuses one renamed since, and has nothing to do for one gone', async () => {
    const ec2 = mockClient(EC2Client);
    try {
      await inSandbox({}, async (ctx) => {
        ec2.on(DescribeInstanceConnectEndpointsCommand).resolves(endpoint(ENDPOINT_NAME));
        const verdict = await step.undo!(ctx, applied);
        expect(verdict).toMatchObject({ kind: 'undo', actions: [{ operation: 'DeleteInstanceConnectEndpoint', params: { InstanceConnectEndpointId: 'eice-0123' } }] });
        ctx.factory.readOnly = false;
        if (verdict.kind === 'undo') await verdict.actions[0]!.run(ctx);
        expect(ec2.commandCalls(DeleteInstanceConnectEndpointCommand).map((c) => c.args[0].input)).toEqual([{ InstanceConnectEndpointId: 'eice-0123' }]);
        ctx.factory.readOnly = true;
        ec2.on(DescribeInstanceConnectEndpointsCommand).resolves(endpoint('bastion-endpoint'));
        expect(await step.undo!(ctx, applied)).toMatchObject({ kind: 'drifted', reason: expect.stringContaining('Name bastion-endpoint') });
        ec2.on(DescribeInstanceConnectEndpointsCommand).resolves({ InstanceConnectEndpoints: [] });
        expect(await step.undo!(ctx, applied)).toMatchObject({ kind: 'nothing' });
      });
    } finally {
      ec2.restore();
    }
  });
});
