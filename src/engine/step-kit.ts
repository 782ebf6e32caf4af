/**
 * The step kit: everything a step may take from the engine, in one module.
 *
 * Steps (steps/<area>/<name>/) import from here, from src/aws, from their own area's `_shared`
 * and from libraries; nothing else (eslint.config.js enforces it). This module and what it
 * imports never import the registry (steps/index.ts), so the dependencies run one way:
 * cli → wizard → engine → steps → step kit → aws.
 */
export type * from './types.js';
export { AREAS, COST_SCALES, REDACTED, SEVERITIES, STATUSES } from './types.js';
export { mapLimit } from './concurrency.js';
export { formatZodError } from './zod-error.js';
export { eachRegion, regionFailure, regionFailureStatus, type RegionFailureContext } from './regional.js';
export { UserError } from './errors.js';
export { cliCommand, invokedAs } from './invocation.js';
export { plural } from './wrap.js';
export { describeError, errorCode, errorKind, httpStatus, type ErrorKind } from '../aws/errors.js';
export { sandboxOnly } from './fixtures.js';
export * from './validate.js';
export { canonical, drifted, irreversible, nothingToUndo, recordedInverse, sameJson, undoWith } from './undo-kit.js';
