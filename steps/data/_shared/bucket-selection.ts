/**
 * Which buckets a per-bucket fix may touch: `"all"` or a list of names (answers file
 * `{ "buckets": "all" | ["name", …] }`). `"all"` never covers a bucket whose fix could take
 * something down that the public relies on (a public bucket, a website): such a bucket is changed
 * only when named, so `fix --yes` never closes one silently.
 */
import { z } from 'zod';
import type { Asker } from '../../../src/engine/step-kit.js';

export type Selection = 'all' | string[];

/** Bucket names as S3 has allowed them over the years (old us-east-1 names may hold capitals and underscores). */
export const bucketNameSchema = z
  .string()
  .trim()
  .min(3, 'a bucket name has at least 3 characters')
  .max(255, 'a bucket name has at most 255 characters')
  .regex(/^[A-Za-z0-9._-]+$/, 'a bucket name holds only letters, digits, dots, dashes and underscores');

export const selectionSchema = z.union([z.literal('all'), z.array(bucketNameSchema)], {
  error: 'use "all" or a list of bucket names',
});

export const bucketsInputSchema = z.strictObject({ buckets: selectionSchema.default('all') });
export interface BucketsInput {
  buckets: Selection;
}

/** Whether the selection lets the fix touch this bucket; `sensitive` buckets only by name. */
export function selects(selection: Selection, name: string, sensitive: boolean): boolean {
  if (selection === 'all') return !sensitive;
  return selection.includes(name);
}

export interface Candidate {
  name: string;
  region: string;
}

/**
 * One confirmation per sensitive bucket (default No unless the answers already name it), then one
 * for all the others together (default Yes). Returns `"all"` when that says exactly what was chosen.
 */
export async function askSelection(
  asker: Asker,
  opts: {
    initial: Selection;
    sensitive: (Candidate & { question: string })[];
    others: Candidate[];
    othersQuestion: (names: string) => string;
  },
): Promise<Selection> {
  const named = (n: string) => opts.initial !== 'all' && opts.initial.includes(n);
  const chosen: string[] = [];
  for (const b of opts.sensitive) if (await asker.confirm({ message: b.question, default: named(b.name) })) chosen.push(b.name);
  let others = false;
  if (opts.others.length) {
    const shown = opts.others.slice(0, 5).map((b) => `${b.name} (${b.region})`);
    const names = opts.others.length > 5 ? `${shown.join(', ')} and ${opts.others.length - 5} more` : shown.join(', ');
    others = await asker.confirm({
      message: opts.othersQuestion(names),
      default: opts.initial === 'all' || opts.others.every((b) => named(b.name)),
    });
  }
  if (others && !chosen.length) return 'all';
  return [...chosen, ...(others ? opts.others.map((b) => b.name) : [])];
}
