/**
 * year-one scenario: the shop's website, served straight from a bucket whose policy lets anyone
 * read it. It must stay public: Block Public Access goes on for the other buckets only, and the
 * account-wide block waits until someone decides about this one (or moves it behind CloudFront).
 */
import type { StepContext } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import { makeBucket } from '../_shared/bucket-fixtures.js';

export const YEAR_ONE_WEBSITE = 'year-one-shop-website';

export async function seedYearOne(ctx: StepContext): Promise<void> {
  sandboxOnly(ctx);
  await makeBucket(ctx, {
    name: YEAR_ONE_WEBSITE,
    website: true,
    policy: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'PublicWebsite', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${YEAR_ONE_WEBSITE}/*` }],
    },
  });
}
