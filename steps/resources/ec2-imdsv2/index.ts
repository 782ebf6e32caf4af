/**
 * resources.ec2-imdsv2: the account default and every instance require IMDSv2, the instance
 * metadata service that needs a session token (CIS 6.7, FSBP EC2.8).
 *
 * Per region: GetInstanceMetadataDefaults (the account default for new instances), the shared
 * instance read, and, for the instances that still accept IMDSv1, the CloudWatch metric
 * MetadataNoToken of the last 14 days, batched (metadata-calls.ts). An instance that made IMDSv1
 * calls has software that breaks when IMDSv2 is required: the fix changes it only when it is named
 * (a confirmation per instance in the wizard, default No; its id in the answers file under
 * `fix --yes`). The others are changed by default. moto implements no metadata defaults: there
 * that finding is `unsupported`, with the endpoint's answer as the reason.
 */
import { GetInstanceMetadataDefaultsCommand, EC2Client, ModifyInstanceMetadataDefaultsCommand, ModifyInstanceMetadataOptionsCommand } from '@aws-sdk/client-ec2';
import type { Instance } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import {
  describeError,
  drifted,
  errorKind,
  formatZodError,
  irreversible,
  mapLimit,
  nothingToUndo,
  plural,
  recordedInverse,
  regionFailure,
  sandboxOnly,
  undoWith,
} from '../../../src/engine/step-kit.js';
import {
  REGION_CONCURRENCY,
  askInstances,
  dayOneProfile,
  instanceArn,
  instanceLabel,
  instancesArn,
  instanceSelectionSchema,
  launchDayOne,
  listed,
  liveInstances,
  selectsInstance,
} from '../_shared/instances.js';
import { LOOKBACK_DAYS, imdsv1Calls } from './metadata-calls.js';
import meta from './meta.js';

/** The day-one instance that still accepts IMDSv1. */
export const DAY_ONE_INSTANCE = 'day-one-legacy-app';

export const inputSchema = z.strictObject({
  /** Require IMDSv2 in the account default of each region where it is not required yet. */
  accountDefault: z.boolean().default(true),
  /** `"all"`: every instance that made no IMDSv1 call; or exactly the instance ids listed. */
  instances: instanceSelectionSchema.default('all'),
});
export type Imdsv2Inputs = z.infer<typeof inputSchema>;

const defaultsData = z.object({ kind: z.literal('default'), region: z.string(), httpTokens: z.string() });
const instanceData = z.object({
  kind: z.literal('instance'),
  region: z.string(),
  instanceId: z.string(),
  label: z.string(),
  state: z.string(),
  /** IMDSv1 calls in the last 14 days; null when the metric could not be read. */
  calls: z.number().nullable(),
});
type DefaultsData = z.infer<typeof defaultsData>;
type InstanceData = z.infer<typeof instanceData>;

export const defaultsArn = (ctx: Pick<StepContext, 'target'>, region: string) =>
  `arn:${ctx.target.partition}:ec2:${region}:${ctx.target.accountId}:instance-metadata-defaults`;

/** Whether an instance still answers IMDSv1 requests: its metadata service is on and tokens are optional. */
export function acceptsImdsv1(i: Instance): boolean {
  const o = i.MetadataOptions ?? {};
  if ((o.HttpEndpoint ?? 'enabled') === 'disabled') return false;
  return (o.HttpTokens ?? 'optional') !== 'required';
}

/** An instance that made IMDSv1 calls, or whose calls could not be read: changing it may break it. */
export const sensitive = (d: InstanceData): boolean => d.calls === null || d.calls > 0;

