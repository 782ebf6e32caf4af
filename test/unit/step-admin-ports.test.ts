import type { IpPermission, NetworkInterface, SecurityGroup } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../src/engine/types.js';
import step, { groupFinding, replacements } from '../../steps/infrastructure/admin-ports/index.js';
import { callerInstance } from '../../steps/infrastructure/_shared/interfaces.js';
import { openAdminEntries } from '../../steps/infrastructure/_shared/sg-rules.js';
import { ScriptedAsker } from '../helpers/step-tester.js';

const tcp = (from: number, to: number, v4: string[] = [], v6: string[] = []): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: from,
  ToPort: to,
  IpRanges: v4.map((CidrIp) => ({ CidrIp })),
  Ipv6Ranges: v6.map((CidrIpv6) => ({ CidrIpv6 })),
  UserIdGroupPairs: [],
  PrefixListIds: [],
});

describe('which source entries open SSH, RDP or every port to the internet', () => {
  it.each<[string, IpPermission[], string[]]>([
    ['SSH from 0.0.0.0/0', [tcp(22, 22, ['0.0.0.0/0'])], ['TCP 22 from 0.0.0.0/0']],
    ['RDP from ::/0', [tcp(3389, 3389, [], ['::/0'])], ['TCP 3389 from ::/0']],
    ['a range that holds 22', [tcp(20, 30, ['0.0.0.0/0'])], ['TCP 20-30 from 0.0.0.0/0']],
    ['a range that holds 3389', [tcp(3000, 4000, [], ['::/0'])], ['TCP 3000-4000 from ::/0']],
    ['protocol -1 (every port)', [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], ['all traffic from 0.0.0.0/0']],
    ['TCP 0-65535 (every port)', [tcp(0, 65535, ['0.0.0.0/0'])], ['TCP (all ports) from 0.0.0.0/0']],
    ['UDP 3389 (RDP over UDP)', [{ IpProtocol: 'udp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], ['UDP 3389 from 0.0.0.0/0']],
    ['HTTPS from the world is not an admin port', [tcp(443, 443, ['0.0.0.0/0'], ['::/0'])], []],
    ['SSH from an office range is fine', [tcp(22, 22, ['203.0.113.0/24'], ['2001:db8::/32'])], []],
    ['ICMP from the world is not a port', [{ IpProtocol: 'icmp', FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], []],
    ['SSH from a group is fine', [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: 'sg-1' }] }], []],
  ])('%s', (_name, rules, expected) => {
    expect(openAdminEntries(rules).map((e) => e.text)).toEqual(expected);
  });

  it('cuts a rule into single entries: only the world ranges, each with its own description', () => {
    const rule: IpPermission = {
      ...tcp(22, 22),
      IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'temp' }, { CidrIp: '10.0.0.0/8', Description: 'office' }],
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    };
    expect(openAdminEntries([rule]).map((e) => e.permission)).toEqual([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'temp' }] },
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]);
  });
});

describe('replacement rules for a network the person gives', () => {
  const group = (rules: IpPermission[]) => ({ open: openAdminEntries(rules), ingress: rules });

  it('one rule per protocol and port range, in the CIDR’s family, even when IPv4 and IPv6 were both open', () => {
    expect(replacements(group([tcp(22, 22, ['0.0.0.0/0'], ['::/0']), tcp(443, 443, ['0.0.0.0/0'])]), '203.0.113.0/24')).toEqual([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.0/24', Description: expect.stringContaining('secure-start') }] },
    ]);
    expect(replacements(group([{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }]), '2001:db8::/48')).toEqual([
      { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '2001:db8::/48', Description: expect.any(String) }] },
    ]);
  });

  it('leaves out what the group already allows from that network', () => {
    expect(replacements(group([tcp(22, 22, ['0.0.0.0/0', '203.0.113.0/24'])]), '203.0.113.0/24')).toEqual([]);
  });
});

