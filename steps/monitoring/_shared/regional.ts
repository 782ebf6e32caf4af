/**
 * A region that cannot be read becomes one finding for that region, so the other regions of the
 * run still report: `unsupported` when the service is not offered there (or the endpoint lacks the
 * API), `error` otherwise (access denied, throttled, a region not enabled for the account).
 * Used by the regional steps of the monitoring area.
 */
import { describeError, errorCode, errorKind } from '../../../src/aws/errors.js';
import type { Finding } from '../../../src/engine/types.js';

/** Codes AWS answers in a region that is not enabled for the account (opt-in regions). */
const NOT_ENABLED = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'AuthFailure', 'OptInRequired']);

export function regionFailure(err: unknown, o: { region: string; resource: string; service: string; permissions: string[] }): Finding {
  const kind = errorKind(err);
  // A mutation refused during a check is a bug in the step, not a property of the region.
  if (kind === 'blocked') throw err;
  const why = describeError(err, { permissions: o.permissions });
  const optIn = NOT_ENABLED.has(errorCode(err))
    ? ` If ${o.region} is an opt-in region that is not enabled for this account, enable it (account.regions) or leave it out of the run's regions.`
    : '';
  if (kind === 'unsupported' || kind === 'network')
    return {
      status: 'unsupported',
      resource: o.resource,
      region: o.region,
      message: `${o.service} could not be reached in ${o.region}: it may not be offered there, or the endpoint does not implement it. ${why}`,
    };
  return { status: 'error', resource: o.resource, region: o.region, message: `${o.region} could not be checked: ${why}${optIn}` };
}
