/**
 * monitoring.guardduty: GuardDuty has an enabled detector in every region of the run
 * (FSBP GuardDuty.1). Per region: ListDetectors, then GetDetector for the (normally one) detector.
 * A region where GuardDuty cannot be reached is reported on its own, and the others still are.
 *
 * The fix turns an existing, suspended detector back on (UpdateDetector), or creates one
 * (CreateDetector) where there is none: a region has at most one detector, never a second.
 * It is paid after a 30-day free trial per region, and the plan says so.
 */
import { CreateDetectorCommand, GetDetectorCommand, GuardDutyClient, UpdateDetectorCommand, paginateListDetectors } from '@aws-sdk/client-guardduty';
import type { Finding, Plan, PlanAction, Step, StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, eachRegion, errorCode, nothingToUndo, recordedInverse, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import meta from './meta.js';

/** How many regions are read at once. */
export const REGION_CONCURRENCY = 8;

export interface Detector {
  id: string;
  /** ENABLED or DISABLED, as GetDetector reports it. */
  status: string;
  frequency?: string;
}

/** What GuardDuty looks like in one region. */
export type Judgement = { kind: 'enabled'; detector: Detector } | { kind: 'none' } | { kind: 'disabled'; detector: Detector };

/** Pass when any detector is enabled; otherwise the first disabled one is the one to turn back on. */
export function judge(detectors: readonly Detector[]): Judgement {
  const enabled = detectors.find((d) => d.status.toUpperCase() === 'ENABLED');
  if (enabled) return { kind: 'enabled', detector: enabled };
  const sorted = [...detectors].sort((a, b) => a.id.localeCompare(b.id));
  if (sorted.length) return { kind: 'disabled', detector: sorted[0]! };
  return { kind: 'none' };
}

/** What a failing finding carries for the plan. */
export interface GuardDutyData {
  region: string;
  /** The suspended detector to enable; absent: create one. */
  detectorId?: string;
}

const FREQUENCY: Record<string, string> = { FIFTEEN_MINUTES: 'every 15 minutes', ONE_HOUR: 'every hour', SIX_HOURS: 'every 6 hours' };

export function detectorArn(target: { partition: string; accountId: string }, region: string, id = '*'): string {
  return `arn:${target.partition}:guardduty:${region}:${target.accountId}:detector/${id}`;
}

/** The finding for one region (exported for unit tests). */
export function regionFinding(j: Judgement, region: string, target: { partition: string; accountId: string }): Finding {
  switch (j.kind) {
    case 'enabled': {
      const every = j.detector.frequency ? FREQUENCY[j.detector.frequency] : undefined;
      return {
        status: 'pass',
        resource: detectorArn(target, region, j.detector.id),
        region,
        message: `GuardDuty is on in ${region} (detector ${j.detector.id}${every ? `, updated findings exported ${every}` : ''}).`,
      };
    }
    case 'disabled': {
      const data: GuardDutyData = { region, detectorId: j.detector.id };
      return {
        status: 'fail',
        resource: detectorArn(target, region, j.detector.id),
        region,
        message: `GuardDuty is suspended in ${region}: detector ${j.detector.id} exists but is ${j.detector.status.toUpperCase()}, so it analyses nothing and reports nothing.`,
        data: { ...data },
      };
    }
    case 'none': {
      const data: GuardDutyData = { region };
      return {
        status: 'fail',
        resource: detectorArn(target, region),
        region,
        message: `GuardDuty is off in ${region}: there is no detector, so nothing watches that region for threats.`,
        data: { ...data },
      };
    }
  }
}

async function readRegion(ctx: StepContext, region: string): Promise<Detector[]> {
  const client = ctx.client(GuardDutyClient, region);
  const ids: string[] = [];
  for await (const page of paginateListDetectors({ client }, {})) ids.push(...(page.DetectorIds ?? []));
  return Promise.all(
    ids.map(async (id) => {
      const d = await client.send(new GetDetectorCommand({ DetectorId: id }));
      return { id, status: d.Status ?? 'DISABLED', ...(d.FindingPublishingFrequency ? { frequency: d.FindingPublishingFrequency } : {}) };
    }),
  );
}

function dataOf(f: Finding): GuardDutyData {
  const d = f.data as Partial<GuardDutyData> | undefined;
  if (!d?.region) throw new Error(`${meta.id}: a failing finding without its region; check the step before planning its fix.`);
  return { region: d.region, ...(d.detectorId ? { detectorId: d.detectorId } : {}) };
}

/** Shown in place of the id that exists only once the action has run; the journal records the real one. */
const NEW_DETECTOR = '(the new detector)';

function createAction(region: string): PlanAction {
  const params = { Enable: true, FindingPublishingFrequency: 'FIFTEEN_MINUTES' as const };
  const inverseParams: { DetectorId: string } = { DetectorId: NEW_DETECTOR };
  return {
    service: 'guardduty',
    operation: 'CreateDetector',
    region,
    params,
    summary: `Turn on GuardDuty in ${region} (a new detector; updated findings exported every 15 minutes)`,
    inverse: {
      service: 'guardduty',
      operation: 'DeleteDetector',
      region,
      params: inverseParams,
      summary: `Delete the detector created in ${region} (its id is known once it exists; its findings go with it)`,
    },
    async run(ctx) {
      const out = await ctx.client(GuardDutyClient, region).send(new CreateDetectorCommand(params));
      if (!out.DetectorId) throw new Error(`CreateDetector in ${region} returned no detector id.`);
      // The undo can name the detector only now; the journal records the inverse as it stands after the run.
      inverseParams.DetectorId = out.DetectorId;
      return { output: { DetectorId: out.DetectorId } };
    },
  };
}

function enableAction(region: string, detectorId: string): PlanAction {
  const params = { DetectorId: detectorId, Enable: true };
  return {
    service: 'guardduty',
    operation: 'UpdateDetector',
    region,
    params,
    summary: `Turn GuardDuty back on in ${region} (detector ${detectorId}, suspended until now)`,
    inverse: {
      service: 'guardduty',
      operation: 'UpdateDetector',
      region,
      params: { DetectorId: detectorId, Enable: false },
      summary: `Suspend detector ${detectorId} in ${region} again`,
    },
    async run(ctx) {
      await ctx.client(GuardDutyClient, region).send(new UpdateDetectorCommand(params));
    },
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const listed = (xs: readonly string[]) => xs.join(', ');

/**
 * What the plan costs, in words, for `regions`, of which `resumed` had a detector that was only
 * suspended: those had GuardDuty before, so they get no new trial (exported for unit tests).
 */
export function costDetail(regions: readonly string[], resumed: readonly string[] = []): string {
  const n = regions.length;
  const fresh = regions.filter((r) => !resumed.includes(r));
  const trial = !resumed.length
    ? 'Each region gets a 30-day free trial the first time GuardDuty is enabled there. '
    : (fresh.length ? `${listed(fresh)} ${fresh.length === 1 ? 'gets' : 'get'} a 30-day free trial, the first time GuardDuty is enabled there. ` : '') +
      `${listed(resumed)} had GuardDuty before (its detector was suspended), so ${resumed.length === 1 ? 'it gets' : 'they get'} no new free trial and ${resumed.length === 1 ? 'is' : 'are'} billed from the moment ${resumed.length === 1 ? 'it is' : 'they are'} back on. `;
  return (
    `GuardDuty in ${plural(n, 'region')} (${listed(regions)}). ${trial}` +
    `${fresh.length ? 'After the trial it' : 'It'} is billed on what it analyses: CloudTrail management events, VPC flow logs and DNS queries (and any protection plan that is on). ` +
    `For a small account that is usually a few dollars per region per month, so roughly ${n === 1 ? 'a few dollars' : `${n} times a few dollars`} a month here; ` +
    `${fresh.length ? 'during the trial ' : ''}the console shows an estimate under GuardDuty → Usage.`
  );
}

/** What the person must read before confirming: when billing starts, region by region. */
function billingWarnings(regions: readonly string[], resumed: readonly string[]): string[] {
  const fresh = regions.filter((r) => !resumed.includes(r));
  const out: string[] = [];
  if (fresh.length)
    out.push(
      `The free trial ends 30 days after GuardDuty is enabled in ${fresh.length === 1 ? fresh[0] : `each region (${listed(fresh)})`}, and billing then starts by itself: ` +
        'check GuardDuty → Usage before then for the estimated monthly cost.',
    );
  if (resumed.length)
    out.push(
      `${listed(resumed)} had GuardDuty before: turning ${resumed.length === 1 ? 'its detector' : 'their detectors'} back on starts no new free trial, ` +
        'so it is billed from the moment it is back on (GuardDuty → Usage shows the estimate).',
    );
  return out;
}

/**
 * A detector the fix created is deleted only while it is as the fix left it (enabled, findings
 * every 15 minutes), and only by a destructive action: its findings go with it. A detector the fix
 * resumed is suspended again while it is still on.
 */
async function undoChange(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const id = entry.operation === 'CreateDetector' ? (entry.output as { DetectorId?: string } | undefined)?.DetectorId : (entry.params as { DetectorId?: string }).DetectorId;
  if (!id) return nothingToUndo('The journal does not name the detector, so there is nothing to undo.');
  let status: string | undefined;
  let frequency: string | undefined;
  try {
    const d = await ctx.client(GuardDutyClient, entry.region).send(new GetDetectorCommand({ DetectorId: id }));
    status = d.Status;
    frequency = d.FindingPublishingFrequency;
  } catch (err) {
    if (['BadRequestException', 'ResourceNotFoundException', 'NotFoundException'].includes(errorCode(err))) return nothingToUndo(`Detector ${id} in ${entry.region} no longer exists.`);
    throw err;
  }
  if (entry.operation === 'UpdateDetector') {
    if (status !== 'ENABLED') return nothingToUndo(`Detector ${id} in ${entry.region} is already suspended, as before the fix.`);
    return undoWith(recordedInverse(entry));
  }
  const now = { status, frequency };
  const wrote = { status: 'ENABLED', frequency: 'FIFTEEN_MINUTES' };
  if (now.status !== wrote.status || now.frequency !== wrote.frequency) return drifted(`Detector ${id} in ${entry.region}`, { now, wrote });
  return undoWith(
    recordedInverse(entry, { summary: `Delete the GuardDuty detector ${id} in ${entry.region}, and the findings it holds`, destructive: true }),
  );
}

const step: Step = {
  meta,
  undo: undoChange,

  async check(ctx) {
    const target = { partition: ctx.target.partition, accountId: ctx.target.accountId };
    return eachRegion(
      ctx,
      async (region) => [regionFinding(judge(await readRegion(ctx, region)), region, target)],
      (region) => ({ resource: detectorArn(target, region), service: 'GuardDuty', permissions: meta.permissions.check }),
      REGION_CONCURRENCY,
    );
  },

  async plan(_ctx, findings): Promise<Plan> {
    const failing = findings.filter((f) => f.status === 'fail').map(dataOf);
    if (!failing.length) return { actions: [] };
    const actions = failing.map((d) => (d.detectorId ? enableAction(d.region, d.detectorId) : createAction(d.region)));
    const regions = failing.map((d) => d.region);
    const resumed = failing.filter((d) => d.detectorId).map((d) => d.region);
    return {
      actions,
      cost: { scale: 'dollars', detail: costDetail(regions, resumed) },
      warnings: [
        ...billingWarnings(regions, resumed),
        'GuardDuty only reports. Its findings need someone to read them: monitoring.alerts sends them to an email address.',
      ],
    };
  },

  /**
   * day-one scenario: GuardDuty suspended in the home region: a detector that exists but is
   * disabled, so the fix turns it back on instead of creating a second one. An existing detector is
   * reused (and suspended again).
   */
  async seed(ctx) {
    sandboxOnly(ctx);
    const client = ctx.client(GuardDutyClient, ctx.target.homeRegion);
    const ids: string[] = [];
    for await (const page of paginateListDetectors({ client }, {})) ids.push(...(page.DetectorIds ?? []));
    if (!ids.length) {
      await client.send(new CreateDetectorCommand({ Enable: false }));
      return;
    }
    for (const id of ids) await client.send(new UpdateDetectorCommand({ DetectorId: id, Enable: false }));
  },
};

export default step;
