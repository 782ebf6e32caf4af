export {
  SCHEMA_VERSION,
  STEP_STATUSES,
  FINISHED_STATUSES,
  progressSchema,
  stepRecordSchema,
  challengeSchema,
  type ChallengeRecord,
  journalEntrySchema,
  type DeepReadonly,
  type JournalEntry,
  type JournalInverse,
  type ProgressData,
  type ProgressTarget,
  type StepRecord,
  type StepStatus,
} from './schema.js';
export { redactSecrets, redactString, isSecretKey } from './redact.js';
export {
  ProgressStore,
  ProgressError,
  defaultProgressPath,
  firstUnfinished,
  readProgress,
  TOOL_NAME,
  type ActionRecord,
  type OpenOptions,
  type ProgressErrorKind,
  type ProgressTargetRef,
  type StepUpdate,
} from './store.js';
export { progressTrustWarnings, type TrustOptions } from './trust.js';
