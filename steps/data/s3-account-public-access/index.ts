/**
 * data.s3-account-public-access: S3 Block Public Access is on for the whole account, all four
 * settings (CIS 3.1.4, FSBP S3.1). One switch that keeps every bucket, today's and tomorrow's,
 * from being opened to the public by an ACL or a policy.
 *
 * Turning it on closes every bucket that is public today, so the check also works out which
 * buckets those are (from their ACLs and policies, ../_shared/publicness.ts) and the plan names
 * them. With any of them, the fix is destructive (the wizard's confirmation defaults to No) and
 * `fix --yes` applies it only when the answers file names each of them.
 */
import {
  DeletePublicAccessBlockCommand as DeleteAccountPublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { drifted, formatZodError, nothingToUndo, recordedInverse, sameJson, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import { FULL_BLOCK, describeBlock, isFullBlock } from '../_shared/publicness.js';
import { WEBSITE_BUCKET, fixtureBucket, makeBucket } from '../_shared/bucket-fixtures.js';
import { accountBlock, bucketAccess } from '../_shared/bucket-exposure.js';
import { bucketNameSchema } from '../_shared/bucket-selection.js';
import meta from './meta.js';

/** Inputs of the fix (answers file `data.s3-account-public-access`). */
export interface AccountPublicAccessInputs {
  /** Every bucket that is public today must be named here for the fix to go ahead. */
  publicBucketsToClose: string[];
}

const inputsSchema = z.strictObject({ publicBucketsToClose: z.array(bucketNameSchema).default([]) });

const blockSchema = z.object({
  BlockPublicAcls: z.boolean(),
  IgnorePublicAcls: z.boolean(),
  BlockPublicPolicy: z.boolean(),
  RestrictPublicBuckets: z.boolean(),
});
const bucketSchema = z.object({ name: z.string(), region: z.string(), why: z.string() });
/** What the check read: the account's block, and the buckets the fix would close. */
const dataSchema = z.object({ block: blockSchema.nullable(), publicBuckets: z.array(bucketSchema), uncertainBuckets: z.array(bucketSchema) });
type AccountData = z.infer<typeof dataSchema>;
type Exposed = z.infer<typeof bucketSchema>;

function foundData(findings: Finding[]): AccountData | undefined {
  const f = findings.find((x) => x.data && 'block' in x.data);
  return f ? dataSchema.parse(f.data) : undefined;
}

const where = (b: Exposed) => `${b.name} (${b.region})`;

function listed(buckets: Exposed[], max = 10): string {
  const shown = buckets.slice(0, max).map(where);
  return buckets.length > max ? `${shown.join(', ')} and ${buckets.length - max} more` : shown.join(', ');
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function accountResource(ctx: StepContext): string {
  return `arn:${ctx.target.partition}:s3::${ctx.target.accountId}:account`;
}

/** The buckets whose public access the account-wide block would end (public now, or perhaps public). */
async function exposedBuckets(ctx: StepContext): Promise<Pick<AccountData, 'publicBuckets' | 'uncertainBuckets'>> {
  const publicBuckets: Exposed[] = [];
  const uncertainBuckets: Exposed[] = [];
  for (const a of await bucketAccess(ctx)) {
    const { name, region } = a.bucket;
    if (a.exposure?.status === 'public') publicBuckets.push({ name, region, why: a.exposure.reasons.join('; and ') });
    else if (a.exposure?.status === 'unknown') uncertainBuckets.push({ name, region, why: a.exposure.unknown! });
    else if (!a.exposure) uncertainBuckets.push({ name, region, why: `it could not be read: ${a.unreadable!.message}` });
  }
  return { publicBuckets, uncertainBuckets };
}

function checkMessage(d: AccountData): string {
  const parts = [
    d.block
      ? `Block Public Access is only partly on for the account (${describeBlock(d.block)}): the settings that are off leave a way to make a bucket public.`
      : 'Block Public Access is not set for the account: any bucket can be opened to the public by its ACL or policy.',
  ];
  if (d.publicBuckets.length)
    parts.push(`${plural(d.publicBuckets.length, 'bucket is', 'buckets are')} public today and would stop being public when it is turned on: ${listed(d.publicBuckets)}.`);
  if (d.uncertainBuckets.length)
    parts.push(`Whether ${plural(d.uncertainBuckets.length, 'bucket is', 'buckets are')} public could not be told: ${listed(d.uncertainBuckets)}.`);
  if (!d.publicBuckets.length && !d.uncertainBuckets.length) parts.push('No bucket is public today, so turning it on closes nothing that works now.');
  return parts.join(' ');
}

function parseInputs(given: unknown): AccountPublicAccessInputs {
  const parsed = inputsSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

function closingWarnings(d: AccountData): string[] {
  return [
    ...d.publicBuckets.map((b) => `Bucket ${where(b)} stops being public: ${b.why}.`),
    ...d.uncertainBuckets.map((b) => `Bucket ${where(b)} may be public (${b.why}); if it is, it stops being public.`),
  ];
}

const inputs: StepInputs<AccountPublicAccessInputs> = {
  schema: inputsSchema,
  requiredInAnswers: false,
  // Nothing is closed unasked: without names, `fix --yes` applies only when no bucket is public.
  defaults: () => ({ publicBucketsToClose: [] }),

  /** No question of its own: the person reads the names in the plan, whose confirmation defaults to No. */
  async ask(asker, initial, findings) {
    const d = foundData(findings);
    const exposed = d ? [...d.publicBuckets, ...d.uncertainBuckets] : [];
    if (!exposed.length) return initial ?? { publicBucketsToClose: [] };
    asker.note(
      `Turning on Block Public Access for the account ends public access to ${plural(exposed.length, 'bucket', 'buckets')}: ${listed(exposed)}. ` +
        'The plan shows why each is public; its confirmation defaults to No.',
    );
    return { publicBucketsToClose: exposed.map((b) => b.name) };
  },
};

const step: Step<AccountPublicAccessInputs> = {
  meta,
  inputs,

  async check(ctx) {
    const read = await accountBlock(ctx);
    if (!read.ok) throw read.error;
    const block = read.value;
    const base = { resource: accountResource(ctx), region: 'global' };
    if (isFullBlock(block))
      return [
        {
          ...base,
          status: 'pass',
          message: 'Block Public Access is on for the account (all four settings): no bucket can be made public.',
          data: { block, publicBuckets: [], uncertainBuckets: [] },
        },
      ];
    const data: AccountData = { block, ...(await exposedBuckets(ctx)) };
    return [{ ...base, status: 'fail', message: checkMessage(data), data }];
  },

  async plan(ctx, findings, given): Promise<Plan> {
    const d = foundData(findings);
    if (!d) throw new Error('The account’s Block Public Access was not read: check the step before planning its fix.');
    if (isFullBlock(d.block)) return { actions: [] };
    const { publicBucketsToClose } = parseInputs(given);
    const exposed = [...d.publicBuckets, ...d.uncertainBuckets];
    const unnamed = exposed.filter((b) => !publicBucketsToClose.includes(b.name));
    const warnings = closingWarnings(d);
    if (unnamed.length) {
      const names = JSON.stringify(exposed.map((b) => b.name));
      return {
        actions: [],
        warnings,
        guidance:
          `Turning on Block Public Access for the account would end public access to ${plural(unnamed.length, 'bucket', 'buckets')} ` +
          `that nobody confirmed: ${listed(unnamed)}. Nothing is planned until they are.\n\n` +
          '- In the wizard: choose *fix*, read the names in the plan and confirm it.\n' +
          `- With \`fix --yes\`: name them in the answers file: \`"${meta.id}": { "publicBucketsToClose": ${names} }\`.\n` +
          '- To keep a website public, serve it through CloudFront with origin access control first (then the bucket itself ' +
          'need not be public), or skip this step and record why.',
      };
    }
    const params = { AccountId: ctx.target.accountId, PublicAccessBlockConfiguration: { ...FULL_BLOCK } };
    const action: PlanAction = {
      service: 's3control',
      operation: 'PutPublicAccessBlock',
      region: 'global',
      params,
      summary:
        `Turn on all four Block Public Access settings for account ${ctx.target.accountId}` +
        (exposed.length ? `, ending public access to ${plural(exposed.length, 'bucket', 'buckets')}: ${listed(exposed, 3)}` : ''),
      ...(exposed.length ? { destructive: true } : {}),
      inverse: d.block
        ? {
            service: 's3control',
            operation: 'PutPublicAccessBlock',
            region: 'global',
            params: { AccountId: ctx.target.accountId, PublicAccessBlockConfiguration: { ...d.block } },
            summary: `Put back the account's previous Block Public Access settings (${describeBlock(d.block)})`,
          }
        : {
            service: 's3control',
            operation: 'DeletePublicAccessBlock',
            region: 'global',
            params: { AccountId: ctx.target.accountId },
            summary: 'Remove the account’s Block Public Access configuration (it had none)',
          },
      async run(runCtx) {
        await runCtx.client(S3ControlClient).send(new PutAccountPublicAccessBlockCommand(params));
      },
    };
    if (exposed.length)
      warnings.push(
        'Anything served to the public straight from these buckets (a static website, download links) stops working at once. ' +
          'To keep one public on purpose, answer No and serve it through CloudFront with origin access control instead.',
      );
    return { actions: [action], ...(warnings.length ? { warnings } : {}) };
  },

  /**
   * Puts back the account's previous Block Public Access settings (or removes the configuration, if
   * there was none), but only while all four settings are still as the fix set them.
   */
  async undo(ctx, entry) {
    const read = await accountBlock(ctx);
    if (!read.ok) throw read.error;
    const now = read.value;
    const wrote = blockSchema.parse((entry.params as { PublicAccessBlockConfiguration?: unknown }).PublicAccessBlockConfiguration);
    const before = entry.inverse?.operation === 'PutPublicAccessBlock' ? blockSchema.parse((entry.inverse.params as { PublicAccessBlockConfiguration?: unknown }).PublicAccessBlockConfiguration) : null;
    if (sameJson(now, before)) return nothingToUndo(`The account's Block Public Access is already as before the fix (${before ? describeBlock(before) : 'none set'}).`);
    if (!sameJson(now, wrote))
      return drifted("The account's Block Public Access", { now: now ? describeBlock(now) : 'none set', wrote: describeBlock(wrote) });
    return undoWith(recordedInverse(entry));
  },

  /** day-one scenario: no account-wide block, and a static website whose files a public-read ACL hands to anyone. */
  async seed(ctx) {
    sandboxOnly(ctx);
    await ctx.client(S3ControlClient).send(new DeleteAccountPublicAccessBlockCommand({ AccountId: ctx.target.accountId }));
    const website = fixtureBucket(ctx, WEBSITE_BUCKET);
    const s3 = await makeBucket(ctx, { name: website, acl: 'public-read', website: true });
    await s3.send(
      new PutObjectCommand({
        Bucket: website,
        Key: 'index.html',
        Body: '<!doctype html><title>Day one</title><h1>Welcome</h1>\n',
        ContentType: 'text/html',
        ACL: 'public-read',
      }),
    );
  },
};

export default step;
