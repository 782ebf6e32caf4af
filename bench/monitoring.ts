/**
 * Benchmark of `check --area monitoring` at scale (not part of npm test):
 *
 *   node --import tsx bench/monitoring.ts
 *   BENCH_REGIONS=us-east-1,eu-west-1,ap-southeast-2,sa-east-1 BENCH_VPCS=50 node --import tsx bench/monitoring.ts
 *
 * On a private moto_server: 4 regions with 50 VPCs each (the default VPC and 49 more); flow logs
 * on every other VPC, GuardDuty on in half the regions, a multi-region trail, AWS Config in the home
 * region. Then the built CLI runs `check --area monitoring --regions …` exactly as a person or a CI
 * job would, with --verbose so that every AWS request it sends is named on stderr. Reported: the
 * requests by operation (and what moto's recorder saw), the wall time of the whole command, and
 * the same for 1 VPC per region, to show that the request count follows the regions, not the VPCs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CloudTrailClient, CreateTrailCommand, PutEventSelectorsCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, PutConfigurationRecorderCommand, PutDeliveryChannelCommand, StartConfigurationRecorderCommand } from '@aws-sdk/client-config-service';
import { CreateFlowLogsCommand, CreateVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateDetectorCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mapLimit } from '../src/engine/runner.js';
import { packageRoot } from '../src/paths.js';
import { motoReset, startMoto } from '../src/sandbox/moto.js';
import { BENCH_ACCOUNT, benchContext } from './context.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGIONS = (process.env.BENCH_REGIONS ?? 'us-east-1,eu-west-1,ap-southeast-2,sa-east-1').split(',');
const VPCS = Number(process.env.BENCH_VPCS ?? 50);
const HOME = REGIONS[0]!;

async function seed(endpoint: string, vpcsPerRegion: number): Promise<number> {
  await motoReset(endpoint);
  const ctx = benchContext(endpoint, () => undefined);
  ctx.factory.readOnly = false;
  const t = performance.now();
  try {
    const bucket = `bench-logs-${BENCH_ACCOUNT}`;
    await ctx.client(S3Client, 'us-east-1').send(new CreateBucketCommand({ Bucket: bucket }));
    const trail = ctx.client(CloudTrailClient, HOME);
    await trail.send(new CreateTrailCommand({ Name: 'bench-trail', S3BucketName: bucket, IsMultiRegionTrail: true, EnableLogFileValidation: true }));
    await trail.send(new PutEventSelectorsCommand({ TrailName: 'bench-trail', EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }));
    await trail.send(new StartLoggingCommand({ Name: 'bench-trail' }));
    const config = ctx.client(ConfigServiceClient, HOME);
    await config.send(
      new PutConfigurationRecorderCommand({
        ConfigurationRecorder: {
          name: 'default',
          roleARN: `arn:aws:iam::${BENCH_ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
        },
      }),
    );
    await config.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: bucket } }));
    await config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
    await mapLimit(REGIONS, 4, async (region, r) => {
      const ec2 = ctx.client(EC2Client, region);
      await mapLimit(
        Array.from({ length: vpcsPerRegion - 1 }, (_, i) => i),
        8,
        (i) => ec2.send(new CreateVpcCommand({ CidrBlock: `10.${Math.floor(i / 16)}.${(i % 16) * 16}.0/20` })),
      );
      const ids = ((await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.VpcId!).sort();
      const withLogs = ids.filter((_, i) => i % 2 === 0);
      for (let i = 0; i < withLogs.length; i += 25)
        await ec2.send(
          new CreateFlowLogsCommand({
            ResourceIds: withLogs.slice(i, i + 25),
            ResourceType: 'VPC',
            TrafficType: 'ALL',
            LogDestinationType: 's3',
            LogDestination: `arn:aws:s3:::${bucket}`,
          }),
        );
      if (r % 2 === 0) await ctx.client(GuardDutyClient, region).send(new CreateDetectorCommand({ Enable: true }));
    });
  } finally {
    ctx.factory.destroy();
  }
  return performance.now() - t;
}

async function recorder(endpoint: string, path: string, method: 'GET' | 'POST'): Promise<string> {
  const res = await fetch(new URL(`/moto-api/recorder/${path}`, endpoint), { method });
  if (!res.ok) throw new Error(`moto recorder ${path}: HTTP ${res.status}`);
  return res.text();
}

interface Run {
  wallMs: number;
  code: number | null;
  requests: Map<string, number>;
  recorded: number;
  statuses: string[];
}

/** The built CLI, as a person would run it. */
async function checkCli(endpoint: string, stateDir: string): Promise<Run> {
  await recorder(endpoint, 'reset-recording', 'POST');
  await recorder(endpoint, 'start-recording', 'POST');
  const args = [join(packageRoot(), 'bin', 'secure-start.js'), 'check', `--sandbox=${endpoint}`, '--area', 'monitoring', '--regions', REGIONS.join(','), '--format', 'json', '--verbose'];
  const t = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, SECURE_START_STATE_DIR: stateDir, NO_COLOR: '1', CI: 'true', AWS_MAX_ATTEMPTS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - t;
  await recorder(endpoint, 'stop-recording', 'POST');
  const recorded = (await recorder(endpoint, 'download-recording', 'GET')).split('\n').filter((l) => l.trim() && !l.includes('/moto-api/')).length;
  const requests = new Map<string, number>();
  for (const m of stderr.matchAll(/^aws: (\S+)$/gm)) requests.set(m[1]!, (requests.get(m[1]!) ?? 0) + 1);
  let statuses: string[];
  try {
    const report = JSON.parse(stdout) as { results: Array<{ step: string; status: string; findings: Array<{ status: string }> }> };
    statuses = report.results.map((r) => {
      const by = new Map<string, number>();
      for (const f of r.findings) by.set(f.status, (by.get(f.status) ?? 0) + 1);
      return `${r.step.padEnd(28)} ${r.status.padEnd(5)} findings: ${[...by].map(([s, k]) => `${k} ${s}`).join(', ')}`;
    });
  } catch {
    throw new Error(`check did not print a JSON report (exit ${code}):\n${stderr.slice(-2000)}`);
  }
  return { wallMs, code, requests, recorded, statuses };
}

