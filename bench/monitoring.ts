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
import { motoReset, startMoto } from '../src/sandbox/moto.js';
import { printRun, requestTotal, runCheck, seconds } from './cli-run.js';
import type { CliRun } from './cli-run.js';
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

const dir = await mkdtemp(join(tmpdir(), 'secure-start-bench-monitoring-'));
const moto = await startMoto({ env: { MOTO_RECORDER_FILEPATH: join(dir, 'moto_recording.jsonl') } });
try {
  console.log(`check --area monitoring over ${REGIONS.length} regions (${REGIONS.join(', ')}); home region ${HOME}`);
  const results: Array<[number, CliRun]> = [];
  for (const n of [...new Set([1, VPCS])]) {
    const seedMs = await seed(moto.endpoint, n);
    console.log(`\n${n} VPC(s) per region, ${n * REGIONS.length} in all (made in ${(seedMs / 1000).toFixed(1)} s; flow logs on every other one)`);
    const run = await runCheck(moto.endpoint, dir, ['--area', 'monitoring', '--regions', REGIONS.join(',')], { record: true });
    printRun(run, { label: 'check' });
    results.push([n, run]);
  }
  if (results.length === 2) {
    const [[a, x], [b, y]] = results as [[number, CliRun], [number, CliRun]];
    console.log(`\n${a} → ${b} VPCs per region: requests ${requestTotal(x)} → ${requestTotal(y)}, wall time ${seconds(x.wallMs)} s → ${seconds(y.wallMs)} s`);
  }
} finally {
  await moto.stop();
  await rm(dir, { recursive: true, force: true });
}
