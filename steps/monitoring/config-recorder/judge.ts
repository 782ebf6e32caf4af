/**
 * The judgement of one region's AWS Config set-up, from what the three read calls return: its
 * (customer-managed) configuration recorder, that recorder's status, and the delivery channels.
 * Pure, so it is tested without AWS; the step's check reads, this decides, the plan acts on
 * `RegionData` alone.
 */
import type { ConfigurationRecorder, ConfigurationRecorderStatus, DeliveryChannel, RecordingGroup, RecordingMode } from '@aws-sdk/client-config-service';

/** The name the console gives a recorder and a delivery channel; ours too, when there is none to reuse. */
export const DEFAULT_NAME = 'default';

/** What a region holds, as the read calls return it. */
export interface RegionConfig {
  region: string;
  /** Every recorder DescribeConfigurationRecorders returned (service-linked ones are set aside here). */
  recorders: ConfigurationRecorder[];
  statuses: ConfigurationRecorderStatus[];
  channels: DeliveryChannel[];
}

/** How a recorder's recording group covers resource types. */
export type Coverage =
  | { kind: 'all' }
  | { kind: 'except'; excluded: string[] }
  | { kind: 'only'; types: string[] };

/** What a failing finding carries for the plan: only plain data. */
export interface RegionData {
  region: string;
  /** Whether this region is the one that records global resource types (IAM). */
  recordsGlobal: boolean;
  /** The existing recorder, when there is one (at most one per region). */
  recorder?: {
    name: string;
    roleARN?: string;
    recordingGroup?: RecordingGroup;
    recordingMode?: RecordingMode;
  };
  /** The existing delivery channel's name and bucket, when there is one. */
  channel?: { name: string; bucket?: string };
  /** What the plan must do in this region. */
  putRecorder: boolean;
  putChannel: boolean;
  start: boolean;
}

export interface Verdict {
  status: 'pass' | 'fail';
  message: string;
  data: RegionData;
}

/** A recorder the customer manages (not one another AWS service made for itself). */
export function isCustomerRecorder(r: ConfigurationRecorder): boolean {
  return !r.servicePrincipal && r.recordingScope !== 'INTERNAL';
}

export function coverage(group: RecordingGroup | undefined): Coverage {
  // A recorder made without a recording group records every supported type (the API's default).
  if (!group) return { kind: 'all' };
  const strategy = group.recordingStrategy?.useOnly;
  if (strategy === 'EXCLUSION_BY_RESOURCE_TYPES') {
    const excluded = [...(group.exclusionByResourceTypes?.resourceTypes ?? [])].sort();
    return excluded.length ? { kind: 'except', excluded } : { kind: 'all' };
  }
  if (strategy === 'INCLUSION_BY_RESOURCE_TYPES') return { kind: 'only', types: [...(group.resourceTypes ?? [])].sort() };
  if (strategy === 'ALL_SUPPORTED_RESOURCE_TYPES' || group.allSupported !== false) return { kind: 'all' };
  return { kind: 'only', types: [...(group.resourceTypes ?? [])].sort() };
}

/** Whether the recorder records global resource types (IAM users, groups, roles, policies). */
export function recordsGlobalTypes(group: RecordingGroup | undefined): boolean {
  return Boolean(group?.includeGlobalResourceTypes);
}

/** A list of resource types for a message: the first few, then how many more. */
export function typeList(types: string[], max = 4): string {
  if (!types.length) return 'no resource type';
  const shown = types.slice(0, max).join(', ');
  return types.length > max ? `${shown} and ${types.length - max} more` : shown;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The region that records global resource types: the home region when the run covers it, else the
 * run's first region (so that IAM changes are recorded somewhere, and only once).
 */
export function globalRegion(regions: readonly string[], home: string): string | undefined {
  return regions.includes(home) ? home : regions[0];
}

/**
 * Judges one region. Pass: a recorder exists, is recording, records every supported resource type
 * (and, in the region that records global types, those too), and a delivery channel exists.
 * Anything else fails, and `data` says what the plan has to do, and nothing more.
 */
export function judgeRegion(view: RegionConfig, opts: { recordsGlobal: boolean; globalRegion?: string }): Verdict {
  const { region } = view;
  const recorder = view.recorders.find(isCustomerRecorder);
  const status = recorder ? view.statuses.find((s) => s.name === recorder.name && !s.servicePrincipal) : undefined;
  const channel = view.channels[0];
  const data: RegionData = {
    region,
    recordsGlobal: opts.recordsGlobal,
    ...(recorder
      ? {
          recorder: {
            name: recorder.name ?? DEFAULT_NAME,
            ...(recorder.roleARN ? { roleARN: recorder.roleARN } : {}),
            ...(recorder.recordingGroup ? { recordingGroup: recorder.recordingGroup } : {}),
            ...(recorder.recordingMode ? { recordingMode: recorder.recordingMode } : {}),
          },
        }
      : {}),
    ...(channel ? { channel: { name: channel.name ?? DEFAULT_NAME, ...(channel.s3BucketName ? { bucket: channel.s3BucketName } : {}) } } : {}),
    putRecorder: false,
    putChannel: !channel,
    start: !status?.recording,
  };

  const problems: string[] = [];
  const notes: string[] = [];
  if (!recorder) {
    problems.push('there is no configuration recorder, so no resource change is recorded');
    data.putRecorder = true;
  } else {
    const name = `"${data.recorder!.name}"`;
    const cover = coverage(recorder.recordingGroup);
    if (cover.kind === 'only') {
      problems.push(`recorder ${name} records only ${plural(cover.types.length, 'resource type')} (${typeList(cover.types)}), not every supported type`);
      data.putRecorder = true;
    } else if (cover.kind === 'except') {
      problems.push(`recorder ${name} leaves out ${plural(cover.excluded.length, 'resource type')}: ${typeList(cover.excluded)}`);
      data.putRecorder = true;
    }
    const global = recordsGlobalTypes(recorder.recordingGroup);
    if (opts.recordsGlobal && !global) {
      problems.push(`recorder ${name} does not record global resources (IAM users, groups, roles and policies), which this region is to record for the account`);
      data.putRecorder = true;
    } else if (!opts.recordsGlobal && global && opts.globalRegion) {
      notes.push(
        `it also records global resources (IAM), which ${opts.globalRegion} records: every IAM change is recorded and billed twice ` +
          '(turn off "include global resources" here to save that)',
      );
    }
    if (!status?.recording) problems.push(`recorder ${name} is not recording (${status ? 'stopped' : 'never started'})`);
    if (recorder.recordingMode?.recordingFrequency === 'DAILY') notes.push('it records once a day (periodic recording), so changes within a day show as one');
    if (status?.recording && status.lastStatus === 'Failure')
      notes.push(`its last recording attempt failed (${status.lastErrorCode ?? 'no error code'}): look at its role and delivery channel in the console`);
  }
  if (!channel) problems.push('there is no delivery channel, so the configuration history is delivered nowhere');

  if (problems.length) return { status: 'fail', message: `AWS Config in ${region}: ${problems.join('; ')}.`, data };

  const what = recordsGlobalTypes(recorder!.recordingGroup) ? 'every supported resource type, global resources (IAM) included' : 'every supported resource type';
  const where = channel?.s3BucketName ? ` and delivers to bucket ${channel.s3BucketName}` : ` and delivers through channel "${data.channel!.name}"`;
  const message = `AWS Config in ${region}: recorder "${data.recorder!.name}" records ${what}${where}.${notes.length ? ` Note: ${notes.join('; ')}.` : ''}`;
  return { status: 'pass', message, data };
}
