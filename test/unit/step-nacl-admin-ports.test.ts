import type { NetworkAcl, NetworkAclEntry } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { decidingEntry, exposures, placeDenies } from '../../steps/infrastructure/nacl-admin-ports/evaluate.js';
import step, { aclFinding } from '../../steps/infrastructure/nacl-admin-ports/index.js';

type Row = [rule: number, action: 'allow' | 'deny', protocol: string, source: string, ports?: [number, number]];

/** Inbound entries from a compact table; AWS's own `*` deny-all entries are added, as DescribeNetworkAcls shows them. */
function acl(rows: Row[], egress: Row[] = []): NetworkAclEntry[] {
  const entry = (egressFlag: boolean) => ([rule, action, protocol, source, ports]: Row): NetworkAclEntry => ({
    RuleNumber: rule,
    RuleAction: action,
    Protocol: protocol,
    Egress: egressFlag,
    ...(source.includes(':') ? { Ipv6CidrBlock: source } : { CidrBlock: source }),
    ...(ports ? { PortRange: { From: ports[0], To: ports[1] } } : {}),
  });
  return [...rows.map(entry(false)), ...egress.map(entry(true)), entry(false)([32767, 'deny', '-1', '0.0.0.0/0'])];
}

const V4 = '0.0.0.0/0';
const V6 = '::/0';
const ALL_OPEN = [
  { family: 'ipv4', port: 22, allowRule: 100 },
  { family: 'ipv4', port: 3389, allowRule: 100 },
];

describe('which entry decides a packet from the internet (first match in rule-number order)', () => {
  it.each<[string, Row[], Array<{ family: string; port: number; allowRule: number }>]>([
    ['the default ACL: allow all at 100 lets both ports in', [[100, 'allow', '-1', V4]], ALL_OPEN],
    ['no entry but the * deny: nothing gets in', [], []],
    ['entries are read in number order, not listing order: a deny at 50 listed after the allow at 100 wins', [[100, 'allow', '-1', V4], [50, 'deny', '6', V4, [22, 22]]], [{ family: 'ipv4', port: 3389, allowRule: 100 }]],
    ['a deny of a range that holds 22 closes SSH only', [[90, 'deny', '6', V4, [20, 25]], [100, 'allow', '-1', V4]], [{ family: 'ipv4', port: 3389, allowRule: 100 }]],
    ['a deny of protocol -1 closes everything behind it', [[10, 'deny', '-1', V4], [100, 'allow', '-1', V4]], []],
    ['a UDP deny does not close TCP 22', [[10, 'deny', '17', V4, [0, 65535]], [100, 'allow', '6', V4, [0, 65535]]], ALL_OPEN],
    ['a TCP allow of a range that holds 3389 opens RDP only', [[100, 'allow', '6', V4, [3000, 4000]]], [{ family: 'ipv4', port: 3389, allowRule: 100 }]],
    ['an allow for a narrower range does not open the port to the world', [[100, 'allow', '6', '203.0.113.0/24', [22, 22]]], []],
    ['a deny for a narrower range does not close it', [[50, 'deny', '-1', '198.51.100.0/24'], [100, 'allow', '-1', V4]], ALL_OPEN],
    ['an allow after a deny of the same port stays shadowed (overlapping entries)', [[100, 'deny', '6', V4, [22, 22]], [110, 'allow', '6', V4, [22, 22]], [120, 'allow', '6', V4, [3389, 3389]]], [{ family: 'ipv4', port: 3389, allowRule: 120 }]],
    [
      'IPv6 is its own list: ::/0 open at 101 although IPv4 is closed',
      [[90, 'deny', '-1', V4], [100, 'allow', '-1', V4], [101, 'allow', '-1', V6]],
      [
        { family: 'ipv6', port: 22, allowRule: 101 },
        { family: 'ipv6', port: 3389, allowRule: 101 },
      ],
    ],
    ['egress entries are not inbound traffic', [], []],
  ])('%s', (_name, rows, expected) => {
    expect(exposures(acl(rows, [[100, 'allow', '-1', V4]]))).toEqual(expected);
  });

  it('names the deciding entry', () => {
    expect(decidingEntry(acl([[100, 'allow', '-1', V4], [50, 'deny', '6', V4, [22, 22]]]), 'ipv4', 22)).toMatchObject({ RuleNumber: 50, RuleAction: 'deny' });
    expect(decidingEntry(acl([]), 'ipv6', 22)).toBeUndefined();
  });
});

