/**
 * Benchmark of `check` on the compute steps of the resources area (not part of npm test):
 *
 *   node --import tsx bench/resources-compute.ts
 *   BENCH_REGIONS=us-east-1,eu-west-1 BENCH_INSTANCES=100 BENCH_VOLUMES=200 node --import tsx bench/resources-compute.ts
 *
 * On a private moto_server: 4 regions with 250 running instances each (1,000 in all, each with its
 * root volume) and 1,000 more unencrypted volumes (2,000 volumes in all); then the built CLI runs
 * `check` on the compute steps the registry has (ec2-imdsv2, ec2-instance-connect,
 * ec2-instance-roles, ec2-patching, ebs-encryption, public-sharing: whichever are present) with
 * --verbose, so every AWS request it sends is named on stderr. Reported: the requests by
 * operation, the wall time of the whole command, and the same for 1 instance per region, to show
 * that the requests follow the regions and pages, not the instances.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateVolumeCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { mapLimit } from '../src/engine/runner.js';
import { packageRoot } from '../src/paths.js';
import { motoReset, startMoto } from '../src/sandbox/moto.js';
import { registry } from '../steps/index.js';
import { benchContext } from './context.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGIONS = (process.env.BENCH_REGIONS ?? 'us-east-1,eu-west-1,ap-southeast-2,sa-east-1').split(',');
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 250);
/** Volumes in all, root volumes of the instances included. */
const VOLUMES = Number(process.env.BENCH_VOLUMES ?? 2000);
const COMPUTE = ['ec2-imdsv2', 'ec2-instance-connect', 'ec2-instance-roles', 'ec2-patching', 'ebs-encryption', 'public-sharing'].map((n) => `resources.${n}`);
const STEPS = registry.map((e) => e.meta.id).filter((id) => COMPUTE.includes(id));

async function seed(endpoint: string, instancesPerRegion: number, extraVolumesPerRegion: number): Promise<number> {
  await motoReset(endpoint);
  const ctx = benchContext(endpoint, () => undefined);
  ctx.factory.readOnly = false;
  const t = performance.now();
  try {
    // One region at a time: moto loads a region's AMI catalogue on its first DescribeImages, slowly.
    await mapLimit(REGIONS, 1, async (region) => {
      const ec2 = ctx.client(EC2Client, region);
      const image = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images!.find((i) => i.ImageId)!.ImageId!;
      for (let left = instancesPerRegion; left > 0; left -= 100) {
        const n = Math.min(100, left);
        await ec2.send(new RunInstancesCommand({ ImageId: image, InstanceType: 't3.micro', MinCount: n, MaxCount: n }));
      }
      await mapLimit(
        Array.from({ length: extraVolumesPerRegion }, (_, i) => i),
        8,
        () => ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${region}a`, Size: 1, Encrypted: false })),
      );
    });
  } finally {
    ctx.factory.destroy();
  }
  return performance.now() - t;
}

interface Run {
  wallMs: number;
  code: number | null;
  requests: Map<string, number>;
  statuses: string[];
}

async function checkCli(endpoint: string, stateDir: string): Promise<Run> {
  const args = [join(packageRoot(), 'bin', 'secure-start.js'), 'check', `--sandbox=${endpoint}`, ...STEPS.flatMap((s) => ['--step', s]), '--regions', REGIONS.join(','), '--format', 'json', '--verbose'];
  const t = performance.now();
  const child = spawn(process.execPath, args, {
    env: { SECURE_START_REQUEST_TIMEOUT: '120', ...process.env, SECURE_START_STATE_DIR: stateDir, NO_COLOR: '1', CI: 'true', AWS_MAX_ATTEMPTS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - t;
  const requests = new Map<string, number>();
  for (const m of stderr.matchAll(/^aws: (\S+)$/gm)) requests.set(m[1]!, (requests.get(m[1]!) ?? 0) + 1);
  let statuses: string[];
  try {
    const report = JSON.parse(stdout) as { results: Array<{ step: string; status: string; findings: Array<{ status: string }> }> };
    statuses = report.results.map((r) => {
      const by = new Map<string, number>();
      for (const f of r.findings) by.set(f.status, (by.get(f.status) ?? 0) + 1);
      return `${r.step.padEnd(34)} ${r.status.padEnd(11)} findings: ${[...by].map(([s, k]) => `${k} ${s}`).join(', ')}`;
    });
  } catch {
    throw new Error(`check did not print a JSON report (exit ${code}):\n${stderr.slice(-2000)}`);
  }
  return { wallMs, code, requests, statuses };
}

const total = (r: Run) => [...r.requests.values()].reduce((a, b) => a + b, 0);

function report(run: Run): void {
  console.log(`  wall time ${(run.wallMs / 1000).toFixed(2)} s for the whole command (exit ${run.code}); ${total(run)} API requests`);
  for (const [op, k] of [...run.requests.entries()].sort()) console.log(`      ${op.padEnd(44)} ${k}`);
  for (const s of run.statuses) console.log(`    ${s}`);
}

const dir = await mkdtemp(join(tmpdir(), 'secure-start-bench-compute-'));
const moto = await startMoto();
try {
  console.log(`check of ${STEPS.join(', ')} over ${REGIONS.length} regions (${REGIONS.join(', ')})`);
  const extra = Math.max(0, Math.round(VOLUMES / REGIONS.length) - INSTANCES);
  const results: Array<[number, Run]> = [];
  for (const n of [...new Set([1, INSTANCES])]) {
    const volumes = n === 1 ? 1 : extra;
    const seedMs = await seed(moto.endpoint, n, volumes);
    console.log(`\n${n} running instance(s) per region and ${n + volumes} volumes per region (made in ${(seedMs / 1000).toFixed(1)} s)`);
    const run = await checkCli(moto.endpoint, dir);
    report(run);
    results.push([n, run]);
  }
  if (results.length === 2) {
    const [[a, x], [b, y]] = results as [[number, Run], [number, Run]];
    console.log(`\n${a} → ${b} instances per region: requests ${total(x)} → ${total(y)}, wall time ${(x.wallMs / 1000).toFixed(2)} s → ${(y.wallMs / 1000).toFixed(2)} s`);
  }
} finally {
  await moto.stop();
  await rm(dir, { recursive: true, force: true });
}
