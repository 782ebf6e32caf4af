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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateVolumeCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { mapLimit } from '../src/engine/runner.js';
import { motoReset, startMoto } from '../src/sandbox/moto.js';
import { registry } from '../steps/index.js';
import { printRun, requestTotal, runCheck, seconds } from './cli-run.js';
import type { CliRun } from './cli-run.js';
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

const dir = await mkdtemp(join(tmpdir(), 'secure-start-bench-compute-'));
const moto = await startMoto();
try {
  console.log(`check of ${STEPS.join(', ')} over ${REGIONS.length} regions (${REGIONS.join(', ')})`);
  const extra = Math.max(0, Math.round(VOLUMES / REGIONS.length) - INSTANCES);
  const results: Array<[number, CliRun]> = [];
  for (const n of [...new Set([1, INSTANCES])]) {
    const volumes = n === 1 ? 1 : extra;
    const seedMs = await seed(moto.endpoint, n, volumes);
    console.log(`\n${n} running instance(s) per region and ${n + volumes} volumes per region (made in ${(seedMs / 1000).toFixed(1)} s)`);
    const run = await runCheck(moto.endpoint, dir, [...STEPS.flatMap((s) => ['--step', s]), '--regions', REGIONS.join(',')], { envDefaults: { SECURE_START_REQUEST_TIMEOUT: '120' } });
    printRun(run, { totalOnWallLine: true });
    results.push([n, run]);
  }
  if (results.length === 2) {
    const [[a, x], [b, y]] = results as [[number, CliRun], [number, CliRun]];
    console.log(`\n${a} → ${b} instances per region: requests ${requestTotal(x)} → ${requestTotal(y)}, wall time ${seconds(x.wallMs)} s → ${seconds(y.wallMs)} s`);
  }
} finally {
  await moto.stop();
  await rm(dir, { recursive: true, force: true });
}