describe('the finding of one group', () => {
  const g: SecurityGroup = { GroupId: 'sg-1', GroupName: 'web', VpcId: 'vpc-1', IpPermissions: [tcp(22, 22, ['0.0.0.0/0'], ['::/0']), tcp(443, 443, ['0.0.0.0/0'])] };
  const eni = (id: string, extra: Partial<NetworkInterface>): NetworkInterface => ({ NetworkInterfaceId: id, Groups: [{ GroupId: 'sg-1' }], ...extra });

  it('names the open entries and who uses the group', () => {
    const f = groupFinding(g, [eni('eni-1', { Attachment: { InstanceId: 'i-0123456789abcdef0' } }), eni('eni-2', { Groups: [{ GroupId: 'sg-other' }] })], 'us-east-1')!;
    expect(f).toMatchObject({ status: 'fail', resource: 'sg-1 (web)', region: 'us-east-1' });
    expect(f.message).toBe(
      'Security group sg-1 (web) of VPC vpc-1 in us-east-1 lets the whole internet reach SSH (22): TCP 22 from 0.0.0.0/0; TCP 22 from ::/0. Used by 1 network interface (instance i-0123456789abcdef0).',
    );
  });

  it('has no finding for a group that opens nothing', () => {
    expect(groupFinding({ ...g, IpPermissions: [tcp(443, 443, ['0.0.0.0/0'])] }, [], 'us-east-1')).toBeUndefined();
  });

  it('warns about the caller’s own session: by its instance when the tool runs on one, else in words when no CIDR is given', async () => {
    const me = 'i-0123456789abcdef0';
    const f = groupFinding(g, [eni('eni-1', { Attachment: { InstanceId: me } })], 'us-east-1')!;
    const ctx = { target: { principalArn: `arn:aws:sts::123456789012:assumed-role/web-role/${me}` } } as unknown as StepContext;
    const open = await step.plan(ctx, [f], { cidr: null });
    expect(open.warnings?.[0]).toMatch(new RegExp(`This tool runs as instance ${me}.*uses sg-1 \\(web\\).*ends with this fix`));
    expect(open.warnings?.[1]).toMatch(/Your own session: .*EC2 Instance Connect or Session Manager/);
    expect(open.actions.map((a) => [a.operation, a.destructive])).toEqual([['RevokeSecurityGroupIngress', true]]);

    const kept = await step.plan(ctx, [f], { cidr: '198.51.100.0/24' });
    expect(kept.warnings?.[0]).toMatch(/unless it comes from 198\.51\.100\.0\/24/);
    expect(kept.warnings?.join('\n')).not.toMatch(/Your own session/);
    expect(kept.actions.map((a) => a.operation)).toEqual(['AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress']);
  });

  it('reads the instance out of an instance profile’s session, and nothing out of other principals', () => {
    expect(callerInstance('arn:aws:sts::123456789012:assumed-role/web-role/i-0123456789abcdef0')).toBe('i-0123456789abcdef0');
    expect(callerInstance('arn:aws:sts::123456789012:assumed-role/admin/alice')).toBeUndefined();
    expect(callerInstance('arn:aws:iam::123456789012:user/i-0123456789abcdef0')).toBeUndefined();
  });
});

describe('the question for a replacement network', () => {
  it('refuses a malformed CIDR with a clear message, then takes a valid one', async () => {
    const asker = new ScriptedAsker([{ text: '0.0.0.0/0' }, { text: '203.0.113.7/24' }, { text: '203.0.113.0/24' }]);
    expect(await step.inputs!.ask(asker, { cidr: null }, [])).toEqual({ cidr: '203.0.113.0/24' });
    expect(asker.asked[0]!.rejected.map((r) => r.message)).toEqual([expect.stringMatching(/whole internet/), expect.stringMatching(/the network is 203\.0\.113\.0\/24/)]);
    expect(asker.notes.join('\n')).toMatch(/EC2 Instance Connect .* Session Manager/);
  });

  it('an empty answer means no replacement', async () => {
    expect(await step.inputs!.ask(new ScriptedAsker([{ text: '' }]), { cidr: null }, [])).toEqual({ cidr: null });
  });

  it('the answers file is validated with the same message', () => {
    const r = step.inputs!.schema.safeParse({ cidr: '10.0.0.1/8' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/the network is 10\.0\.0\.0\/8/);
    expect(step.inputs!.schema.safeParse({ cidr: null }).success).toBe(true);
    expect(step.inputs!.schema.safeParse({ cidr: '10.0.0.0/8', other: 1 }).success).toBe(false);
  });
});
