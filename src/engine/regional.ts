/**
 * One rule for a region a regional step could not read (ARCHITECTURE.md, "The report"): the
 * failure becomes one finding for that region, and the other regions of the run still report.
 *
 * - `unsupported` only on the endpoint's own word: the service answers that it does not offer or
 *   implement the API (NotImplemented, UnknownOperation, an emulator's "not implemented"), or the
 *   step knows from the service's endpoint list that the region lacks it (`offered`).
 * - `error` for everything else: a network failure (reset, DNS, timeout), throttling that outlasts
 *   the retries, a 5xx, access denied, refused credentials, a region not enabled for the account.
 *   A security check that could not look must never read as "not offered there".
 *
 * Part of the step kit: steps import it; it imports nothing from steps/.
 */
import { describeError, errorCode, errorKind } from '../aws/errors.js';
import { mapLimit } from './concurrency.js';
import type { Finding } from './types.js';

/** Codes AWS answers in a region that is not enabled for the account (opt-in regions). */
const NOT_ENABLED = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'AuthFailure', 'OptInRequired']);

export interface RegionFailureContext {
  region: string;
  /** The resource the finding is about (an ARN with `*` where the failure hides which). */
  resource: string;
  /** The service as a person names it: "GuardDuty", "AWS Config". */
  service: string;
  /** The IAM actions the step's read needs in that region, named when access is denied. */
  permissions: string[];
  /** The regions the service is offered in, from its endpoint list, when the step knows them. */
  offered?: readonly string[];
}

/** The status a failed read of one region gets: `unsupported` only when the endpoint says so. */
export function regionFailureStatus(err: unknown, o: Pick<RegionFailureContext, 'region' | 'offered'> = { region: '' }): 'error' | 'unsupported' {
  if (o.offered && !o.offered.includes(o.region)) return 'unsupported';
  if (NOT_ENABLED.has(errorCode(err))) return 'error';
  return errorKind(err) === 'unsupported' ? 'unsupported' : 'error';
}

/**
 * The finding for a region that could not be read. A mutation refused during a check is a bug in
 * the step, not a property of the region: it is thrown on.
 */
export function regionFailure(err: unknown, o: RegionFailureContext): Finding {
  if (errorKind(err) === 'blocked') throw err;
  const base = { resource: o.resource, region: o.region };
  if (o.offered && !o.offered.includes(o.region))
    return { ...base, status: 'unsupported', message: `${o.service} is not offered in ${o.region} (it is not in the service's list of regions), so there is nothing to check there.` };
  const why = describeError(err, { permissions: o.permissions });
  if (regionFailureStatus(err, o) === 'unsupported')
    return { ...base, status: 'unsupported', message: `${o.service} in ${o.region} could not be checked here. ${why}` };
  const optIn = NOT_ENABLED.has(errorCode(err))
    ? ` If ${o.region} is an opt-in region that is not enabled for this account, enable it (account.regions) or leave it out of the run's regions.`
    : '';
  return { ...base, status: 'error', message: `${o.service} in ${o.region} could not be read: ${why}${optIn}` };
}

/**
 * The check of a regional step, region by region: `read(region)` gives that region's findings,
 * with at most `concurrency` regions at a time; a region whose read throws becomes the one finding
 * `regionFailure` makes from `failure(region)`, and the other regions still report. Findings come
 * back in the order of the run's regions.
 */
export async function eachRegion(
  ctx: { regions(): Promise<string[]> },
  read: (region: string) => Promise<Finding[]>,
  failure: (region: string) => Omit<RegionFailureContext, 'region'>,
  concurrency = 8,
): Promise<Finding[]> {
  const regions = await ctx.regions();
  const perRegion = await mapLimit(regions, concurrency, async (region) => {
    try {
      return await read(region);
    } catch (err) {
      return [regionFailure(err, { region, ...failure(region) })];
    }
  });
  return perRegion.flat();
}
