/**
 * monitoring.config-recorder: in every region of the run, AWS Config records the configuration of
 * every supported resource type (global ones, such as IAM, in one region only: the home region),
 * the recorder is running, and a delivery channel sends the history to S3.
 *
 * The fix does only what is missing, region by region: the recorder (its existing name and role
 * are kept), the delivery channel to the shared logging bucket (an existing channel is kept, to
 * whatever bucket it delivers), and starting the recorder. Before those, once: the logging bucket
 * and its Config statements when a channel is to be made, and Config's service-linked role when a
 * new recorder needs it.
 */
import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  StopConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import type { ConfigurationRecorder, RecordingGroup } from '@aws-sdk/client-config-service';
import { CreateServiceLinkedRoleCommand, DeleteServiceLinkedRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Finding, Plan, PlanAction, Step, StepContext, Target, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, errorCode, mapLimit, nothingToUndo, recordedInverse, regionFailure, sameJson, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import { loggingBucketActions, readLoggingBucket, undoLoggingBucket } from '../_shared/logging-bucket.js';
import { DEFAULT_NAME, globalRegion, isCustomerRecorder, judgeRegion } from './judge.js';
import type { RegionConfig, RegionData } from './judge.js';
import meta from './meta.js';

/** How many regions are read at once (three reads each). */
const REGION_CONCURRENCY = 4;

export const CONFIG_SERVICE = 'config.amazonaws.com';
export const CONFIG_ROLE_NAME = 'AWSServiceRoleForConfig';

/** The ARN of AWS Config's service-linked role in this account. */
export function configRoleArn(target: Pick<Target, 'partition' | 'accountId'>): string {
  return `arn:${target.partition}:iam::${target.accountId}:role/aws-service-role/${CONFIG_SERVICE}/${CONFIG_ROLE_NAME}`;
}

/** A region's recorder as a resource: its ARN when AWS gives one, else one built from its name. */
function resourceOf(target: Target, region: string, recorder: ConfigurationRecorder | undefined): string {
  if (recorder?.arn) return recorder.arn;
  return `arn:${target.partition}:config:${region}:${target.accountId}:configuration-recorder/${recorder?.name ?? '*'}`;
}

async function readRegion(ctx: StepContext, region: string): Promise<RegionConfig> {
  const config = ctx.client(ConfigServiceClient, region);
  const [recorders, statuses, channels] = await Promise.all([
    config.send(new DescribeConfigurationRecordersCommand({})).then((r) => r.ConfigurationRecorders ?? []),
    config.send(new DescribeConfigurationRecorderStatusCommand({})).then((r) => r.ConfigurationRecordersStatus ?? []),
    config.send(new DescribeDeliveryChannelsCommand({})).then((r) => r.DeliveryChannels ?? []),
  ]);
  return { region, recorders, statuses, channels };
}

/** The findings of every region of the run (exported for tests). */
export async function checkRegions(ctx: StepContext): Promise<Finding[]> {
  const regions = await ctx.regions();
  const globalAt = globalRegion(regions, ctx.target.homeRegion);
  return mapLimit(regions, REGION_CONCURRENCY, async (region): Promise<Finding> => {
    let view: RegionConfig;
    try {
      view = await readRegion(ctx, region);
    } catch (err) {
      // One region that cannot be read is reported on its own (the shared rule: `unsupported` only on the endpoint's word).
      return regionFailure(err, {
        region,
        resource: resourceOf(ctx.target, region, undefined),
        service: 'AWS Config',
        permissions: meta.permissions.check.filter((p) => p.startsWith('config:')),
      });
    }
    const verdict = judgeRegion(view, { recordsGlobal: region === globalAt, ...(globalAt ? { globalRegion: globalAt } : {}) });
    return {
      status: verdict.status,
      resource: resourceOf(ctx.target, region, view.recorders.find(isCustomerRecorder)),
      region,
      message: verdict.message,
      data: { ...verdict.data },
    };
  });
}

function dataOf(f: Finding): RegionData {
  const d = f.data as Partial<RegionData> | undefined;
  if (!d?.region || typeof d.putRecorder !== 'boolean') throw new Error(`${meta.id}: a failing finding without its region's data; check the step before planning its fix.`);
  return d as RegionData;
}

/** Whether IAM already holds Config's service-linked role (read-only). */
async function hasConfigRole(ctx: StepContext): Promise<boolean> {
  try {
    await ctx.client(IAMClient).send(new GetRoleCommand({ RoleName: CONFIG_ROLE_NAME }));
    return true;
  } catch (err) {
    if (['NoSuchEntity', 'NoSuchEntityException'].includes(errorCode(err))) return false;
    throw err;
  }
}

/** "has been taken" (real AWS) or EntityAlreadyExists (emulators): the role is there, which is what we want. */
export function isRoleTaken(err: unknown): boolean {
  const code = errorCode(err);
  const message = (err as { message?: string } | undefined)?.message ?? '';
  return code === 'EntityAlreadyExists' || code === 'EntityAlreadyExistsException' || /has been taken|already exists/i.test(message);
}

function roleAction(): PlanAction {
  const params = { AWSServiceName: CONFIG_SERVICE };
  return {
    service: 'iam',
    operation: 'CreateServiceLinkedRole',
    region: 'global',
    params,
    summary: `Create AWS Config's service-linked role ${CONFIG_ROLE_NAME} (free; it lets Config read resource configurations and deliver them)`,
    inverse: {
      service: 'iam',
      operation: 'DeleteServiceLinkedRole',
      region: 'global',
      params: { RoleName: CONFIG_ROLE_NAME },
      summary: `Delete the role ${CONFIG_ROLE_NAME} (AWS refuses while a recorder still uses it)`,
    },
    async run(ctx) {
      try {
        const out = await ctx.client(IAMClient).send(new CreateServiceLinkedRoleCommand(params));
        // The name AWS gave it, for the undo (moto spells it AWSServiceRoleForconfig).
        return { output: { roleName: out.Role?.RoleName ?? CONFIG_ROLE_NAME } };
      } catch (err) {
        if (isRoleTaken(err)) return { output: { reused: true } };
        throw err;
      }
    },
  };
}

/** The recording group the fix sets: every supported type, global ones only where they are recorded. */
export function wantedGroup(d: Pick<RegionData, 'recordsGlobal'>): RecordingGroup {
  return { allSupported: true, includeGlobalResourceTypes: d.recordsGlobal };
}

function recorderAction(d: RegionData, roleARN: string): PlanAction {
  const name = d.recorder?.name ?? DEFAULT_NAME;
  const recorder = {
    name,
    roleARN,
    recordingGroup: wantedGroup(d),
    // A daily (periodic) recording mode someone chose is kept.
    ...(d.recorder?.recordingMode ? { recordingMode: d.recorder.recordingMode } : {}),
  };
  const params = { ConfigurationRecorder: recorder };
  const what = d.recordsGlobal ? 'every supported resource type, global resources (IAM) included' : 'every supported resource type (global resources are recorded in the home region)';
  const before = d.recorder;
  return {
    service: 'config',
    operation: 'PutConfigurationRecorder',
    region: d.region,
    params,
    summary: `${before ? `Widen recorder "${name}"` : `Create recorder "${name}"`} in ${d.region} to record ${what}`,
    inverse: before
      ? {
          service: 'config',
          operation: 'PutConfigurationRecorder',
          region: d.region,
          params: {
            ConfigurationRecorder: {
              name,
              ...(before.roleARN ? { roleARN: before.roleARN } : {}),
              ...(before.recordingGroup ? { recordingGroup: before.recordingGroup } : {}),
              ...(before.recordingMode ? { recordingMode: before.recordingMode } : {}),
            },
          },
          summary: `Put back what recorder "${name}" in ${d.region} recorded before`,
        }
      : {
          service: 'config',
          operation: 'DeleteConfigurationRecorder',
          region: d.region,
          params: { ConfigurationRecorderName: name },
          summary: `Delete recorder "${name}" in ${d.region} (stop it first; its recorded history stays in the bucket)`,
        },
    async run(ctx) {
      await ctx.client(ConfigServiceClient, d.region).send(new PutConfigurationRecorderCommand(params));
    },
  };
}

function channelAction(d: RegionData, bucket: string): PlanAction {
  const name = d.channel?.name ?? DEFAULT_NAME;
  const params = { DeliveryChannel: { name, s3BucketName: bucket } };
  return {
    service: 'config',
    operation: 'PutDeliveryChannel',
    region: d.region,
    params,
    summary: `Create delivery channel "${name}" in ${d.region}: configuration history and snapshots go to the logging bucket ${bucket}`,
    inverse: {
      service: 'config',
      operation: 'DeleteDeliveryChannel',
      region: d.region,
      params: { DeliveryChannelName: name },
      summary: `Delete delivery channel "${name}" in ${d.region} (stop the recorder first)`,
    },
    async run(ctx) {
      await ctx.client(ConfigServiceClient, d.region).send(new PutDeliveryChannelCommand(params));
    },
  };
}

function startAction(d: RegionData): PlanAction {
  const name = d.recorder?.name ?? DEFAULT_NAME;
  const params = { ConfigurationRecorderName: name };
  return {
    service: 'config',
    operation: 'StartConfigurationRecorder',
    region: d.region,
    params,
    summary: `Start recorder "${name}" in ${d.region} (billing per configuration item begins)`,
    inverse: { service: 'config', operation: 'StopConfigurationRecorder', region: d.region, params, summary: `Stop recorder "${name}" in ${d.region}` },
    async run(ctx) {
      await ctx.client(ConfigServiceClient, d.region).send(new StartConfigurationRecorderCommand(params));
    },
  };
}

const GUIDANCE = `The recorder answers "what did this resource look like, and what changed, when?". Judging those configurations is the next layer, not part of this step:

- **Config rules** evaluate recorded resources against a condition (S3 buckets without public access, encrypted volumes, MFA on the root user…) and mark each compliant or not. AWS-managed rules need only a name and parameters; each rule evaluation is billed.
- **Conformance packs** deploy a set of rules at once (for example, one that follows the CIS benchmark).
- **AWS Security Hub** runs the CIS and AWS Foundational Security Best Practices checks on top of the recorder and gathers their findings with GuardDuty's.`;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The recorder settings the fix compares (moto does not keep recordingMode, so it is not compared). */
function recorderSettings(r: Pick<ConfigurationRecorder, 'roleARN' | 'recordingGroup'> | undefined): unknown {
  const g = r?.recordingGroup;
  return { roleARN: r?.roleARN ?? null, allSupported: g?.allSupported ?? null, includeGlobalResourceTypes: g?.includeGlobalResourceTypes ?? null };
}

/**
 * Undo, change by change (newest first: start, channel, recorder, role, bucket): the recorder is
 * stopped while it records; the channel the fix made is deleted while it still delivers to the
 * bucket the fix named; the recorder goes back to its recorded settings, or is deleted when the
 * fix made it, while it records what the fix set; the role the fix made is deleted (AWS refuses
 * while Config still uses it); the logging bucket as ../_shared/logging-bucket.ts says.
 */
async function undo(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const bucketVerdict = await undoLoggingBucket(ctx, entry, 'config');
  if (bucketVerdict) return bucketVerdict;
  if (entry.operation === 'CreateServiceLinkedRole') {
    const out = entry.output as { reused?: boolean; roleName?: string } | undefined;
    if (out?.reused) return nothingToUndo(`Config's service-linked role existed already; this fix did not create it.`);
    const RoleName = out?.roleName ?? CONFIG_ROLE_NAME;
    try {
      await ctx.client(IAMClient).send(new GetRoleCommand({ RoleName }));
    } catch (err) {
      if (['NoSuchEntity', 'NoSuchEntityException'].includes(errorCode(err))) return nothingToUndo(`The role ${RoleName} no longer exists.`);
      throw err;
    }
    const params = { RoleName };
    return undoWith({
      service: 'iam',
      operation: 'DeleteServiceLinkedRole',
      region: 'global',
      params,
      summary: `Delete the role ${RoleName} (AWS refuses while a recorder in any region still uses it)`,
      async run(c) {
        await c.client(IAMClient).send(new DeleteServiceLinkedRoleCommand(params));
      },
    });
  }
  const view = await readRegion(ctx, entry.region);
  const p = entry.params as Record<string, unknown>;
  switch (entry.operation) {
    case 'StartConfigurationRecorder': {
      const name = String(p.ConfigurationRecorderName);
      const status = view.statuses.find((s) => s.name === name);
      if (!status) return nothingToUndo(`Recorder "${name}" in ${entry.region} no longer exists.`);
      if (!status.recording) return nothingToUndo(`Recorder "${name}" in ${entry.region} is stopped, as before the fix.`);
      return undoWith(recordedInverse(entry));
    }
    case 'PutDeliveryChannel': {
      const wrote = (p.DeliveryChannel ?? {}) as { name?: string; s3BucketName?: string };
      const channel = view.channels.find((c) => c.name === wrote.name);
      if (!channel) return nothingToUndo(`Delivery channel "${wrote.name}" in ${entry.region} no longer exists.`);
      const now = { s3BucketName: channel.s3BucketName ?? null, s3KeyPrefix: channel.s3KeyPrefix ?? null, snsTopicARN: channel.snsTopicARN ?? null };
      const was = { s3BucketName: wrote.s3BucketName ?? null, s3KeyPrefix: null, snsTopicARN: null };
      if (!sameJson(now, was)) return drifted(`Delivery channel "${wrote.name}" in ${entry.region}`, { now, wrote: was });
      return undoWith(recordedInverse(entry));
    }
    case 'PutConfigurationRecorder': {
      const wrote = p.ConfigurationRecorder as ConfigurationRecorder;
      const recorder = view.recorders.find((r) => r.name === wrote.name);
      if (!recorder) return nothingToUndo(`Recorder "${wrote.name}" in ${entry.region} no longer exists.`);
      const now = recorderSettings(recorder);
      const was = recorderSettings(wrote);
      if (!sameJson(now, was)) return drifted(`Recorder "${wrote.name}" in ${entry.region}`, { now, wrote: was });
      if (entry.inverse?.operation === 'DeleteConfigurationRecorder')
        return undoWith(recordedInverse(entry, { summary: `Delete recorder "${wrote.name}" in ${entry.region} (the history it delivered stays in the bucket)` }));
      return undoWith(recordedInverse(entry));
    }
    default:
      return nothingToUndo(`${entry.operation} is not a change this step makes.`);
  }
}

const step: Step = {
  meta,
  undo,

  check: checkRegions,

  async plan(ctx, findings): Promise<Plan> {
    const failing = findings.filter((f) => f.status === 'fail').map(dataOf);
    if (!failing.length) return { actions: [] };
    const actions: PlanAction[] = [];
    const warnings: string[] = [];

    // Once, before the regions: the bucket a new delivery channel writes to, and the role a new recorder needs.
    const bucket = failing.some((d) => d.putChannel) ? await readLoggingBucket(ctx) : undefined;
    if (bucket) actions.push(...loggingBucketActions(ctx, bucket, [{ service: 'config' }]));
    const needsRole = failing.some((d) => d.putRecorder && !d.recorder?.roleARN);
    if (needsRole && !(await hasConfigRole(ctx))) actions.push(roleAction());

    const role = configRoleArn(ctx.target);
    for (const d of failing) {
      if (d.putRecorder) actions.push(recorderAction(d, d.recorder?.roleARN ?? role));
      if (d.putChannel) actions.push(channelAction(d, bucket!.name));
      if (d.start) actions.push(startAction(d));
      if (d.channel?.bucket && d.channel.bucket !== bucket?.name && (d.putRecorder || d.start))
        warnings.push(`The delivery channel "${d.channel.name}" in ${d.region} delivers to bucket ${d.channel.bucket}; it is kept as it is, and the history goes there, not to the logging bucket.`);
    }

    const recording = failing.filter((d) => d.putRecorder || d.start).map((d) => d.region);
    const regions = recording.length ? recording : failing.map((d) => d.region);
    return {
      actions,
      ...(warnings.length ? { warnings } : {}),
      guidance: GUIDANCE,
      cost: {
        scale: 'cents',
        detail:
          `AWS Config in ${plural(regions.length, 'region')} (${regions.join(', ')}): $0.003 per configuration item recorded, one each time a resource ` +
          'is created, changed or deleted. A small, quiet account pays cents to a few dollars a month; busy or fast-changing accounts more. ' +
          'Global resources (IAM) are recorded in one region only, so they are billed once.',
      },
    };
  },

  /**
   * day-one scenario: someone tried AWS Config and gave up. The home region has a recorder "default"
   * that records only EC2 instances, no global resources, no delivery channel, and is stopped.
   * Seeding again puts that recorder back (keeping a recorder of another name, since a region holds
   * only one) and stops it.
   */
  async seed(ctx) {
    sandboxOnly(ctx);
    const config = ctx.client(ConfigServiceClient, ctx.target.homeRegion);
    const existing = (await config.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders?.find(isCustomerRecorder);
    const name = existing?.name ?? DEFAULT_NAME;
    await config.send(
      new PutConfigurationRecorderCommand({
        ConfigurationRecorder: {
          name,
          roleARN: existing?.roleARN ?? configRoleArn(ctx.target),
          recordingGroup: {
            allSupported: false,
            includeGlobalResourceTypes: false,
            resourceTypes: ['AWS::EC2::Instance'],
            recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' },
          },
        },
      }),
    );
    await config.send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: name }));
  },
};

export default step;
