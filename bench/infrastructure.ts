/**
 * Benchmark of `check --area infrastructure` at scale (not part of npm test):
 *
 *   node --import tsx bench/infrastructure.ts
 *   BENCH_REGIONS=us-east-1,eu-west-1 BENCH_VPCS=20 BENCH_GROUPS=200 node --import tsx bench/infrastructure.ts
 *
 * On a private moto_server: 4 regions with 50 VPCs each (the default VPC, with an internet gateway
 * as in AWS, and 49 more, each with a subnet, every other one mapping public IPs, every fifth one
 * with an internet gateway and a default route to it), 500 security groups in all (each VPC's
 * default group and 300 more, a third of them open to the world on SSH, a third on HTTPS, a third
 * to an office range on RDP) and 200 network
 * ACLs in all (each VPC's default ACL; every fourth also gets a deny for SSH from the internet, and
 * every eighth an extra allow for an office range). Then the built CLI runs
 * `check --area infrastructure --regions … --format json --verbose` exactly as a person or a CI job
 * would; --verbose names every AWS request on stderr (`aws: Service:Operation`). Reported: the
 * requests by operation (and what moto's recorder saw), the wall time of the whole command, and the
 * same for 1 VPC per region (with 1 extra group), to show that the requests follow the regions and
 * the pages (1,000 items a page; route tables 100), not the number of groups, ACLs or VPCs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNetworkAclEntryCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission } from '@aws-sdk/client-ec2';
import { mapLimit } from '../src/engine/runner.js';
import { motoReset, startMoto } from '../src/sandbox/moto.js';
import { seedPublicDefaultVpc } from '../steps/infrastructure/_shared/default-vpc.js';
import { printRun, requestTotal, runCheck, seconds } from './cli-run.js';
import type { CliRun } from './cli-run.js';
import { benchContext } from './context.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGIONS = (process.env.BENCH_REGIONS ?? 'us-east-1,eu-west-1,ap-southeast-2,sa-east-1').split(',');
const VPCS = Number(process.env.BENCH_VPCS ?? 50);
/** Security groups in all, the default group of every VPC included. */
const GROUPS = Number(process.env.BENCH_GROUPS ?? 500);
/** Network ACLs in all: one per VPC (its default ACL), so BENCH_VPCS × regions. */
const ACLS = Number(process.env.BENCH_ACLS ?? VPCS * REGIONS.length);

interface Made {
  vpcs: number;
  groups: number;
  acls: number;
  gateways: number;
  seedMs: number;
}

const WORLD: IpPermission['IpRanges'] = [{ CidrIp: '0.0.0.0/0' }];

/** The rule of the i-th extra group: SSH open to the world, HTTPS open to the world, or RDP from an office range. */
function ruleOf(i: number): IpPermission {
  if (i % 3 === 0) return { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: WORLD };
  if (i % 3 === 1) return { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: WORLD };
  return { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '198.51.100.0/24' }] };
}

