/**
 * The progress file (ARCHITECTURE.md, "The progress file"): what a run has done to one account,
 * so that the next run can resume. Validated on every load; never holds secrets.
 */
import { z } from 'zod';
import { COST_SCALES, STATUSES } from '../engine/types.js';

/** The version this build writes and reads. A file with a greater one is refused, never rewritten. */
export const SCHEMA_VERSION = 1;

/** A step's recorded status: the report statuses, plus `fixed` once a fix was applied and re-checked. */
export const STEP_STATUSES = [...STATUSES, 'fixed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * Statuses after which the wizard moves on when resuming: done, accepted as is, or not available
 * on this endpoint (an emulator that lacks an API will not grow it between two runs).
 */
export const FINISHED_STATUSES: readonly StepStatus[] = ['pass', 'fixed', 'skipped', 'unsupported'];

const isoTime = z.iso.datetime({ offset: true });
const plainRecord = z.record(z.string(), z.unknown());

export const accountIdSchema = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');

/** A step taken as a challenge (`--challenge`): hints revealed and time spent, kept across runs and status changes. */
export const challengeSchema = z.object({
  /** Hint levels revealed: 1 service and operation, 2 its parameters, 3 the whole plan. */
  hints: z.number().int().min(0).max(3),
  /** Time spent on the step in the wizard, summed over visits and runs, in milliseconds. */
  timeMs: z.number().int().nonnegative(),
  /** When the current visit began (the wizard is on this step now); absent between visits. */
  since: isoTime.optional(),
  /** When the check first passed after the learner's own change. */
  solvedAt: isoTime.optional(),
});
export type ChallengeRecord = z.infer<typeof challengeSchema>;

export const stepRecordSchema = z.object({
  status: z.enum(STEP_STATUSES),
  at: isoTime,
  /** Why the person accepted the step as is (status skipped), or other short context. */
  reason: z.string().optional(),
  /** The non-secret inputs given to the step's fix. */
  inputs: plainRecord.optional(),
  message: z.string().optional(),
  /** What the applied fix adds to the monthly bill, as named before its confirmation (status fixed). */
  cost: z.object({ scale: z.enum(COST_SCALES), detail: z.string() }).optional(),
  /** The step as a challenge (`--challenge`): the learner fixes it by hand; kept across runs and status changes. */
  challenge: challengeSchema.optional(),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

const operationSchema = z.object({
  service: z.string().min(1),
  operation: z.string().min(1),
  /** `global` or a region name. */
  region: z.string().min(1),
  params: plainRecord,
});

export const inverseSchema = operationSchema.extend({ summary: z.string() });
export type JournalInverse = z.infer<typeof inverseSchema>;

/** One applied plan action. */
export const journalEntrySchema = operationSchema.extend({
  step: z.string().min(1),
  result: z.enum(['ok', 'failed']),
  error: z.string().optional(),
  output: plainRecord.optional(),
  at: isoTime,
  inverse: inverseSchema.optional(),
  /** This entry undid the applied entry at that position of the journal (`secure-start undo`). */
  undoes: z.number().int().nonnegative().optional(),
  /** With `undoes`: one action of an undo that does not complete it by itself (more follow, or some were left out). */
  undoPart: z.boolean().optional(),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;

export const progressTargetSchema = z.object({
  accountId: accountIdSchema,
  sandbox: z.boolean(),
  /** The regions chosen for regional steps (account.regions). */
  regions: z.array(z.string().min(1)).optional(),
});
export type ProgressTarget = z.infer<typeof progressTargetSchema>;

export const progressSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  target: progressTargetSchema,
  createdAt: isoTime,
  updatedAt: isoTime,
  steps: z.record(z.string().min(1), stepRecordSchema),
  journal: z.array(journalEntrySchema),
  /** Areas whose overview the wizard has offered (read or declined): not offered again. Optional: older files lack it. */
  overviewsSeen: z.array(z.string().min(1)).optional(),
});
export type ProgressData = z.infer<typeof progressSchema>;

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