function report(label: string, run: Run): void {
  const total = [...run.requests.values()].reduce((a, b) => a + b, 0);
  console.log(`  ${label}: wall time ${(run.wallMs / 1000).toFixed(2)} s for the whole command (exit ${run.code})`);
  console.log(`    API requests: ${total} sent by the tool, ${run.recorded} seen by moto's recorder`);
  for (const [op, k] of [...run.requests.entries()].sort()) console.log(`      ${op.padEnd(44)} ${k}`);
  for (const s of run.statuses) console.log(`    ${s}`);
}

const dir = await mkdtemp(join(tmpdir(), 'secure-start-bench-monitoring-'));
const moto = await startMoto({ env: { MOTO_RECORDER_FILEPATH: join(dir, 'moto_recording.jsonl') } });
try {
  console.log(`check --area monitoring over ${REGIONS.length} regions (${REGIONS.join(', ')}); home region ${HOME}`);
  const results: Array<[number, Run]> = [];
  for (const n of [...new Set([1, VPCS])]) {
    const seedMs = await seed(moto.endpoint, n);
    console.log(`\n${n} VPC(s) per region, ${n * REGIONS.length} in all (made in ${(seedMs / 1000).toFixed(1)} s; flow logs on every other one)`);
    const run = await checkCli(moto.endpoint, dir);
    report('check', run);
    results.push([n, run]);
  }
  if (results.length === 2) {
    const [[a, x], [b, y]] = results as [[number, Run], [number, Run]];
    const count = (r: Run) => [...r.requests.values()].reduce((s, k) => s + k, 0);
    console.log(`\n${a} → ${b} VPCs per region: requests ${count(x)} → ${count(y)}, wall time ${(x.wallMs / 1000).toFixed(2)} s → ${(y.wallMs / 1000).toFixed(2)} s`);
  }
} finally {
  await moto.stop();
  await rm(dir, { recursive: true, force: true });
}
