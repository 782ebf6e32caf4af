/**
 * resources.backups: the databases keep at least 7 days of automated backups (FSBP RDS.11), and an
 * AWS Backup plan backs each of them up (a selection names it by ARN, pattern or tag).
 *
 * The check is in ./check.ts (reads, per-database findings), the selection matching in ./coverage.ts
 * (pure), the fix in ./plan.ts: retention to 7 days; a role for AWS Backup, a vault, a daily plan kept
 * 35 days and a selection of everything tagged `backup=secure-start` (or the tag the person picks),
 * and that tag on each database no plan covers. moto does not implement backup selections: coverage
 * is then `unsupported`, and the fix stops at the selection (the engine reports it unsupported).
 */
import { z } from 'zod';
import type { Finding, Plan, Step, StepInputs } from '../../../src/engine/step-kit.js';
import { formatZodError, mapLimit, zodCheck } from '../../../src/engine/step-kit.js';
import type { Validator } from '../../../src/engine/step-kit.js';
import { REGION_CONCURRENCY, databases, noDatabases, rdsRegionFailure, seedDayOneDatabase } from '../_shared/rds.js';
import type { CoverageData, RetentionData } from './check.js';
import { regionFindings, unitsOf } from './check.js';
import { buildPlan } from './plan.js';
import { undoChange } from './undo.js';
import meta from './meta.js';

export { KEEP_DAYS, MIN_RETENTION, PLAN, VAULT, coverageFindings, readBackup, retentionFindings, ruleOf } from './check.js';
export { MANAGED_POLICIES, ROLE, TRUST_POLICY, planDocument, selectionDocument, selectionName } from './plan.js';

/** The tag the selection backs up by default. */
export const TAG = { key: 'backup', value: 'secure-start' };

const TAG_TEXT = /^[\p{L}\p{N}\s_.:/=+\-@]*$/u;

/** A tag key RDS and AWS Backup both accept: 1–128 characters, not starting with `aws:` or `rds:`. */
export const validTagKey: Validator = (value) => {
  const v = value.trim();
  if (!v) return 'Enter a tag key, for example backup.';
  if (v.length > 128) return `A tag key can have at most 128 characters (this one has ${v.length}).`;
  if (/^(aws|rds):/i.test(v)) return 'A tag key cannot start with "aws:" or "rds:": those are reserved for AWS.';
  if (!TAG_TEXT.test(v)) return 'A tag key may contain only letters, digits, spaces and _ . : / = + - @.';
  return true;
};

/** A tag value: 1–256 characters (an empty value would select every database without a value). */
export const validTagValue: Validator = (value) => {
  const v = value.trim();
  if (!v) return 'Enter a tag value, for example secure-start.';
  if (v.length > 256) return `A tag value can have at most 256 characters (this one has ${v.length}).`;
  if (!TAG_TEXT.test(v)) return 'A tag value may contain only letters, digits, spaces and _ . : / = + - @.';
  return true;
};

const inputsSchema = z.strictObject({
  tagKey: zodCheck(validTagKey).default(TAG.key),
  tagValue: zodCheck(validTagValue).default(TAG.value),
});
export type BackupsInputs = z.infer<typeof inputsSchema>;

function parseInputs(given: unknown): BackupsInputs {
  const parsed = inputsSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

const dataOf = <T>(findings: Finding[], kind: string): T[] =>
  findings.filter((f) => f.status === 'fail' && (f.data as { kind?: string } | undefined)?.kind === kind).map((f) => f.data as unknown as T);
const uncoveredOf = (findings: Finding[]) => dataOf<CoverageData>(findings, 'coverage');

const inputs: StepInputs<BackupsInputs> = {
  schema: inputsSchema,
  requiredInAnswers: false,
  defaults: () => ({ tagKey: TAG.key, tagValue: TAG.value }),

  async ask(asker, initial, findings) {
    const dbs = uncoveredOf(findings);
    if (!dbs.length) return initial;
    asker.note(
      `AWS Backup will back up every resource in ${[...new Set(dbs.map((d) => d.region))].join(', ')} that carries one tag, and the fix puts that tag on ` +
        `${dbs.length === 1 ? dbs[0]!.label : `the ${dbs.length} databases no plan covers`}. Tag anything else later to have it backed up too.`,
    );
    const tagKey = await asker.text({ message: 'Tag key', default: initial.tagKey, validate: validTagKey, required: true });
    const tagValue = await asker.text({ message: `Value of ${tagKey.trim()}`, default: initial.tagValue, validate: validTagValue, required: true });
    return { tagKey: tagKey.trim(), tagValue: tagValue.trim() };
  },
};

const step: Step<BackupsInputs> = {
  meta,
  inputs,

  async check(ctx) {
    const regions = await ctx.regions();
    const perRegion = await mapLimit(regions, REGION_CONCURRENCY, async (region) => {
      let units;
      try {
        units = unitsOf(await databases(ctx, region));
      } catch (err) {
        return [rdsRegionFailure(ctx, region, err)];
      }
      const found = await regionFindings(ctx, region, units);
      return found.length ? found : [noDatabases(ctx, region, 'nothing to back up')];
    });
    return perRegion.flat();
  },

  async plan(ctx, findings, given): Promise<Plan> {
    const { tagKey, tagValue } = parseInputs(given);
    return buildPlan(ctx, dataOf<RetentionData>(findings, 'instance').concat(dataOf<RetentionData>(findings, 'cluster')), uncoveredOf(findings), { key: tagKey, value: tagValue });
  },

  /** day-one scenario: the shared day-one database, with one day of backups and no backup plan (../_shared/rds.ts). */
  seed: seedDayOneDatabase,

  undo: undoChange,
};

export default step;