describe('where the deny entries go', () => {
  it('on a default ACL: the highest free numbers below 100, IPv4 then IPv6', () => {
    const entries = acl([[100, 'allow', '-1', V4], [101, 'allow', '-1', V6]]);
    const { planned, stuck } = placeDenies(entries);
    expect(stuck).toEqual([]);
    expect(planned.map((p) => [p.family, p.port, p.ruleNumber])).toEqual([
      ['ipv4', 22, 99],
      ['ipv4', 3389, 98],
      ['ipv6', 22, 97],
      ['ipv6', 3389, 96],
    ]);
  });

  it('passes over denies and entries for other ports, never renumbering them', () => {
    const entries = acl([[97, 'deny', '6', '198.51.100.0/24', [22, 22]], [98, 'allow', '6', V4, [443, 443]], [99, 'deny', '17', V4, [53, 53]], [100, 'allow', '-1', V4]]);
    expect(placeDenies(entries).planned.map((p) => p.ruleNumber)).toEqual([96, 95]);
  });

  it('never goes above an earlier allow for a narrower range on the same port: no free number, stuck', () => {
    const entries = acl([[99, 'allow', '6', '203.0.113.0/24', [22, 22]], [100, 'allow', '-1', V4]]);
    const { planned, stuck } = placeDenies(entries);
    expect(stuck).toEqual([{ family: 'ipv4', port: 22, allowRule: 100 }]);
    // RDP is not taken by the office rule: its deny still goes in.
    expect(planned).toEqual([{ family: 'ipv4', port: 3389, allowRule: 100, ruleNumber: 98 }]);
  });

  it('an allowing entry at rule 1, or every number below it taken: no free number', () => {
    expect(placeDenies(acl([[1, 'allow', '-1', V4]])).stuck).toHaveLength(2);
    const full: Row[] = [1, 2, 3].map((n) => [n, 'allow', '6', `10.${n}.0.0/16`, [0, 65535]] as Row);
    expect(placeDenies(acl([...full, [4, 'allow', '6', V4, [22, 22]]])).stuck).toEqual([{ family: 'ipv4', port: 22, allowRule: 4 }]);
  });

  it('the IPv6 entries do not block an IPv4 deny, and the reverse', () => {
    const entries = acl([[99, 'allow', '-1', '2001:db8::/32'], [100, 'allow', '6', V4, [22, 22]]]);
    expect(placeDenies(entries)).toEqual({ planned: [{ family: 'ipv4', port: 22, allowRule: 100, ruleNumber: 98 }], stuck: [] });
  });
});

describe('the finding of one ACL', () => {
  const base: NetworkAcl = { NetworkAclId: 'acl-1', VpcId: 'vpc-1', IsDefault: true, Associations: [{ SubnetId: 'subnet-1' }, { SubnetId: 'subnet-2' }] };

  it('fails, naming the openings and the subnets, and carries the planned denies', () => {
    const f = aclFinding({ ...base, Entries: acl([[100, 'allow', '-1', V4]]) }, 'eu-west-1')!;
    expect(f).toMatchObject({ status: 'fail', resource: 'acl-1', region: 'eu-west-1' });
    expect(f.message).toMatch(/acl-1 \(the default ACL\) of VPC vpc-1 in eu-west-1, used by 2 subnets, lets the internet reach SSH \(22\) and RDP \(3389\) from 0\.0\.0\.0\/0 through rule 100\.$/);
    expect((f.data as { planned: unknown[] }).planned).toHaveLength(2);
  });

  it('is manual when a deny has no place, and the plan says so while adding the denies it can', async () => {
    const f = aclFinding({ ...base, Entries: acl([[99, 'allow', '6', '203.0.113.0/24', [22, 22]], [100, 'allow', '-1', V4]]) }, 'eu-west-1')!;
    expect(f.status).toBe('manual');
    expect(f.message).toMatch(/No free rule number below the allowing entry for SSH \(22\) from 0\.0\.0\.0\/0/);
    const plan = await step.plan({} as never, [f], undefined);
    expect(plan.actions.map((a) => [a.operation, a.params.RuleNumber, (a.params.PortRange as { From: number }).From])).toEqual([['CreateNetworkAclEntry', 98, 3389]]);
    expect(plan.warnings?.join('\n')).toMatch(/stays open for SSH \(22\) from 0\.0\.0\.0\/0/);
  });

  it('passes (no finding of its own) when nothing is open', () => {
    expect(aclFinding({ ...base, Entries: acl([[100, 'allow', '6', V4, [443, 443]]]) }, 'eu-west-1')).toBeUndefined();
  });
});