export function instanceFinding(ctx: Pick<StepContext, 'target'>, region: string, i: Instance, calls: number | null | undefined, why?: string): Finding {
  const id = i.InstanceId!;
  const label = instanceLabel(i);
  const state = i.State?.Name ?? 'unknown';
  const base = { resource: instanceArn(ctx, region, id), region };
  const name = `Instance ${label} in ${region} (${state})`;
  if (!acceptsImdsv1(i)) {
    const off = (i.MetadataOptions?.HttpEndpoint ?? 'enabled') === 'disabled';
    return { ...base, status: 'pass', message: off ? `${name} has its metadata service turned off.` : `${name} requires IMDSv2.` };
  }
  const c = calls === undefined ? null : calls;
  const data: InstanceData = { kind: 'instance', region, instanceId: id, label, state, calls: c };
  const use =
    c === null
      ? `its IMDSv1 use could not be read (${why ?? 'no answer'}), so it is treated as in use`
      : c > 0
        ? `it made ${c} IMDSv1 ${c === 1 ? 'call' : 'calls'} in the last ${LOOKBACK_DAYS} days: software on it would break`
        : `it made no IMDSv1 call in the last ${LOOKBACK_DAYS} days, so requiring IMDSv2 is safe`;
  return { ...base, status: 'fail', message: `${name} still accepts IMDSv1 (HttpTokens: ${i.MetadataOptions?.HttpTokens ?? 'optional'}); ${use}.`, data };
}

async function checkDefaults(ctx: StepContext, region: string): Promise<Finding> {
  const resource = defaultsArn(ctx, region);
  try {
    const out = await ctx.client(EC2Client, region).send(new GetInstanceMetadataDefaultsCommand({}));
    const tokens = out.AccountLevel?.HttpTokens ?? 'no-preference';
    if (tokens === 'required')
      return { resource, region, status: 'pass', message: `New instances in ${region} require IMDSv2 by default (account default HttpTokens: required).` };
    const data: DefaultsData = { kind: 'default', region, httpTokens: tokens };
    return {
      resource,
      region,
      status: 'fail',
      message: `The account default in ${region} does not require IMDSv2 (HttpTokens: ${tokens}): new instances accept IMDSv1 unless their launch says otherwise.`,
      data,
    };
  } catch (err) {
    return regionFailure(err, { region, resource, service: 'EC2 instance metadata defaults', permissions: ['ec2:GetInstanceMetadataDefaults'] });
  }
}

async function checkInstances(ctx: StepContext, region: string): Promise<Finding[]> {
  let list: Instance[];
  try {
    list = await liveInstances(ctx, region);
  } catch (err) {
    return [regionFailure(err, { region, resource: instancesArn(ctx, region), service: 'Amazon EC2', permissions: ['ec2:DescribeInstances'] })];
  }
  if (!list.length) return [{ status: 'pass', resource: instancesArn(ctx, region), region, message: `No instances in ${region}.` }];
  const open = list.filter(acceptsImdsv1).map((i) => i.InstanceId!);
  let calls: Map<string, number> | undefined;
  let why: string | undefined;
  try {
    calls = await imdsv1Calls(ctx, region, open);
  } catch (err) {
    if (errorKind(err) === 'blocked') throw err;
    why = `CloudWatch GetMetricData: ${describeError(err, { permissions: ['cloudwatch:GetMetricData'] })}`;
  }
  return list.map((i) => instanceFinding(ctx, region, i, calls ? (calls.get(i.InstanceId!) ?? 0) : null, why));
}

function parseData(findings: Finding[]): { defaults: DefaultsData[]; instances: InstanceData[] } {
  const failing = findings.filter((f) => f.status === 'fail' && f.data);
  return {
    defaults: failing.flatMap((f) => (f.data!.kind === 'default' ? [defaultsData.parse(f.data)] : [])),
    instances: failing.flatMap((f) => (f.data!.kind === 'instance' ? [instanceData.parse(f.data)] : [])),
  };
}

