/**
 * The account's CloudTrail trails as the monitoring steps need them, read once per run and shared
 * (monitoring.cloudtrail judges them; monitoring.alerts needs the trail that delivers to CloudWatch
 * Logs). Read-only: DescribeTrails (with shadow trails, so multi-region trails made in another
 * region are seen), then GetTrailStatus and GetEventSelectors for each trail, in its home region.
 */
import type { EventSelector, AdvancedEventSelector, Trail } from '@aws-sdk/client-cloudtrail';
import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import type { StepContext, Target } from '../../../src/engine/step-kit.js';
import { mapLimit } from '../../../src/engine/step-kit.js';

/** The trail the fix makes when there is none to reuse. */
export const TRAIL_NAME = 'secure-start-trail';

export function trailArn(target: Pick<Target, 'partition' | 'homeRegion' | 'accountId'>, name = TRAIL_NAME): string {
  return `arn:${target.partition}:cloudtrail:${target.homeRegion}:${target.accountId}:trail/${name}`;
}

export interface TrailState {
  name: string;
  arn: string;
  homeRegion: string;
  multiRegion: boolean;
  organization: boolean;
  logging: boolean;
  validation: boolean;
  bucket?: string;
  /** `arn:…:log-group:NAME:*` when the trail also delivers to CloudWatch Logs. */
  logGroupArn?: string;
  logRoleArn?: string;
  eventSelectors: EventSelector[];
  advancedEventSelectors: AdvancedEventSelector[];
}

/**
 * Whether the selectors log management events, both reads and writes. Basic selectors: one with
 * IncludeManagementEvents (default true when absent) and ReadWriteType All (or one for ReadOnly and
 * one for WriteOnly). Advanced: a selector on eventCategory = Management without a readOnly filter,
 * or with both. No selector at all logs nothing (real AWS always returns one; emulators may not).
 */
export function managementEvents(t: Pick<TrailState, 'eventSelectors' | 'advancedEventSelectors'>): 'all' | 'read-only' | 'write-only' | 'none' {
  let read = false;
  let write = false;
  for (const s of t.eventSelectors) {
    if (s.IncludeManagementEvents === false) continue;
    const rw = s.ReadWriteType ?? 'All';
    if (rw === 'All' || rw === 'ReadOnly') read = true;
    if (rw === 'All' || rw === 'WriteOnly') write = true;
  }
  for (const s of t.advancedEventSelectors) {
    const fields = s.FieldSelectors ?? [];
    const category = fields.find((f) => f.Field === 'eventCategory');
    if (!category?.Equals?.includes('Management')) continue;
    // Any other narrowing (an eventSource excluded, say) still logs management events; only readOnly splits them.
    const ro = fields.find((f) => f.Field === 'readOnly');
    // readOnly Equals ["true"] or NotEquals ["false"]: reads only; and the reverse for writes.
    const not = ro?.NotEquals?.length === 1 ? (ro.NotEquals[0] === 'true' ? 'false' : ro.NotEquals[0] === 'false' ? 'true' : undefined) : undefined;
    const only = ro?.Equals?.length === 1 ? ro.Equals[0] : not;
    if (only === 'true') read = true;
    else if (only === 'false') write = true;
    else {
      read = true;
      write = true;
    }
  }
  return read && write ? 'all' : read ? 'read-only' : write ? 'write-only' : 'none';
}

async function loadTrails(ctx: StepContext): Promise<TrailState[]> {
  const home = ctx.target.homeRegion;
  const list: Trail[] = (await ctx.client(CloudTrailClient, home).send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  const trails = list.filter((t) => t.TrailARN && t.Name);
  trails.sort((a, b) => a.TrailARN!.localeCompare(b.TrailARN!));
  return mapLimit(trails, 8, async (t): Promise<TrailState> => {
    const region = t.HomeRegion ?? home;
    const ct = ctx.client(CloudTrailClient, region);
    const [status, selectors] = await Promise.all([
      ct.send(new GetTrailStatusCommand({ Name: t.TrailARN })),
      ct.send(new GetEventSelectorsCommand({ TrailName: t.TrailARN })),
    ]);
    return {
      name: t.Name!,
      arn: t.TrailARN!,
      homeRegion: region,
      multiRegion: Boolean(t.IsMultiRegionTrail),
      organization: Boolean(t.IsOrganizationTrail),
      logging: Boolean(status.IsLogging),
      validation: Boolean(t.LogFileValidationEnabled),
      ...(t.S3BucketName ? { bucket: t.S3BucketName } : {}),
      ...(t.CloudWatchLogsLogGroupArn ? { logGroupArn: t.CloudWatchLogsLogGroupArn } : {}),
      ...(t.CloudWatchLogsRoleArn ? { logRoleArn: t.CloudWatchLogsRoleArn } : {}),
      eventSelectors: selectors.EventSelectors ?? [],
      advancedEventSelectors: selectors.AdvancedEventSelectors ?? [],
    };
  });
}

/** Every trail the home region sees (its own and other regions' multi-region trails), once per run. */
export function trails(ctx: StepContext): Promise<TrailState[]> {
  return ctx.shared('cloudtrail:trails', () => loadTrails(ctx));
}

/** A trail that passes monitoring.cloudtrail: multi-region, logging, validating, with every management event. */
export function isGoodTrail(t: TrailState): boolean {
  return t.multiRegion && t.logging && t.validation && managementEvents(t) === 'all';
}

/**
 * The multi-region trail to build on: a passing one first, then one that logs, then one with
 * validation, then by ARN. Undefined when the account has no multi-region trail.
 */
export function bestMultiRegionTrail(list: readonly TrailState[]): TrailState | undefined {
  const score = (t: TrailState) => (isGoodTrail(t) ? 8 : 0) + (t.logging ? 4 : 0) + (managementEvents(t) === 'all' ? 2 : 0) + (t.validation ? 1 : 0);
  return [...list].filter((t) => t.multiRegion).sort((a, b) => score(b) - score(a) || a.arn.localeCompare(b.arn))[0];
}
