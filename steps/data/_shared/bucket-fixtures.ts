/**
 * Bucket fixtures for the S3 steps' seeds (the day-one scenario) and their sandbox tests: each
 * step seeds its own problem, and the scenario as a whole holds them all once. Sandbox only.
 */
import {
  CreateBucketCommand,
  DeletePublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketWebsiteCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { BucketCannedACL, BucketLocationConstraint } from '@aws-sdk/client-s3';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { errorCode } from '../../../src/engine/step-kit.js';
import type { BlockConfig } from './publicness.js';
import { blockFrom } from './publicness.js';

/** A static website whose files anyone may read through a public-read ACL. */
export const WEBSITE_BUCKET = 'day-one-website';
/** A bucket shared with "everyone" through its policy, as a quick way to hand out download links. */
export const SHARED_BUCKET = 'day-one-shared-files';
/** An application's data: private, with a policy for the account, but no rule against plain HTTP. */
export const APP_DATA_BUCKET = 'day-one-app-data';

/** The account moto answers for when no role is assumed: the single-learner sandbox. */
const EMULATOR_DEFAULT_ACCOUNT = '123456789012';

/**
 * A fixture bucket's name in this account. Bucket names are global, in the emulator too: in a class
 * (one account per learner in one emulator) each learner's account gets its own copy, named with
 * the account id; the emulator's default account keeps the plain name.
 */
export function fixtureBucket(ctx: Pick<StepContext, 'target'>, base: string): string {
  return ctx.target.accountId === EMULATOR_DEFAULT_ACCOUNT ? base : `${base}-${ctx.target.accountId}`;
}


export interface BucketFixture {
  name: string;
  /** Default: the home region. */
  region?: string;
  /** A canned ACL, set after allowing ACLs through object ownership (as buckets made since April 2023 need). */
  acl?: BucketCannedACL;
  /** The policy: text is stored as given (even when it is not JSON), anything else as indented JSON. */
  policy?: string | object;
  /** The bucket's own Block Public Access; missing settings are off. Default: none. */
  block?: Partial<BlockConfig>;
  /** Set it up as a static website (index.html, error.html). */
  website?: boolean;
}

/**
 * Makes the bucket if it does not exist yet, with no Block Public Access of its own unless asked
 * (as buckets made before April 2023 are, and as the day-one story needs), then its ACL, policy,
 * block and website configuration, in the order S3 accepts them. Returns its regional client.
 */
export async function makeBucket(ctx: StepContext, f: BucketFixture): Promise<S3Client> {
  const region = f.region ?? ctx.target.homeRegion;
  const s3 = ctx.client(S3Client, region);
  const Bucket = f.name;
  try {
    await s3.send(
      new CreateBucketCommand({ Bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }) }),
    );
  } catch (err) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(errorCode(err))) throw err;
  }
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
  if (f.acl) {
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
    await s3.send(new PutBucketAclCommand({ Bucket, ACL: f.acl }));
  }
  if (f.policy !== undefined) {
    const Policy = typeof f.policy === 'string' ? f.policy : JSON.stringify(f.policy, null, 2);
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy }));
  }
  if (f.website)
    await s3.send(
      new PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'error.html' } } }),
    );
  if (f.block) await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: blockFrom(f.block)! }));
  return s3;
}
