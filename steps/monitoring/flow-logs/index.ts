/**
 * monitoring.flow-logs: in every region of the run, each VPC has an active flow log that records
 * rejected traffic or all of it (CIS 4.7, FSBP EC2.6). A flow log that records only accepted
 * traffic does not count: the rejected connections are the trace of scans and probes. Any
 * destination counts (S3, CloudWatch Logs, Firehose).
 *
 * Per region exactly two paginated reads, DescribeVpcs and DescribeFlowLogs, however many VPCs
 * there are. The fix prepares the shared logging bucket first (real AWS checks the bucket policy
 * when the flow log is made), then one CreateFlowLogs per region for the VPCs that lack one
 * (25 VPCs per call), recording ALL traffic into that bucket.
 */
import { CreateFlowLogsCommand, CreateVpcCommand, DeleteFlowLogsCommand, DescribeFlowLogsCommand, EC2Client, paginateDescribeFlowLogs, paginateDescribeVpcs } from '@aws-sdk/client-ec2';
import type { FlowLog, Tag, Vpc } from '@aws-sdk/client-ec2';
import type { Finding, Plan, PlanAction, Step, StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, eachRegion, nothingToUndo, recordedInverse, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import { loggingBucketActions, readLoggingBucket, undoLoggingBucket } from '../_shared/logging-bucket.js';
import meta from './meta.js';

/** How many regions are read at once (two paginated reads each). */
export const REGION_CONCURRENCY = 8;
/** VPCs per CreateFlowLogs call. */
export const CHUNK_SIZE = 25;
/** The tag on the flow logs this step makes. */
export const FLOW_LOG_NAME = 'secure-start-flow-log';
/** The day-one VPC the seed makes (shared with data.in-transit's seed, which may have made it first). */
export const DAY_ONE_VPC = 'day-one-app';

/** Traffic types that include rejected traffic. */
const RECORDS_REJECTS = new Set(['ALL', 'REJECT']);

/** A flow log that counts: active, and recording rejected traffic (REJECT or ALL), whatever its destination. */
export function isCovering(log: FlowLog): boolean {
  return (log.FlowLogStatus ?? 'ACTIVE').toUpperCase() === 'ACTIVE' && RECORDS_REJECTS.has((log.TrafficType ?? '').toUpperCase());
}

/** A VPC's flow logs, split into those that count and the others. */
export function coverage(vpcId: string, logs: readonly FlowLog[]): { covering: FlowLog[]; other: FlowLog[] } {
  const mine = logs.filter((l) => l.ResourceId === vpcId);
  return { covering: mine.filter(isCovering), other: mine.filter((l) => !isCovering(l)) };
}

/** The ids of the VPCs without a flow log that counts, in the order given. */
export function uncoveredVpcs(vpcIds: readonly string[], logs: readonly FlowLog[]): string[] {
  return vpcIds.filter((id) => coverage(id, logs).covering.length === 0);
}

export function chunk<T>(items: readonly T[], size = CHUNK_SIZE): T[][] {
  if (size < 1) throw new Error('chunk size must be at least 1');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const nameOf = (tags: Tag[] | undefined) => tags?.find((t) => t.Key === 'Name')?.Value || undefined;

/** `vpc-0abc (day-one-app)`: the id, with its Name tag when it has one. */
export function vpcLabel(vpc: Pick<Vpc, 'VpcId' | 'Tags'>): string {
  const name = nameOf(vpc.Tags);
  return name ? `${vpc.VpcId} (${name})` : vpc.VpcId!;
}

function destination(log: FlowLog): string {
  switch (log.LogDestinationType) {
    case 's3':
      return `S3 ${log.LogDestination ?? ''}`.trim();
    case 'kinesis-data-firehose':
      return `Firehose ${log.LogDestination ?? ''}`.trim();
    default:
      return `CloudWatch Logs ${log.LogGroupName ?? log.LogDestination ?? ''}`.trim();
  }
}

function whyNot(log: FlowLog): string {
  const status = (log.FlowLogStatus ?? 'ACTIVE').toUpperCase();
  if (status !== 'ACTIVE') return `${log.FlowLogId} is not active (${status})`;
  return `${log.FlowLogId} records only ${String(log.TrafficType).toLowerCase()}ed traffic`;
}

/** What a failing finding carries for the plan. */
export interface FlowLogData {
  vpcId: string;
  region: string;
  label: string;
  /** Flow logs the VPC has that do not count (kept as they are). */
  other: string[];
}

/** The finding for one VPC (exported for unit tests). */
export function vpcFinding(vpc: Vpc, logs: readonly FlowLog[], region: string, accountId: string): Finding {
  const vpcId = vpc.VpcId!;
  const label = vpcLabel(vpc);
  const base = { resource: label, region };
  const where = `VPC ${label}${vpc.IsDefault ? ' (the default VPC)' : ''} in ${region}`;
  if (vpc.OwnerId && vpc.OwnerId !== accountId)
    return { ...base, status: 'pass', message: `${where} is shared with this account by ${vpc.OwnerId}, whose flow logs cover it: check it there.` };
  const { covering, other } = coverage(vpcId, logs);
  if (covering.length) {
    const log = covering[0]!;
    const failing = covering.every((l) => (l.DeliverLogsStatus ?? '').toUpperCase() === 'FAILED');
    return {
      ...base,
      status: 'pass',
      message:
        `${where} records ${String(log.TrafficType).toUpperCase() === 'ALL' ? 'all' : 'rejected'} traffic in flow log ${log.FlowLogId} (to ${destination(log)})` +
        (covering.length > 1 ? ` and ${covering.length - 1} more` : '') +
        '.' +
        (failing ? ' Its delivery reports FAILED: check that the destination exists and lets the flow log write to it.' : ''),
    };
  }
  const data: FlowLogData = { vpcId, region, label, other: other.map((l) => l.FlowLogId!) };
  return {
    ...base,
    status: 'fail',
    message: other.length
      ? `${where} has no flow log that records rejected traffic: ${other.map(whyNot).join('; ')}.`
      : `${where} has no flow log: nothing records the connections made to it or refused by it.`,
    data: { ...data },
  };
}

async function readRegion(ctx: StepContext, region: string): Promise<{ vpcs: Vpc[]; logs: FlowLog[] }> {
  const client = ctx.client(EC2Client, region);
  const vpcs: Vpc[] = [];
  const logs: FlowLog[] = [];
  // DescribeFlowLogs has no resource-type filter: all of the region's flow logs, matched by ResourceId below.
  await Promise.all([
    (async () => {
      for await (const page of paginateDescribeVpcs({ client }, {})) vpcs.push(...(page.Vpcs ?? []));
    })(),
    (async () => {
      for await (const page of paginateDescribeFlowLogs({ client }, {})) logs.push(...(page.FlowLogs ?? []));
    })(),
  ]);
  return { vpcs, logs };
}

function checkRegion(ctx: StepContext, region: string, view: { vpcs: Vpc[]; logs: FlowLog[] }): Finding[] {
  if (!view.vpcs.length)
    return [
      {
        status: 'pass',
        resource: `arn:${ctx.target.partition}:ec2:${region}:${ctx.target.accountId}:vpc/*`,
        region,
        message: `No VPCs in ${region}: no network traffic to record.`,
      },
    ];
  // The default VPC first, then by id: reports read the same on every run.
  return [...view.vpcs]
    .sort((a, b) => Number(!!b.IsDefault) - Number(!!a.IsDefault) || (a.VpcId ?? '').localeCompare(b.VpcId ?? ''))
    .map((vpc) => vpcFinding(vpc, view.logs, region, ctx.target.accountId));
}

function dataOf(f: Finding): FlowLogData {
  const d = f.data as Partial<FlowLogData> | undefined;
  if (!d?.vpcId || !d.region) throw new Error(`${meta.id}: a failing finding without its VPC; check the step before planning its fix.`);
  return { vpcId: d.vpcId, region: d.region, label: d.label ?? d.vpcId, other: d.other ?? [] };
}

/** Shown in place of the ids that exist only once the action has run; the journal records the real ones. */
const NEW_FLOW_LOGS = '(the flow logs this call creates)';

function createAction(region: string, vpcs: FlowLogData[], bucketArn: string): PlanAction {
  const params = {
    ResourceIds: vpcs.map((v) => v.vpcId),
    ResourceType: 'VPC' as const,
    TrafficType: 'ALL' as const,
    LogDestinationType: 's3' as const,
    // A bare bucket ARN: records land below AWSLogs/<account>/vpcflowlogs/<region>/ by themselves.
    LogDestination: bucketArn,
    MaxAggregationInterval: 600,
    TagSpecifications: [{ ResourceType: 'vpc-flow-log' as const, Tags: [{ Key: 'Name', Value: FLOW_LOG_NAME }] }],
  };
  const inverseParams: { FlowLogIds: string[] } = { FlowLogIds: [NEW_FLOW_LOGS] };
  const which = vpcs.length === 1 ? `VPC ${vpcs[0]!.label}` : `${vpcs.length} VPCs (${vpcs.map((v) => v.label).join(', ')})`;
  return {
    service: 'ec2',
    operation: 'CreateFlowLogs',
    region,
    params,
    summary: `Record all traffic of ${which} in ${region} with flow logs delivered to the logging bucket`,
    inverse: {
      service: 'ec2',
      operation: 'DeleteFlowLogs',
      region,
      params: inverseParams,
      summary: `Delete the flow logs this call created (their ids are known once it has run; the logs already delivered stay in the bucket)`,
    },
    async run(ctx) {
      const out = await ctx.client(EC2Client, region).send(new CreateFlowLogsCommand(params));
      const created = out.FlowLogIds ?? [];
      // The undo can name the flow logs only now; the journal records the inverse as it stands after the run.
      inverseParams.FlowLogIds = created;
      const failed = out.Unsuccessful ?? [];
      if (failed.length)
        throw new Error(
          `CreateFlowLogs in ${region} failed for ${failed.map((u) => `${u.ResourceId ?? '?'} (${u.Error?.Code ?? 'error'}: ${u.Error?.Message ?? 'no message'})`).join('; ')}` +
            (created.length ? `; it created ${created.join(', ')} for the others.` : '.'),
        );
      return { output: { FlowLogIds: created } };
    },
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Undo: the logging bucket (../_shared/logging-bucket.ts); the flow logs the fix created are
 * deleted while each still records all traffic to the logging bucket (one that is gone already is
 * as before). The records already delivered stay in the bucket.
 */
async function undo(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const bucketVerdict = await undoLoggingBucket(ctx, entry, 'flow-logs');
  if (bucketVerdict) return bucketVerdict;
  if (entry.operation !== 'CreateFlowLogs') return nothingToUndo(`${entry.operation} is not a change this step makes.`);
  const ids = (entry.output as { FlowLogIds?: string[] } | undefined)?.FlowLogIds ?? [];
  const wrote = entry.params as { LogDestination?: string; TrafficType?: string };
  const region = entry.region;
  const now = ids.length ? ((await ctx.client(EC2Client, region).send(new DescribeFlowLogsCommand({ FlowLogIds: ids }))).FlowLogs ?? []) : [];
  const present = now.filter((f) => f.FlowLogId && ids.includes(f.FlowLogId));
  if (!present.length) return nothingToUndo(`The flow logs this fix created in ${region} no longer exist.`);
  const changed = present.filter((f) => f.LogDestination !== wrote.LogDestination || f.TrafficType !== wrote.TrafficType);
  if (changed.length)
    return drifted(`Flow log ${changed.map((f) => f.FlowLogId).join(', ')} in ${region}`, {
      now: changed.map((f) => `${f.TrafficType} to ${f.LogDestination}`).join('; '),
      wrote: `${wrote.TrafficType} to ${wrote.LogDestination}`,
    });
  if (present.length === ids.length) return undoWith(recordedInverse(entry, { summary: `Delete flow logs ${ids.join(', ')} in ${region} (the records delivered stay in the bucket)` }));
  const params = { FlowLogIds: present.map((f) => f.FlowLogId!) };
  return undoWith({
    service: 'ec2',
    operation: 'DeleteFlowLogs',
    region,
    params,
    summary: `Delete flow logs ${params.FlowLogIds.join(', ')} in ${region} (the others this fix made are gone already)`,
    async run(c) {
      await c.client(EC2Client, region).send(new DeleteFlowLogsCommand(params));
    },
  });
}

const step: Step = {
  meta,
  undo,

  async check(ctx) {
    return eachRegion(
      ctx,
      async (region) => checkRegion(ctx, region, await readRegion(ctx, region)),
      (region) => ({
        resource: `arn:${ctx.target.partition}:ec2:${region}:${ctx.target.accountId}:vpc/*`,
        service: 'Amazon EC2',
        permissions: ['ec2:DescribeVpcs', 'ec2:DescribeFlowLogs'],
      }),
      REGION_CONCURRENCY,
    );
  },

  async plan(ctx, findings): Promise<Plan> {
    const failing = findings.filter((f) => f.status === 'fail').map(dataOf);
    if (!failing.length) return { actions: [] };
    const bucket = await readLoggingBucket(ctx);
    // The bucket and its policy first: AWS checks that the log delivery service may write there when the flow log is made.
    const actions: PlanAction[] = loggingBucketActions(ctx, bucket, [{ service: 'flow-logs' }]);
    const byRegion = new Map<string, FlowLogData[]>();
    for (const d of failing) byRegion.set(d.region, [...(byRegion.get(d.region) ?? []), d]);
    for (const [region, vpcs] of byRegion) for (const part of chunk(vpcs)) actions.push(createAction(region, part, bucket.arn));

    const warnings: string[] = [];
    const away = [...byRegion.keys()].filter((r) => r !== bucket.region);
    if (away.length)
      warnings.push(
        `The flow logs of ${away.join(', ')} are delivered to the logging bucket in ${bucket.region}: the records (IP addresses, ports, times) are stored outside their own region.`,
      );
    const kept = failing.filter((d) => d.other.length);
    if (kept.length)
      warnings.push(
        `Existing flow logs that do not count are kept as they are (${kept.map((d) => `${d.vpcId}: ${d.other.join(', ')}`).join('; ')}); ` +
          'each goes on costing what it costs. Delete them in the VPC console when the new one is enough.',
      );
    const regions = byRegion.size;
    return {
      actions,
      warnings,
      cost: {
        scale: 'cents',
        detail:
          `${plural(failing.length, 'VPC')} in ${plural(regions, 'region')}: S3 vended-log delivery at about $0.25 per GB plus S3 storage (about $0.023 per GB-month). ` +
          'A quiet VPC writes a few MB a month, so cents; busy VPCs (NAT gateways, load balancers, many instances) can reach dollars or more.',
      },
    };
  },

  /**
   * day-one scenario: in the home region a second VPC, "day-one-app" (10.20.0.0/16), beside the
   * default VPC, and neither has a flow log. An existing "day-one-app" VPC is reused (data.in-transit's
   * seed makes one too); seeding again deletes the flow logs the two VPCs got since.
   */
  async seed(ctx) {
    sandboxOnly(ctx);
    const ec2 = ctx.client(EC2Client, ctx.target.homeRegion);
    const vpcs: Vpc[] = [];
    for await (const page of paginateDescribeVpcs({ client: ec2 }, {})) vpcs.push(...(page.Vpcs ?? []));
    let app = vpcs.find((v) => nameOf(v.Tags) === DAY_ONE_VPC)?.VpcId;
    if (!app) {
      const made = await ec2.send(
        new CreateVpcCommand({ CidrBlock: '10.20.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: DAY_ONE_VPC }] }] }),
      );
      app = made.Vpc!.VpcId!;
    }
    const targets = new Set([app, ...vpcs.filter((v) => v.IsDefault).map((v) => v.VpcId!)]);
    const logs: string[] = [];
    for await (const page of paginateDescribeFlowLogs({ client: ec2 }, {}))
      for (const l of page.FlowLogs ?? []) if (l.ResourceId && targets.has(l.ResourceId)) logs.push(l.FlowLogId!);
    if (logs.length) await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: logs }));
  },
};

export default step;