async function seed(endpoint: string, vpcsPerRegion: number, groupsInAll: number, aclsInAll: number): Promise<Made> {
  await motoReset(endpoint);
  const ctx = benchContext(endpoint, () => undefined);
  ctx.factory.readOnly = false;
  const t = performance.now();
  const made: Made = { vpcs: 0, groups: 0, acls: 0, gateways: 0, seedMs: 0 };
  const extraGroups = Math.max(0, Math.round(groupsInAll / REGIONS.length) - vpcsPerRegion);
  if (aclsInAll !== vpcsPerRegion * REGIONS.length)
    throw new Error(`this bench makes one network ACL per VPC: BENCH_ACLS must be BENCH_VPCS × regions (${vpcsPerRegion * REGIONS.length}), not ${aclsInAll}`);
  try {
    await mapLimit(REGIONS, 2, async (region) => {
      const ec2 = ctx.client(EC2Client, region);
      // As in real AWS (and the day-one sandbox), each region's default VPC has an internet gateway and a default route to it.
      await seedPublicDefaultVpc(ctx, region, { mapPublicIps: false });
      const mine = await mapLimit(
        Array.from({ length: vpcsPerRegion - 1 }, (_, i) => i),
        8,
        async (i) => {
          const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${Math.floor(i / 16)}.${(i % 16) * 16}.0/20` }))).Vpc!.VpcId!;
          const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.${Math.floor(i / 16)}.${(i % 16) * 16}.0/24` }))).Subnet!.SubnetId!;
          if (i % 2 === 0) await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }));
          if (i % 5 === 0) {
            const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
            await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
            const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] })))
              .RouteTables![0]!;
            await ec2.send(new CreateRouteCommand({ RouteTableId: main.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
            made.gateways++;
          }
          return vpcId;
        },
      );
      const vpcIds = [...((await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.VpcId!)].sort();
      made.vpcs += vpcIds.length;
      const spread = mine.length ? mine : vpcIds;
      await mapLimit(
        Array.from({ length: extraGroups }, (_, i) => i),
        8,
        async (i) => {
          const g = await ec2.send(new CreateSecurityGroupCommand({ GroupName: `bench-${i}`, Description: 'bench', VpcId: spread[i % spread.length]! }));
          await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: g.GroupId!, IpPermissions: [ruleOf(i)] }));
        },
      );
      made.groups += vpcIds.length + extraGroups;
      // Default ACLs: every fourth denies SSH from the internet ahead of its allow-all at 100; every eighth also allows an office range.
      const acls = ((await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'default', Values: ['true'] }] }))).NetworkAcls ?? [])
        .map((a) => a.NetworkAclId!)
        .sort();
      await mapLimit(acls, 8, async (aclId, i) => {
        if (i % 4 !== 0) return;
        await ec2.send(
          new CreateNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 22, To: 22 } }),
        );
        if (i % 8 === 0)
          await ec2.send(
            new CreateNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 80, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '198.51.100.0/24', PortRange: { From: 22, To: 22 } }),
          );
      });
      made.acls += acls.length;
    });
  } finally {
    ctx.factory.destroy();
  }
  made.seedMs = performance.now() - t;
  return made;
}

const dir = await mkdtemp(join(tmpdir(), 'secure-start-bench-infrastructure-'));
const moto = await startMoto({ env: { MOTO_RECORDER_FILEPATH: join(dir, 'moto_recording.jsonl') } });
try {
  console.log(`check --area infrastructure over ${REGIONS.length} regions (${REGIONS.join(', ')})`);
  const results: Array<[Made, CliRun]> = [];
  const sizes: Array<[number, number, number]> = [
    [1, REGIONS.length * 2, REGIONS.length],
    [VPCS, GROUPS, ACLS],
  ];
  for (const [v, g, a] of sizes) {
    const made = await seed(moto.endpoint, v, g, a);
    console.log(
      `\n${v} VPC(s) per region: ${made.vpcs} VPCs, ${made.groups} security groups, ${made.acls} network ACLs, ` +
        `${made.gateways} extra internet gateways in all (made in ${(made.seedMs / 1000).toFixed(1)} s)`,
    );
    const run = await runCheck(moto.endpoint, dir, ['--area', 'infrastructure', '--regions', REGIONS.join(',')], { record: true, envDefaults: { SECURE_START_REQUEST_TIMEOUT: '120' } });
    printRun(run);
    results.push([made, run]);
  }
  const [[ma, x], [mb, y]] = results as [[Made, CliRun], [Made, CliRun]];
  console.log(
    `\n${ma.vpcs} → ${mb.vpcs} VPCs, ${ma.groups} → ${mb.groups} security groups, ${ma.acls} → ${mb.acls} network ACLs: ` +
      `requests ${requestTotal(x)} → ${requestTotal(y)}, wall time ${seconds(x.wallMs)} s → ${seconds(y.wallMs)} s`,
  );
  const grew = [...y.requests.entries()].filter(([op, k]) => k > (x.requests.get(op) ?? 0));
  if (grew.length) {
    console.log(`  requests that grew with the inventory: ${grew.map(([op, k]) => `${op} ${x.requests.get(op) ?? 0} → ${k}`).join(', ')}`);
    process.exitCode = 1;
  } else console.log('  no operation was called more often at full scale: the requests follow the regions and pages, not the groups or VPCs');
} finally {
  await moto.stop();
  await rm(dir, { recursive: true, force: true });
}
