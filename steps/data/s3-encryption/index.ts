/**
 * data.s3-encryption: every bucket encrypts new objects at rest by default, with SSE-S3 or with a
 * KMS key and a bucket key. The person chooses the default once (SSE-S3, or SSE-KMS with a key they
 * pick or one the fix creates) and the buckets it goes to.
 *
 * Since January 2023 S3 applies SSE-S3 to every bucket by itself, and the API cannot tell that
 * default from a person's choice; the check has no inputs to compare with either. So a bucket
 * passes when it has any default encryption, and an SSE-S3 finding says that it may be AWS's
 * default. A bucket without one (emulators, and S3-compatible endpoints) fails. The lesson
 * explains the rule; the choice between SSE-S3 and SSE-KMS is made in the fix.
 */
import { KMSClient, CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, DeleteBucketEncryptionCommand, GetBucketEncryptionCommand, PutBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import type { BucketLocationConstraint, ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import type { Asker, Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { UserError, describeError, errorKind, formatZodError, mapLimit, sandboxOnly } from '../../../src/engine/step-kit.js';
import { buckets, perBucket } from '../_shared/buckets.js';
import { bucketPolicies } from '../_shared/bucket-exposure.js';
import type { Bucket } from '../_shared/buckets.js';
import { AWS_ALIAS_PREFIX, arnRegion, findKey, isCustomerSymmetric, keyLabel, regionKeys } from '../_shared/kms.js';
import type { RegionKeys } from '../_shared/kms.js';
import {
  AWS_S3_KEY_ALIAS,
  DEFAULT_INPUTS,
  NEW_KEY_ALIAS,
  classify,
  describeCurrent,
  inputsSchema,
  matches,
  pickedByAll,
  ruleFor,
  sameKey,
  usesKmsKey,
  aliasOf,
  validKeyRef,
  describeWriters,
  logWriters,
  newKeyPolicy,
} from './choice.js';
import type { BucketData, Current, KeyChoice, RegionChoice, S3EncryptionInputs } from './choice.js';
import meta from './meta.js';

export type { S3EncryptionInputs } from './choice.js';

const REGION_CONCURRENCY = 4;

type Read = { config: ServerSideEncryptionConfiguration | null } | { error: unknown } | { gone: true };

/** Errors that say the run cannot go on at all (or the endpoint lacks the API): the step reports them whole. */
function fatal(err: unknown): boolean {
  const kind = errorKind(err);
  return kind === 'unsupported' || kind === 'network' || kind === 'credentials';
}

const errName = (err: unknown) => (err as { name?: string }).name;

async function readConfig(b: Bucket, s3: S3Client): Promise<Read> {
  try {
    return { config: (await s3.send(new GetBucketEncryptionCommand({ Bucket: b.name }))).ServerSideEncryptionConfiguration ?? null };
  } catch (err) {
    if (errName(err) === 'ServerSideEncryptionConfigurationNotFoundError') return { config: null };
    // Deleted between the list and the read.
    if (errName(err) === 'NoSuchBucket') return { gone: true };
    if (fatal(err)) throw err;
    return { error: err };
  }
}

interface RegionKeyInfo {
  rk?: RegionKeys;
  choices: KeyChoice[];
  error?: string;
}

/** The keys of a region, for naming the keys buckets use and for the person to pick from. KMS trouble never hides the buckets. */
async function keysFor(ctx: StepContext, region: string): Promise<RegionKeyInfo> {
  try {
    const rk = await regionKeys(ctx, region);
    const choices = rk.keys
      .filter(isCustomerSymmetric)
      .map((k) => ({ arn: k.arn, id: k.id, region, label: keyLabel(k), aliases: k.aliases, ...(k.info?.description ? { description: k.info.description } : {}) }));
    return { rk, choices };
  } catch (err) {
    const kind = errorKind(err);
    if (kind === 'network' || kind === 'credentials') throw err;
    return { choices: [], error: describeError(err, { permissions: ['kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey'] }) };
  }
}

const isAwsS3Alias = (ref: string) => ref === AWS_S3_KEY_ALIAS || ref.endsWith(`:${AWS_S3_KEY_ALIAS}`);

/** Names the key a bucket uses, from the region's key list. */
export function resolveCurrent(base: ReturnType<typeof classify>, rk: RegionKeys | undefined): Current {
  if (base.algorithm !== 'SSE-KMS' && base.algorithm !== 'DSSE-KMS') return base;
  const ref = base.keyRef;
  if (!ref || isAwsS3Alias(ref)) {
    const aws = rk?.aliases.find((a) => a.name === AWS_S3_KEY_ALIAS)?.targetKeyId;
    const arn = aws ? rk?.keys.find((k) => k.id === aws)?.arn : undefined;
    return { ...base, awsManagedKey: true, keyLabel: 'aws/s3', ...(arn ? { keyArn: arn } : {}) };
  }
  const found = rk ? findKey(rk, ref) : undefined;
  if (found) return { ...base, keyArn: found.arn, keyLabel: keyLabel(found), awsManagedKey: found.awsManaged && found.aliases.includes(AWS_S3_KEY_ALIAS) };
  // A key of another account, or one this principal may not list: known by its reference alone.
  return { ...base, ...(ref.startsWith('arn:') ? { keyArn: ref } : {}), keyLabel: ref };
}

function bucketFinding(b: Bucket, read: Read, keys: RegionKeyInfo, writers: string[]): Finding | undefined {
  if ('gone' in read) return undefined;
  const base = { resource: b.arn, region: b.region };
  const name = `Bucket ${b.name} (${b.region})`;
  if ('error' in read)
    return { ...base, status: 'error', message: `${name}: its default encryption could not be read. ${describeError(read.error, { permissions: ['s3:GetEncryptionConfiguration'] })}` };
  const current = resolveCurrent(classify(read.config), keys.rk);
  const data: BucketData = {
    bucket: b.name,
    region: b.region,
    arn: b.arn,
    current,
    previous: read.config,
    keys: keys.choices,
    ...(keys.error ? { keysError: keys.error } : {}),
    ...(writers.length ? { logWriters: writers } : {}),
  };
  const withData = { ...base, data: data as unknown as Record<string, unknown> };
  switch (current.algorithm) {
    case 'none':
      return { ...withData, status: 'fail', message: `${name} has no default encryption: objects uploaded without encryption settings are stored unencrypted.` };
    case 'SSE-S3':
      return {
        ...withData,
        status: 'pass',
        message: `${name} encrypts new objects with SSE-S3 (keys held by S3). S3 applies this to every bucket since January 2023, so it may be AWS’s default rather than a choice.`,
      };
    case 'SSE-KMS':
      return {
        ...withData,
        status: 'pass',
        message:
          `${name} encrypts new objects with ${describeCurrent(current)}` +
          (current.bucketKey ? '.' : ': every object request calls KMS, which costs more than it needs to (a bucket key cuts those calls).'),
      };
    case 'DSSE-KMS':
      return { ...withData, status: 'pass', message: `${name} encrypts new objects with two layers (${describeCurrent(current)}).` };
    default:
      return { ...withData, status: 'manual', message: `${name} uses default encryption ${current.raw}, which this tool does not know: look at it in the S3 console.` };
  }
}

function rowsOf(findings: Finding[]): BucketData[] {
  return findings.map((f) => f.data as unknown as BucketData | undefined).filter((d): d is BucketData => !!d?.bucket && !!d.current);
}

function parseInputs(given: unknown): S3EncryptionInputs {
  const parsed = inputsSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

type Resolved = RegionChoice | { problem: string };

/**
 * The key a `kmsKeyId` means in one region. Reads only (the key list, DescribeKey for a key the
 * list does not hold). "new" means this tool's own key for S3: reused where it exists already, so a
 * second run creates nothing.
 */
async function resolveChoice(ctx: StepContext, region: string, ref: string): Promise<Resolved> {
  const refRegion = arnRegion(ref);
  if (refRegion && refRegion !== region) return { problem: `key ${ref} is in ${refRegion}, and S3 uses only keys in the bucket’s own region (${region})` };
  const aliasName = aliasOf(ref);
  if (aliasName === AWS_S3_KEY_ALIAS) return { kind: 'kms', label: 'the AWS managed key aws/s3', awsManaged: true };
  if (aliasName?.startsWith(AWS_ALIAS_PREFIX)) return { problem: `${aliasName} is the AWS managed key of another service` };
  const { rk, error } = await keysFor(ctx, region);
  if (ref === 'new') {
    const mine = rk?.keys.find((k) => k.aliases.includes(NEW_KEY_ALIAS));
    if (mine) return isCustomerSymmetric(mine) ? { kind: 'kms', arn: mine.arn, label: NEW_KEY_ALIAS, awsManaged: false } : { problem: `${NEW_KEY_ALIAS} in ${region} points at a key that is not an enabled symmetric key (${mine.info?.state ?? mine.error ?? 'unknown state'})` };
    if (!rk) return { problem: `the keys in ${region} could not be listed to find or make ${NEW_KEY_ALIAS} (${error})` };
    if (rk.aliases.some((a) => a.name === NEW_KEY_ALIAS)) return { problem: `${NEW_KEY_ALIAS} already exists in ${region} but its key could not be read` };
    return { kind: 'kms-new', alias: NEW_KEY_ALIAS };
  }
  const listed = rk ? findKey(rk, ref) : undefined;
  if (listed) {
    if (isCustomerSymmetric(listed)) return { kind: 'kms', arn: listed.arn, label: keyLabel(listed), awsManaged: false };
    return { problem: `key ${ref} in ${region} is not an enabled symmetric customer managed key (${listed.info?.state ?? listed.error ?? 'AWS managed'})` };
  }
  // Not among this account's keys in the region: another account's key, or one that cannot be listed.
  try {
    const m = (await ctx.client(KMSClient, region).send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata;
    if (!m?.Arn || m.KeyState !== 'Enabled' || m.KeySpec !== 'SYMMETRIC_DEFAULT' || m.KeyManager === 'AWS')
      return { problem: `key ${ref} in ${region} is not an enabled symmetric customer managed key (${m?.KeyState ?? 'unknown state'})` };
    return { kind: 'kms', arn: m.Arn, label: ref, awsManaged: false };
  } catch (err) {
    if (errName(err) === 'NotFoundException') return { problem: `there is no key ${ref} in ${region}` };
    if (errorKind(err) === 'access-denied' && /:key\//.test(ref)) return { kind: 'kms', arn: ref, label: `${ref} (not readable from here)`, awsManaged: false };
    throw err;
  }
}

/** Shown in a parameter that exists only once an earlier action has run; replaced by the real value when it runs. */
const NEW_KEY = (region: string) => `(the new key in ${region})`;

interface NewKey {
  region: string;
  alias: string;
  /** The key policy when log-delivery services must be let in (else KMS's default policy). */
  policy?: string;
  /** Set by the CreateKey action's run; read by the actions after it. */
  arn?: string;
  id?: string;
}

function createKeyActions(k: NewKey): PlanAction[] {
  const placeholder = NEW_KEY(k.region);
  const need = (what: string) => {
    if (!k.arn || !k.id) throw new Error(`The new key in ${k.region} was not created, so ${what} cannot run.`);
    return { arn: k.arn, id: k.id };
  };
  const deletion = { KeyId: placeholder, PendingWindowInDays: 30 };
  const alias = { AliasName: k.alias, TargetKeyId: placeholder };
  const rotation = { KeyId: placeholder };
  const description = `secure-start: default encryption of S3 buckets in ${k.region}`;
  const create = { Description: description, KeySpec: 'SYMMETRIC_DEFAULT' as const, KeyUsage: 'ENCRYPT_DECRYPT' as const, ...(k.policy ? { Policy: k.policy } : {}) };
  return [
    {
      service: 'kms',
      operation: 'CreateKey',
      region: k.region,
      params: create,
      summary: `Create a KMS key for S3 default encryption in ${k.region} ($1/month)`,
      inverse: {
        service: 'kms',
        operation: 'ScheduleKeyDeletion',
        region: k.region,
        params: deletion,
        summary: 'Schedule the new key for deletion in 30 days; objects written with it become unreadable once it is gone (CancelKeyDeletion stops it meanwhile)',
      },
      async run(ctx) {
        const m = (await ctx.client(KMSClient, k.region).send(new CreateKeyCommand(create))).KeyMetadata;
        if (!m?.Arn || !m.KeyId) throw new Error(`CreateKey in ${k.region} returned no key.`);
        k.arn = m.Arn;
        k.id = m.KeyId;
        // The journal records parameters as they stand after the run: put the real key where the plan showed a placeholder.
        deletion.KeyId = m.Arn;
        return { output: { KeyId: m.KeyId, KeyArn: m.Arn } };
      },
    },
    {
      service: 'kms',
      operation: 'CreateAlias',
      region: k.region,
      params: alias,
      summary: `Name the new key ${k.alias}`,
      inverse: { service: 'kms', operation: 'DeleteAlias', region: k.region, params: { AliasName: k.alias }, summary: `Remove the name ${k.alias}` },
      async run(ctx) {
        const { id } = need('naming it');
        alias.TargetKeyId = id;
        await ctx.client(KMSClient, k.region).send(new CreateAliasCommand({ AliasName: k.alias, TargetKeyId: id }));
      },
    },
    {
      service: 'kms',
      operation: 'EnableKeyRotation',
      region: k.region,
      params: rotation,
      summary: `Turn on yearly rotation of the new key ${k.alias}`,
      inverse: { service: 'kms', operation: 'DisableKeyRotation', region: k.region, params: rotation, summary: `Turn rotation of ${k.alias} off again` },
      async run(ctx) {
        const { arn } = need('its rotation');
        rotation.KeyId = arn;
        await ctx.client(KMSClient, k.region).send(new EnableKeyRotationCommand({ KeyId: arn }));
      },
    },
  ];
}

function choiceLabel(choice: RegionChoice): string {
  if (choice.kind === 'sse-s3') return 'SSE-S3';
  if (choice.kind === 'kms-new') return `SSE-KMS with the new key ${choice.alias}, bucket key on`;
  return `SSE-KMS with ${choice.awsManaged ? choice.label : `key ${choice.label}`}, bucket key on`;
}

function putAction(row: BucketData, choice: RegionChoice, newKey?: NewKey): PlanAction {
  const config = ruleFor(choice, choice.kind === 'kms-new' ? NEW_KEY(row.region) : undefined);
  const params = { Bucket: row.bucket, ServerSideEncryptionConfiguration: config };
  return {
    service: 's3',
    operation: 'PutBucketEncryption',
    region: row.region,
    params,
    summary: `Bucket ${row.bucket} (${row.region}): encrypt new objects with ${choiceLabel(choice)} (now: ${describeCurrent(row.current)})`,
    inverse: row.previous
      ? {
          service: 's3',
          operation: 'PutBucketEncryption',
          region: row.region,
          params: { Bucket: row.bucket, ServerSideEncryptionConfiguration: row.previous },
          summary: `Put back the previous default of ${row.bucket}: ${describeCurrent(row.current)}`,
        }
      : {
          service: 's3',
          operation: 'DeleteBucketEncryption',
          region: row.region,
          params: { Bucket: row.bucket },
          summary: `Remove the default encryption of ${row.bucket} again`,
        },
    async run(ctx) {
      if (choice.kind === 'kms-new') {
        if (!newKey?.arn) throw new Error(`The new key in ${row.region} was not created, so ${row.bucket} cannot use it.`);
        // Shown as a placeholder in the plan; the journal records the key actually sent.
        params.ServerSideEncryptionConfiguration = ruleFor(choice, newKey.arn);
      }
      await ctx.client(S3Client, row.region).send(new PutBucketEncryptionCommand({ ...params }));
    },
  };
}

/**
 * Why a bucket that receives logs is left out of an SSE-KMS choice, if it is: S3 server access logs
 * cannot be written to an SSE-KMS bucket at all, and an existing key's policy is not changed here
 * (the log service would lose access). A new key is made with the grant instead (see plan).
 */
function logDeliveryProblem(row: BucketData, choice: RegionChoice): string | undefined {
  const writers = row.logWriters ?? [];
  if (!writers.length || choice.kind === 'sse-s3') return undefined;
  const left = `Bucket ${row.bucket} (${row.region}) is left as it is`;
  if (writers.includes('logging.s3.amazonaws.com'))
    return `${left}: it receives S3 server access logs, which S3 delivers only to buckets encrypted with SSE-S3. Choose SSE-S3 for it.`;
  if (choice.kind === 'kms-new') return undefined;
  return (
    `${left}: it receives logs from ${describeWriters(writers)}, which ${writers.length === 1 ? 'stops' : 'stop'} delivering once the bucket uses ` +
    `${choice.awsManaged ? 'the AWS managed key aws/s3 (its policy cannot let other services in)' : `key ${choice.label} (this tool does not change an existing key's policy)`}. ` +
    'Choose SSE-S3 or a new key for it, or add the services to the key policy by hand first.'
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const inputs: StepInputs<S3EncryptionInputs> = {
  schema: inputsSchema,
  requiredInAnswers: false,
  defaults: () => ({ ...DEFAULT_INPUTS }),

  async ask(asker: Asker, initial: S3EncryptionInputs, findings: Finding[]): Promise<S3EncryptionInputs> {
    const rows = rowsOf(findings);
    if (!rows.length) {
      asker.note('No bucket’s encryption could be read, so there is nothing to choose.');
      return initial;
    }
    const parsed = inputsSchema.safeParse(initial);
    const start = parsed.success ? parsed.data : { ...DEFAULT_INPUTS };
    const algorithm = await asker.select<'SSE-S3' | 'SSE-KMS'>({
      message: 'Which default encryption should new objects in your buckets get?',
      choices: [
        { value: 'SSE-S3', name: 'SSE-S3: S3 holds the keys (free)', description: 'Nothing to manage and no charge; S3 applies it to new buckets by itself.' },
        {
          value: 'SSE-KMS',
          name: 'SSE-KMS: a KMS key you control, with a bucket key (paid)',
          description: 'The key policy decides who may decrypt, and CloudTrail logs each use. $1/month per key, plus KMS requests that the bucket key keeps few.',
        },
      ],
      default: start.algorithm,
    });

    let kmsKeyId: string | undefined;
    let choiceIn: (region: string) => RegionChoice | undefined = () => ({ kind: 'sse-s3' });
    if (algorithm === 'SSE-KMS') {
      const keys = [...new Map(rows.flatMap((r) => r.keys).map((k) => [k.arn, k])).values()].sort((a, b) => a.region.localeCompare(b.region) || a.label.localeCompare(b.label));
      for (const e of new Set(rows.map((r) => r.keysError).filter(Boolean))) asker.note(`KMS keys could not be listed: ${e}`);
      const listed = new Set(keys.map((k) => k.arn));
      const wanted = start.kmsKeyId;
      const picked = await asker.select<string>({
        message: 'Which KMS key? (S3 uses a key only for buckets in its own region)',
        choices: [
          ...keys.map((k) => ({ value: k.arn, name: `${k.label} (${k.region})`, ...(k.description ? { description: k.description } : {}) })),
          { value: 'new', name: `Create a key for S3 (${NEW_KEY_ALIAS}, one in each region that needs it, $1/month each)` },
          { value: 'other', name: 'Another key: type its ARN or alias' },
        ],
        default: wanted ? (wanted === 'new' || listed.has(wanted) ? wanted : 'other') : (keys[0]?.arn ?? 'new'),
      });
      kmsKeyId =
        picked === 'other'
          ? (
              await asker.text({
                message: 'Key ARN, key id or alias name',
                ...(wanted && wanted !== 'new' && !listed.has(wanted) ? { default: wanted } : {}),
                validate: (v) => (v.trim() === 'new' ? 'to create a key, choose "Create a key for S3"' : validKeyRef(v)),
                required: true,
              })
            ).trim()
          : picked;
      const ref = kmsKeyId;
      choiceIn = (region) => {
        const here = keys.filter((k) => k.region === region);
        const refRegion = arnRegion(ref);
        if (refRegion && refRegion !== region) return undefined;
        if (isAwsS3Alias(ref)) return { kind: 'kms', label: 'the AWS managed key aws/s3', awsManaged: true };
        if (ref === 'new') {
          const mine = here.find((k) => k.aliases.includes(NEW_KEY_ALIAS));
          return mine ? { kind: 'kms', arn: mine.arn, label: NEW_KEY_ALIAS, awsManaged: false } : { kind: 'kms-new', alias: NEW_KEY_ALIAS };
        }
        const alias = aliasOf(ref);
        const known = here.find((k) => k.arn === ref || k.id === ref || ref.endsWith(`:key/${k.id}`) || (alias !== undefined && k.aliases.includes(alias)));
        return known ? { kind: 'kms', arn: known.arn, label: known.label, awsManaged: false } : { kind: 'kms', arn: ref, label: ref, awsManaged: false };
      };
    }

    const offered = rows.filter((r) => choiceIn(r.region));
    const left = rows.length - offered.length;
    if (left) asker.note(`${plural(left, 'bucket')} in other regions than the key ${left === 1 ? 'is' : 'are'} not offered: run the fix again with a key in their region.`);
    if (!offered.length) return { algorithm, ...(kmsKeyId ? { kmsKeyId } : {}), buckets: 'all' };
    const chosen = await asker.checkbox<string>({
      message: 'Which buckets should get this default? (ticked: the ones it would change)',
      choices: offered.map((r) => ({
        value: r.bucket,
        name: `${r.bucket} (${r.region}), now ${describeCurrent(r.current)}`,
        checked: start.buckets === 'all' ? pickedByAll(r.current, choiceIn(r.region)!) : start.buckets.includes(r.bucket),
      })),
      required: true,
    });
    return { algorithm, ...(kmsKeyId ? { kmsKeyId } : {}), buckets: chosen };
  },
};

const step: Step<S3EncryptionInputs> = {
  meta,
  inputs,

  async check(ctx) {
    const list = await buckets(ctx);
    if (!list.length)
      return [{ status: 'pass', resource: `arn:${ctx.target.partition}:s3:::*`, region: 'global', message: 'No S3 buckets yet. New buckets get SSE-S3 from S3 from the start.' }];
    const regions = [...new Set(list.map((b) => b.region))].sort();
    // The policies (shared with the public-access and TLS steps) say which buckets receive logs from AWS services.
    const [reads, keyInfo, policies] = await Promise.all([
      perBucket(ctx, list, readConfig),
      mapLimit(regions, REGION_CONCURRENCY, async (r) => [r, await keysFor(ctx, r)] as const).then((pairs) => new Map(pairs)),
      bucketPolicies(ctx),
    ]);
    const writersOf = (b: Bucket) => {
      const p = policies.get(b.name);
      return p?.ok ? logWriters(p.value) : [];
    };
    return list.map((b, i) => bucketFinding(b, reads[i]!, keyInfo.get(b.region)!, writersOf(b))).filter((f): f is Finding => !!f);
  },

  async plan(ctx, findings, given): Promise<Plan> {
    const chosen = parseInputs(given);
    const rows = rowsOf(findings);
    if (!rows.length && findings.some((f) => f.status === 'fail')) throw new Error(`${meta.id}: the buckets were not read; check the step before planning its fix.`);
    const named = chosen.buckets === 'all' ? undefined : new Set(chosen.buckets);
    if (named) {
      const unknown = [...named].filter((n) => !rows.some((r) => r.bucket === n));
      if (unknown.length)
        throw new UserError(`${meta.id}: no readable bucket named ${unknown.join(', ')} in this account.`, 'Check the bucket names in the answers file (data.s3-encryption.buckets).');
    }
    const candidates = named ? rows.filter((r) => named.has(r.bucket)) : rows;

    const choices = new Map<string, Resolved>();
    for (const region of [...new Set(candidates.map((r) => r.region))].sort())
      choices.set(region, chosen.algorithm === 'SSE-S3' ? { kind: 'sse-s3' } : await resolveChoice(ctx, region, chosen.kmsKeyId!));

    const problems = [...choices.entries()].filter((e): e is [string, { problem: string }] => 'problem' in e[1]);
    if (named && problems.length)
      throw new UserError(
        `${meta.id}: the key "${chosen.kmsKeyId}" cannot serve ${problems.map(([r]) => `the buckets in ${r}`).join(' or ')}: ${problems.map(([, p]) => p.problem).join('; ')}.`,
        'Name a key in the same region as the buckets (data.s3-encryption.kmsKeyId), or "new".',
      );

    const warnings: string[] = [];
    const targets: Array<{ row: BucketData; choice: RegionChoice }> = [];
    for (const row of candidates) {
      const choice = choices.get(row.region)!;
      if ('problem' in choice) continue;
      if (!(named ? !matches(row.current, choice) : pickedByAll(row.current, choice))) continue;
      const refused = logDeliveryProblem(row, choice);
      if (refused) warnings.push(refused);
      else targets.push({ row, choice });
    }

    for (const [region, { problem }] of problems) {
      // The buckets "all" would have given a key there: without encryption, or on SSE-S3.
      const n = candidates.filter((r) => r.region === region && (r.current.algorithm === 'none' || r.current.algorithm === 'SSE-S3')).length;
      if (n) warnings.push(`${plural(n, 'bucket')} in ${region} ${n === 1 ? 'is' : 'are'} left as ${n === 1 ? 'it is' : 'they are'}: ${problem}.`);
    }
    if (!targets.length) return { actions: [], ...(warnings.length ? { warnings } : {}) };

    const newKeys = new Map<string, NewKey>();
    for (const t of targets) if (t.choice.kind === 'kms-new' && !newKeys.has(t.row.region)) newKeys.set(t.row.region, { region: t.row.region, alias: t.choice.alias });
    // A bucket that receives logs keeps receiving them: the new key of its region lets those services in, for this account only.
    for (const k of newKeys.values()) {
      const logged = targets.filter((t) => t.row.region === k.region && t.row.logWriters?.length);
      const services = [...new Set(logged.flatMap((t) => t.row.logWriters!))].sort();
      if (!services.length) continue;
      k.policy = newKeyPolicy(ctx.target.partition, ctx.target.accountId, services);
      warnings.push(
        `${logged.map((t) => t.row.bucket).join(', ')} ${logged.length === 1 ? 'receives' : 'receive'} logs from ${describeWriters(services)}, which can write to an SSE-KMS bucket ` +
          `only when the key lets ${services.length === 1 ? 'it' : 'them'}: the new key's policy grants ${services.join(', ')} the use of the key (kms:GenerateDataKey* and related), for this account's resources only.`,
      );
    }
    const actions = [...[...newKeys.values()].flatMap(createKeyActions), ...targets.map((t) => putAction(t.row, t.choice, newKeys.get(t.row.region)))];

    if (newKeys.size)
      warnings.push(
        `This creates ${plural(newKeys.size, 'KMS key')} (${[...newKeys.keys()].join(', ')}): $1/month each, more after its first and second yearly rotation (up to $3/month), plus KMS request charges.`,
      );
    if (chosen.algorithm === 'SSE-KMS')
      warnings.push(
        'Whoever reads or writes new objects in these buckets also needs permission to use the key (kms:Decrypt, kms:GenerateDataKey). ' +
          'Anonymous readers of a public bucket or website cannot read SSE-KMS objects at all, and other accounts need a grant in the key policy.',
      );
    for (const t of targets) {
      const c = t.row.current;
      if (usesKmsKey(c) && !sameKey(c, t.choice))
        warnings.push(`${t.row.bucket} moves away from ${describeCurrent(c)}: objects stored so far stay encrypted under that key, so keep it, and access to it, as long as they exist.`);
    }
    warnings.push('Objects already stored keep the encryption they were written with; the new default applies to uploads from now on.');
    const cost: Plan['cost'] = newKeys.size
      ? { scale: 'dollars', detail: `$1/month for each of the ${plural(newKeys.size, 'new KMS key')} (up to $3 after two yearly rotations), plus KMS requests beyond the free 20,000 a month.` }
      : chosen.algorithm === 'SSE-KMS'
        ? { scale: 'cents', detail: 'No new key: only KMS requests beyond the free 20,000 a month, at $0.03 per 10,000 (the bucket key keeps them few).' }
        : { scale: 'free', detail: 'SSE-S3 costs nothing.' };
    return { actions, warnings, cost };
  },

  /** day-one scenario: a bucket in the home region without default encryption (possible on emulators; S3 itself no longer allows it). */
  async seed(ctx) {
    sandboxOnly(ctx);
    const region = ctx.target.homeRegion;
    const s3 = ctx.client(S3Client, region);
    const bucket = 'day-one-no-default-encryption';
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }) }));
    } catch (err) {
      if (errName(err) !== 'BucketAlreadyOwnedByYou') throw err;
    }
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
  },
};

export default step;
