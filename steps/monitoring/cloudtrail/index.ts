/**
 * monitoring.cloudtrail: a multi-region trail records every management event (reads and writes),
 * is logging, and validates its log files (CIS 4.1, 4.2; FSBP CloudTrail.1, CloudTrail.4).
 *
 * The check judges the trails the home region sees (steps/monitoring/_shared/trails.ts). The fix
 * builds on what is there: an existing multi-region trail of this account is reused and only what
 * it lacks is changed, in its own home region (validation, event selectors with data selectors
 * kept, logging); its bucket is never touched. Without one, it makes the shared logging bucket
 * ready and a new trail delivering to it. An organization trail of another account is judged like
 * any other, but only that account can change it.
 */
import type { AdvancedEventSelector, EventSelector } from '@aws-sdk/client-cloudtrail';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import type { BucketLocationConstraint } from '@aws-sdk/client-s3';
import type { Finding, Plan, PlanAction, Step, StepContext, Target, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, errorCode, irreversible, nothingToUndo, recordedInverse, sameJson, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import { deliveryStatements, loggingBucketActions, readLoggingBucket, undoLoggingBucket } from '../_shared/logging-bucket.js';
import type { TrailState } from '../_shared/trails.js';
import { bestMultiRegionTrail, isGoodTrail, managementEvents, TRAIL_NAME, trailArn, trails } from '../_shared/trails.js';
import meta from './meta.js';
import type { SelectorChange } from './selectors.js';
import { ALL_MANAGEMENT, withManagementEvents } from './selectors.js';

/** The day-one fixture: a trail someone started by hand, in one region only, and never switched on. */
export const DAY_ONE_TRAIL = 'day-one-trail';
export const dayOneTrailBucket = (accountId: string) => `day-one-trail-logs-${accountId}`;

/** The account an ARN belongs to (its fifth field). */
export const accountOf = (arn: string) => arn.split(':')[4] ?? '';

const isOwn = (t: TrailState, target: Pick<Target, 'accountId'>) => accountOf(t.arn) === target.accountId;

/** "a", "a and b", "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** What keeps a trail from passing, as phrases that follow its name. Empty for a passing trail. */
export function problems(t: TrailState): string[] {
  const out: string[] = [];
  if (!t.multiRegion) out.push('records only its home region');
  if (!t.logging) out.push('is not logging (it records nothing)');
  if (!t.validation) out.push('has log-file validation off');
  const m = managementEvents(t);
  if (m === 'none') out.push('records no management events');
  else if (m === 'read-only') out.push('records only read management events, not the changes (writes)');
  else if (m === 'write-only') out.push('records only write management events, not the reads');
  return out;
}

function label(t: TrailState, target: Pick<Target, 'accountId'>): string {
  const kind = t.organization ? 'organization trail' : t.multiRegion ? 'multi-region trail' : 'single-region trail';
  const owner = isOwn(t, target) ? '' : ` of account ${accountOf(t.arn)}`;
  return `${kind} ${t.name}${owner} (home region ${t.homeRegion})`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Notes on the trails that do not decide the finding: single-region ones, and other accounts' organization trails. */
function notes(list: readonly TrailState[], decided: TrailState | undefined, target: Pick<Target, 'accountId'>): string[] {
  const out: string[] = [];
  const singles = list.filter((t) => t !== decided && !t.multiRegion && isOwn(t, target));
  if (singles.length)
    out.push(
      `${singles.length === 1 ? 'Single-region trail' : 'Single-region trails'} ${joinAnd(singles.map((t) => `${t.name} (${t.homeRegion})`))} ` +
        `${singles.length === 1 ? 'does' : 'do'} not count: activity in every other region goes unrecorded.`,
    );
  for (const t of list.filter((x) => x !== decided && !isOwn(x, target))) {
    const wrong = problems(t);
    out.push(
      `${capital(label(t, target))} ${wrong.length ? joinAnd(wrong) : 'records what it should'}; ` +
        `only account ${accountOf(t.arn)} (the organization's management account) can change it.`,
    );
  }
  return out;
}

const allTrails = (target: Pick<Target, 'partition' | 'homeRegion' | 'accountId'>) =>
  `arn:${target.partition}:cloudtrail:${target.homeRegion}:${target.accountId}:trail/*`;

async function check(ctx: StepContext): Promise<Finding[]> {
  const list = await trails(ctx);
  const target = ctx.target;
  // A good trail of this account first; else a good organization trail of another.
  const good = list.filter(isGoodTrail).sort((a, b) => Number(isOwn(b, target)) - Number(isOwn(a, target)))[0];
  if (good) {
    const foreign = isOwn(good, target) ? '' : ` Changes to it are made in account ${accountOf(good.arn)}, the organization's management account.`;
    return [
      {
        status: 'pass',
        resource: good.arn,
        region: 'global',
        message: `${capital(label(good, target))} is logging every management event, reads and writes, in every region, with log-file validation.${foreign}`,
      },
    ];
  }
  const best = bestMultiRegionTrail(list.filter((t) => isOwn(t, target)));
  const extra = notes(list, best, target);
  const tail = extra.length ? ` ${extra.join(' ')}` : '';
  if (best)
    return [
      {
        status: 'fail',
        resource: best.arn,
        region: 'global',
        message: `${capital(label(best, target))} ${joinAnd(problems(best))}.${tail}`,
      },
    ];
  const none =
    list.length === 0
      ? 'No CloudTrail trail: API activity in this account is kept only 90 days in the event history, and cannot be searched or proved later.'
      : 'No multi-region trail of this account records management events in every region.';
  return [{ status: 'fail', resource: allTrails(target), region: 'global', message: `${none}${tail}` }];
}

// ---------------------------------------------------------------------------------------------
// Plan

const ct = (ctx: StepContext, region: string) => ctx.client(CloudTrailClient, region);

function validationAction(t: TrailState): PlanAction {
  const params = { Name: t.arn, EnableLogFileValidation: true };
  return {
    service: 'cloudtrail',
    operation: 'UpdateTrail',
    region: t.homeRegion,
    params,
    summary: `Turn on log-file validation for trail ${t.name}: an hourly signed digest proves its log files were not changed or deleted`,
    inverse: {
      service: 'cloudtrail',
      operation: 'UpdateTrail',
      region: t.homeRegion,
      params: { Name: t.arn, EnableLogFileValidation: false },
      summary: `Turn log-file validation off again for trail ${t.name}`,
    },
    async run(ctx) {
      await ct(ctx, t.homeRegion).send(new UpdateTrailCommand(params));
    },
  };
}

type SelectorParams = { TrailName: string; EventSelectors: EventSelector[] } | { TrailName: string; AdvancedEventSelectors: AdvancedEventSelector[] };

function selectorParams(trail: string, change: Exclude<SelectorChange, { kind: 'impossible' }>): SelectorParams {
  return change.kind === 'basic' ? { TrailName: trail, EventSelectors: change.selectors } : { TrailName: trail, AdvancedEventSelectors: change.selectors };
}

function selectorsAction(name: string, arn: string, region: string, change: Exclude<SelectorChange, { kind: 'impossible' }>, before?: TrailState): PlanAction {
  const params = selectorParams(arn, change);
  const previous: SelectorParams | undefined = !before
    ? undefined
    : before.advancedEventSelectors.length
      ? { TrailName: arn, AdvancedEventSelectors: before.advancedEventSelectors }
      : before.eventSelectors.length
        ? { TrailName: arn, EventSelectors: before.eventSelectors }
        : undefined;
  return {
    service: 'cloudtrail',
    operation: 'PutEventSelectors',
    region,
    params,
    summary: `Record every management event, reads and writes, on trail ${name} (${change.note})`,
    ...(previous
      ? { inverse: { service: 'cloudtrail', operation: 'PutEventSelectors', region, params: previous, summary: `Put back the previous event selectors of trail ${name}` } }
      : before
        ? { irreversible: `trail ${name} has no event selectors now, and CloudTrail cannot be set back to none` }
        : {}),
    async run(ctx) {
      await ct(ctx, region).send(new PutEventSelectorsCommand(params));
      // For the undo: the selectors of a trail made in this fix go with it.
      return { output: { newTrail: !before } };
    },
  };
}

/**
 * By name, in the trail's home region: AWS takes the name or the ARN there, and moto only the name
 * (an ARN answers HTTP 500).
 */
function startAction(name: string, region: string): PlanAction {
  const params = { Name: name };
  return {
    service: 'cloudtrail',
    operation: 'StartLogging',
    region,
    params,
    summary: `Start logging on trail ${name}`,
    inverse: { service: 'cloudtrail', operation: 'StopLogging', region, params, summary: `Stop logging on trail ${name}` },
    async run(ctx) {
      await ct(ctx, region).send(new StartLoggingCommand(params));
    },
  };
}

/** Event selectors for `t` when it does not yet record every management event; a warning when that cannot be done by API. */
function selectorFix(t: TrailState, warnings: string[]): PlanAction[] {
  if (managementEvents(t) === 'all') return [];
  const change = withManagementEvents(t);
  if (change.kind === 'impossible') {
    warnings.push(`Trail ${t.name} is left recording ${managementEvents(t)} management events: ${change.reason}.`);
    return [];
  }
  return [selectorsAction(t.name, t.arn, t.homeRegion, change, t)];
}

/** A multi-region trail of this account: only what it lacks, in its home region. Its bucket is left alone. */
function reuse(t: TrailState, warnings: string[]): PlanAction[] {
  return [...(t.validation ? [] : [validationAction(t)]), ...selectorFix(t, warnings), ...(t.logging ? [] : [startAction(t.name, t.homeRegion)])];
}

/** Our own trail made earlier in one region only: made multi-region (and the rest), never duplicated. */
function widen(t: TrailState, warnings: string[]): PlanAction[] {
  const params = { Name: t.arn, IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true, ...(t.validation ? {} : { EnableLogFileValidation: true }) };
  const update: PlanAction = {
    service: 'cloudtrail',
    operation: 'UpdateTrail',
    region: t.homeRegion,
    params,
    summary: `Make trail ${t.name} record every region (it records only ${t.homeRegion})${t.validation ? '' : ', with log-file validation'}`,
    inverse: {
      service: 'cloudtrail',
      operation: 'UpdateTrail',
      region: t.homeRegion,
      params: { Name: t.arn, IsMultiRegionTrail: false, ...(t.validation ? {} : { EnableLogFileValidation: false }) },
      summary: `Make trail ${t.name} record only ${t.homeRegion} again`,
    },
    async run(ctx) {
      await ct(ctx, t.homeRegion).send(new UpdateTrailCommand(params));
    },
  };
  return [update, ...selectorFix(t, warnings), ...(t.logging ? [] : [startAction(t.name, t.homeRegion)])];
}

/** The shared logging bucket made ready (before anything delivers to it), then a new multi-region trail. */
async function create(ctx: StepContext): Promise<PlanAction[]> {
  const home = ctx.target.homeRegion;
  const arn = trailArn(ctx.target);
  const bucket = await readLoggingBucket(ctx);
  const actions = loggingBucketActions(ctx, bucket, [{ service: 'cloudtrail', trailArn: arn }]);
  const params = { Name: TRAIL_NAME, S3BucketName: bucket.name, IsMultiRegionTrail: true, EnableLogFileValidation: true, IncludeGlobalServiceEvents: true };
  actions.push({
    service: 'cloudtrail',
    operation: 'CreateTrail',
    region: home,
    params,
    summary: `Create the multi-region trail ${TRAIL_NAME} in ${home}, with log-file validation, delivering to ${bucket.name}`,
    inverse: {
      service: 'cloudtrail',
      operation: 'DeleteTrail',
      region: home,
      params: { Name: arn },
      summary: `Delete the trail ${TRAIL_NAME} (the log files already delivered stay in ${bucket.name})`,
    },
    async run(c) {
      try {
        await ct(c, home).send(new CreateTrailCommand(params));
      } catch (err) {
        if (errorCode(err) === 'TrailAlreadyExistsException')
          throw new Error(`A trail named ${TRAIL_NAME} was made in ${home} after the plan; nothing was created. Check the step again.`, { cause: err });
        throw err;
      }
    },
  });
  // Explicit: real AWS gives a new trail this selector anyway; emulators give it none.
  actions.push(selectorsAction(TRAIL_NAME, arn, home, { kind: 'basic', selectors: [{ ...ALL_MANAGEMENT }], note: 'no data events' }));
  actions.push(startAction(TRAIL_NAME, home));
  return actions;
}

/**
 * Other trails that already record management events, when the fix starts another copy (a new
 * trail, or one that records none yet): only the first copy in a region is free.
 */
function secondCopy(list: readonly TrailState[], kept: TrailState | undefined): TrailState[] {
  const records = (t: TrailState) => t.logging && managementEvents(t) !== 'none';
  if (kept && records(kept)) return [];
  return list.filter((t) => t !== kept && records(t));
}

async function plan(ctx: StepContext): Promise<Plan> {
  const list = await trails(ctx);
  if (list.some(isGoodTrail)) return { actions: [] };
  const target = ctx.target;
  const own = list.filter((t) => isOwn(t, target));
  const warnings: string[] = [];
  const foreign = list.filter((t) => !isOwn(t, target));
  if (foreign.length)
    warnings.push(
      `${joinAnd(foreign.map((t) => capital(label(t, target))))} cannot be changed from this account; ask the organization's management account ` +
        `to fix ${foreign.length === 1 ? 'it' : 'them'}. This plan works on a trail of this account instead.`,
    );
  const best = bestMultiRegionTrail(own);
  const ours = best ? undefined : own.find((t) => t.name === TRAIL_NAME);
  const actions = best ? reuse(best, warnings) : ours ? widen(ours, warnings) : await create(ctx);
  const copies = secondCopy(list, best ?? ours);
  if (!actions.length) return { actions, ...(warnings.length ? { warnings } : {}) };
  if (copies.length) {
    const which = joinAnd(copies.map((t) => `${t.name} (${t.homeRegion})`));
    warnings.push(
      `Trail${copies.length === 1 ? '' : 's'} ${which} already record${copies.length === 1 ? 's' : ''} management events. Only the first copy in each region is free: ` +
        'after this fix, the second costs $2.00 per 100,000 events. Delete or stop a trail you no longer need to avoid paying twice.',
    );
    return {
      actions,
      warnings,
      cost: {
        scale: 'dollars',
        detail:
          `A second copy of management events (beside ${which}) costs $2.00 per 100,000 events, plus cents of S3 storage; ` +
          'an account with a few people working in it records tens to hundreds of thousands of events a month.',
      },
    };
  }
  return { actions, ...(warnings.length ? { warnings } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Seed

/**
 * day-one: someone began a trail by hand (the CLI's default: one region only), to a bucket of its
 * own with the policy CloudTrail needs, and never started logging. Tolerates an emulator that has it.
 */
async function seed(ctx: StepContext): Promise<void> {
  sandboxOnly(ctx);
  const home = ctx.target.homeRegion;
  const Bucket = dayOneTrailBucket(ctx.target.accountId);
  const s3 = ctx.client(S3Client, home);
  try {
    await s3.send(new CreateBucketCommand({ Bucket, ...(home === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: home as BucketLocationConstraint } }) }));
  } catch (err) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(errorCode(err))) throw err;
  }
  const arn = trailArn(ctx.target, DAY_ONE_TRAIL);
  const Statement = deliveryStatements({ service: 'cloudtrail', trailArn: arn }, `arn:${ctx.target.partition}:s3:::${Bucket}`, ctx.target);
  await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement }, null, 2) }));
  const client = ct(ctx, home);
  const existing = (await client.send(new DescribeTrailsCommand({ trailNameList: [DAY_ONE_TRAIL], includeShadowTrails: false }))).trailList ?? [];
  if (!existing.some((t) => t.Name === DAY_ONE_TRAIL)) await client.send(new CreateTrailCommand({ Name: DAY_ONE_TRAIL, S3BucketName: Bucket }));
}