function parseInputs(given: unknown): Imdsv2Inputs {
  const parsed = inputSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

function defaultsAction(d: DefaultsData): PlanAction {
  const params = { HttpTokens: 'required' as const };
  const previous = d.httpTokens === 'optional' ? ('optional' as const) : ('no-preference' as const);
  return {
    service: 'ec2',
    operation: 'ModifyInstanceMetadataDefaults',
    region: d.region,
    params,
    summary: `Require IMDSv2 by default for new instances in ${d.region}`,
    inverse: {
      service: 'ec2',
      operation: 'ModifyInstanceMetadataDefaults',
      region: d.region,
      params: { HttpTokens: previous },
      summary: `Put the account default of ${d.region} back to HttpTokens ${previous}`,
    },
    async run(ctx) {
      await ctx.client(EC2Client, d.region).send(new ModifyInstanceMetadataDefaultsCommand(params));
    },
  };
}

function instanceAction(d: InstanceData): PlanAction {
  const params = { InstanceId: d.instanceId, HttpTokens: 'required' as const };
  return {
    service: 'ec2',
    operation: 'ModifyInstanceMetadataOptions',
    region: d.region,
    params,
    summary: `Require IMDSv2 on instance ${d.label} in ${d.region}` + (sensitive(d) ? ' (it has used IMDSv1: what still does will fail)' : ''),
    ...(sensitive(d) ? { destructive: true } : {}),
    inverse: {
      service: 'ec2',
      operation: 'ModifyInstanceMetadataOptions',
      region: d.region,
      params: { InstanceId: d.instanceId, HttpTokens: 'optional' },
      summary: `Let instance ${d.label} accept IMDSv1 again`,
    },
    async run(ctx) {
      await ctx.client(EC2Client, d.region).send(new ModifyInstanceMetadataOptionsCommand(params));
    },
  };
}

const usage = (d: InstanceData) => (d.calls === null ? 'its IMDSv1 use could not be read' : `it made ${d.calls} IMDSv1 ${d.calls === 1 ? 'call' : 'calls'} in the last ${LOOKBACK_DAYS} days`);

const inputs: StepInputs<Imdsv2Inputs> = {
  schema: inputSchema,
  requiredInAnswers: false,
  defaults: () => ({ accountDefault: true, instances: 'all' }),

  async ask(asker, initial, findings) {
    const { defaults, instances } = parseData(findings);
    let accountDefault = initial?.accountDefault ?? true;
    if (defaults.length)
      accountDefault = await asker.confirm({
        message: `Require IMDSv2 by default for new instances in ${defaults.map((d) => d.region).join(', ')}? Launches that ask for IMDSv1 explicitly still get it.`,
        default: accountDefault,
      });
    if (!instances.length) return { accountDefault, instances: initial?.instances ?? 'all' };
    const chosen = await askInstances(asker, {
      initial: initial?.instances ?? 'all',
      sensitive: instances.filter(sensitive).map((d) => ({
        id: d.instanceId,
        label: d.label,
        region: d.region,
        question:
          `Instance ${d.label} (${d.region}): ${usage(d)}. Require IMDSv2 on it anyway? ` +
          'Whatever on it reads metadata without a token (old SDKs, agents, scripts using curl) will fail until it is updated.',
      })),
      others: instances.filter((d) => !sensitive(d)).map((d) => ({ id: d.instanceId, label: d.label, region: d.region })),
      othersQuestion: (names) => `Require IMDSv2 on the instances that made no IMDSv1 call in ${LOOKBACK_DAYS} days: ${names}?`,
    });
    return { accountDefault, instances: chosen };
  },
};

const step: Step<Imdsv2Inputs> = {
  meta,
  inputs,

  async check(ctx) {
    const regions = await ctx.regions();
    const perRegion = await mapLimit(regions, REGION_CONCURRENCY, async (region) => {
      const [defaults, instances] = await Promise.all([checkDefaults(ctx, region), checkInstances(ctx, region)]);
      return [defaults, ...instances];
    });
    return perRegion.flat();
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const choice = parseInputs(given);
    const { defaults, instances } = parseData(findings);
    const actions: PlanAction[] = [];
    const warnings: string[] = [];
    if (choice.accountDefault) actions.push(...defaults.map(defaultsAction));
    else if (defaults.length) warnings.push(`The account default stays as it is in ${defaults.map((d) => d.region).join(', ')}: new instances keep accepting IMDSv1.`);
    const left: InstanceData[] = [];
    for (const d of instances) {
      if (!selectsInstance(choice.instances, d.instanceId, sensitive(d))) {
        left.push(d);
        continue;
      }
      actions.push(instanceAction(d));
      if (sensitive(d))
        warnings.push(
          `Instance ${d.label} (${d.region}): ${usage(d)}. Once IMDSv2 is required, those requests get HTTP 401: update the software first ` +
            '(AWS SDKs and the CLI from 2019 on use IMDSv2 by themselves), or undo this change.',
        );
    }
    const leftSensitive = left.filter(sensitive);
    if (leftSensitive.length)
      warnings.push(
        `${plural(leftSensitive.length, 'instance')} that used IMDSv1 ${leftSensitive.length === 1 ? 'is' : 'are'} left as ${leftSensitive.length === 1 ? 'it is' : 'they are'}: ` +
          `${listed(leftSensitive.map((d) => `${d.label} (${d.region})`))}. They change only when named (wizard: answer yes for each; answers file: ` +
          `"${meta.id}": { "instances": ["${leftSensitive[0]!.instanceId}", …], "apply": true }).`,
      );
    return { actions, ...(warnings.length ? { warnings } : {}) };
  },

  /**
   * Undo: HttpTokens back to what the check read before the fix (the instance's `optional`, the
   * account default's `optional` or `no-preference`), while it is still `required`.
   */
  async undo(ctx, entry) {
    if (!entry.inverse) return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
    const before = (entry.inverse.params as { HttpTokens?: string }).HttpTokens;
    if (entry.operation === 'ModifyInstanceMetadataOptions') {
      const id = (entry.params as { InstanceId?: string }).InstanceId;
      const i = (await liveInstances(ctx, entry.region)).find((x) => x.InstanceId === id);
      if (!i) return nothingToUndo(`Instance ${id} in ${entry.region} is gone (or terminated).`);
      const now = i.MetadataOptions?.HttpTokens ?? 'optional';
      if (now === before) return nothingToUndo(`Instance ${id} in ${entry.region} accepts IMDSv1 again (HttpTokens ${now}), as before the fix.`);
      if (now !== 'required') return drifted(`The metadata options of instance ${id} in ${entry.region}`, { now: `HttpTokens ${now}`, wrote: 'HttpTokens required' });
      return undoWith(recordedInverse(entry));
    }
    if (entry.operation === 'ModifyInstanceMetadataDefaults') {
      const out = await ctx.client(EC2Client, entry.region).send(new GetInstanceMetadataDefaultsCommand({}));
      const now = out.AccountLevel?.HttpTokens ?? 'no-preference';
      if (now === before) return nothingToUndo(`The account default in ${entry.region} is HttpTokens ${now} again, as before the fix.`);
      if (now !== 'required') return drifted(`The account default for instance metadata in ${entry.region}`, { now: `HttpTokens ${now}`, wrote: 'HttpTokens required' });
      return undoWith(recordedInverse(entry));
    }
    return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
  },

  /** day-one scenario: an instance in the home region that still accepts IMDSv1 (it has a role, and no port open). */
  async seed(ctx) {
    sandboxOnly(ctx);
    const profile = await dayOneProfile(ctx);
    const { instance, created } = await launchDayOne(ctx, DAY_ONE_INSTANCE, { httpTokens: 'optional', profile });
    if (!created && !acceptsImdsv1(instance))
      await ctx
        .client(EC2Client, ctx.target.homeRegion)
        .send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: instance.InstanceId!, HttpTokens: 'optional', HttpEndpoint: 'enabled' }));
  },
};

export default step;
