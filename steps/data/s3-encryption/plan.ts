/**
 * data.s3-encryption, plan: the key each region gets (an existing one, aws/s3, or one the fix creates
 * with rotation and an alias), PutBucketEncryption per bucket with its inverse, the buckets left
 * alone (log delivery the key would break), and the warnings and cost.
 */
import { KMSClient, CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { PutBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import type { Finding, Plan, PlanAction, StepContext } from '../../../src/engine/step-kit.js';
import { UserError, errorKind, formatZodError } from '../../../src/engine/step-kit.js';
import { AWS_ALIAS_PREFIX, arnRegion, findKey, isCustomerSymmetric, keyLabel } from '../_shared/kms.js';
import {
  AWS_S3_KEY_ALIAS,
  NEW_KEY_ALIAS,
  describeCurrent,
  inputsSchema,
  matches,
  pickedByAll,
  ruleFor,
  sameKey,
  usesKmsKey,
  aliasOf,
  describeWriters,
  newKeyPolicy,
} from './choice.js';
import type { BucketData, RegionChoice, S3EncryptionInputs } from './choice.js';
import meta from './meta.js';
import { errName, keysFor, rowsOf } from './check.js';

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
  /** The buckets the plan gives the key (recorded with the key, for its undo). */
  buckets: string[];
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
        return { output: { KeyId: m.KeyId, KeyArn: m.Arn, ForBuckets: [...k.buckets] } };
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

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The plan of the step for the inputs `given`. */
export async function planEncryption(ctx: StepContext, findings: Finding[], given: unknown): Promise<Plan> {
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
  for (const t of targets) if (t.choice.kind === 'kms-new') {
      if (!newKeys.has(t.row.region)) newKeys.set(t.row.region, { region: t.row.region, alias: t.choice.alias, buckets: [] });
      newKeys.get(t.row.region)!.buckets.push(t.row.bucket);
    }
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
}
