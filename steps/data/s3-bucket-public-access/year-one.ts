/**
 * year-one scenario: the shop's website, served straight from a bucket whose policy lets anyone
 * read it. It must stay public: Block Public Access goes on for the other buckets only, and the
 * account-wide block waits until someone decides about this one (or moves it behind CloudFront).
 * Beside it, the invoices bucket: private, without a block of its own, which the default plan closes.
 */
import type { StepContext } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import { fixtureBucket, makeBucket } from '../_shared/bucket-fixtures.js';

export const YEAR_ONE_WEBSITE = 'year-one-shop-website';
/** The shop's invoices: private, but with no Block Public Access of its own, so one bad policy away from public. */
export const YEAR_ONE_PRIVATE = 'year-one-shop-invoices';

export async function seedYearOne(ctx: StepContext): Promise<void> {
  sandboxOnly(ctx);
  // In a class, each learner's account gets its own (bucket names are global, in moto too).
  const website = fixtureBucket(ctx, YEAR_ONE_WEBSITE);
  await makeBucket(ctx, { name: fixtureBucket(ctx, YEAR_ONE_PRIVATE) });
  await makeBucket(ctx, {
    name: website,
    website: true,
    policy: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'PublicWebsite', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${website}/*` }],
    },
  });
}