/** Selectors as comparable values: the fields that say what is recorded, empty lists dropped. */
function selectorsOf(x: { EventSelectors?: EventSelector[]; AdvancedEventSelectors?: AdvancedEventSelector[] }): unknown {
  const clean = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(clean)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).filter(([, y]) => y !== undefined && !(Array.isArray(y) && y.length === 0)).map(([k, y]) => [k, clean(y)]))
        : v;
  return clean({ basic: x.EventSelectors ?? [], advanced: x.AdvancedEventSelectors ?? [] });
}

/**
 * Undo, change by change: the logging bucket (../_shared/logging-bucket.ts); the trail the fix
 * made is deleted (by name: moto takes no ARN) only while it is as the fix left it, delivering to
 * the logging bucket, in every region, validating, and with no CloudWatch Logs delivery added since;
 * logging is stopped, validation, region scope and selectors put back while they are as the fix set them.
 */
async function undo(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const bucketVerdict = await undoLoggingBucket(ctx, entry, 'cloudtrail');
  if (bucketVerdict) return bucketVerdict;
  const p = entry.params as Record<string, unknown>;
  const ref = String(p.Name ?? p.TrailName ?? '');
  const list = await trails(ctx);
  const t = list.find((x) => isOwn(x, ctx.target) && (x.arn === ref || x.name === ref || (entry.operation === 'CreateTrail' && x.name === p.Name)));
  if (!t) return nothingToUndo(`Trail ${ref} no longer exists.`);
  switch (entry.operation) {
    case 'CreateTrail': {
      const now = { bucket: t.bucket ?? null, multiRegion: t.multiRegion, validation: t.validation, cloudWatchLogs: t.logGroupArn ?? null };
      const wrote = { bucket: p.S3BucketName, multiRegion: true, validation: true, cloudWatchLogs: null };
      // monitoring.alerts wires the trail to its log group: its undo (the newer change) removes that first.
      if (t.logGroupArn?.includes(':log-group:/secure-start/') && sameJson({ ...now, cloudWatchLogs: null }, wrote))
        return { kind: 'drifted', reason: `Trail ${t.name} delivers to CloudWatch Logs for monitoring.alerts, a newer change: undo that first (an undo of both does it, newest first), then run undo again to delete the trail.` };
      if (!sameJson(now, wrote)) return drifted(`Trail ${t.name}`, { now, wrote });
      const params = { Name: t.name };
      const region = t.homeRegion;
      return undoWith({
        service: 'cloudtrail',
        operation: 'DeleteTrail',
        region,
        params,
        summary: `Delete the trail ${t.name} (the log files it delivered stay in ${t.bucket ?? 'its bucket'})`,
        async run(c) {
          await ct(c, region).send(new DeleteTrailCommand(params));
        },
      });
    }
    case 'StartLogging':
      if (!t.logging) return nothingToUndo(`Trail ${t.name} is not logging, as before the fix.`);
      return undoWith(recordedInverse(entry));
    case 'UpdateTrail': {
      const now = { ...('IsMultiRegionTrail' in p ? { IsMultiRegionTrail: t.multiRegion } : {}), ...('EnableLogFileValidation' in p ? { EnableLogFileValidation: t.validation } : {}) };
      const wrote = { ...('IsMultiRegionTrail' in p ? { IsMultiRegionTrail: p.IsMultiRegionTrail } : {}), ...('EnableLogFileValidation' in p ? { EnableLogFileValidation: p.EnableLogFileValidation } : {}) };
      if (!sameJson(now, wrote)) return drifted(`Trail ${t.name}`, { now, wrote });
      return undoWith(recordedInverse(entry));
    }
    case 'PutEventSelectors': {
      const now = selectorsOf({ EventSelectors: t.eventSelectors, AdvancedEventSelectors: t.advancedEventSelectors });
      if (!sameJson(now, selectorsOf(p as { EventSelectors?: EventSelector[] }))) return drifted(`The event selectors of trail ${t.name}`);
      if (entry.inverse) return undoWith(recordedInverse(entry));
      if ((entry.output as { newTrail?: boolean } | undefined)?.newTrail) return nothingToUndo(`The selectors of trail ${t.name}, made by this fix, go with the trail when its creation is undone.`);
      return irreversible(`Trail ${t.name} had no event selectors before the fix, and CloudTrail cannot be set back to none.`);
    }
    default:
      return nothingToUndo(`${entry.operation} is not a change this step makes.`);
  }
}

const step: Step = {
  meta,
  check,
  undo,
  plan: (ctx) => plan(ctx),
  seed,
};

export default step;
