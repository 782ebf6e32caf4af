/**
 * The KMS key inventory shared by the data steps: per region, the keys listed once per run with
 * their aliases and metadata, so data.kms-rotation and data.s3-encryption read them only once.
 *
 * AWS managed keys are recognised by their `alias/aws/*` name as well as by KeyManager, because
 * emulators report them as customer keys (moto 5 answers KeyManager CUSTOMER for `alias/aws/s3`):
 * a key with such an alias is never described, offered, reported or changed by the tool.
 */
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { describeError, errorKind, mapLimit } from '../../../src/engine/step-kit.js';

/** How many DescribeKey calls run at once in one region. */
export const KEY_CONCURRENCY = 8;

/** Alias names AWS reserves for the keys it manages for its services. */
export const AWS_ALIAS_PREFIX = 'alias/aws/';

export interface KeyInfo {
  keyManager?: string;
  keySpec?: string;
  keyUsage?: string;
  origin?: string;
  state?: string;
  description?: string;
  multiRegion: boolean;
  /** For multi-Region keys: PRIMARY or REPLICA, and where the primary lives (rotation is set there). */
  multiRegionType?: string;
  primaryArn?: string;
  primaryRegion?: string;
}

export interface KmsKey {
  id: string;
  arn: string;
  region: string;
  /** Alias names that point at the key, sorted. */
  aliases: string[];
  /** AWS manages it (KeyManager AWS, or an `alias/aws/*` name): AWS rotates it, nobody may change it. */
  awsManaged: boolean;
  /** From DescribeKey; absent for AWS managed keys (never described) and for keys that could not be read. */
  info?: KeyInfo;
  /** Why DescribeKey failed (a key policy that does not let this principal read the key, say). */
  error?: string;
}

export interface AliasEntry {
  name: string;
  arn?: string;
  /** Absent for AWS aliases whose key AWS has not created yet. */
  targetKeyId?: string;
}

export interface RegionKeys {
  region: string;
  keys: KmsKey[];
  aliases: AliasEntry[];
}

function infoFrom(m: KeyMetadata): KeyInfo {
  const mr = m.MultiRegionConfiguration;
  return {
    ...(m.KeyManager ? { keyManager: m.KeyManager } : {}),
    ...(m.KeySpec ? { keySpec: m.KeySpec } : {}),
    ...(m.KeyUsage ? { keyUsage: m.KeyUsage } : {}),
    ...(m.Origin ? { origin: m.Origin } : {}),
    ...(m.KeyState ? { state: m.KeyState } : {}),
    ...(m.Description ? { description: m.Description } : {}),
    multiRegion: m.MultiRegion === true,
    ...(mr?.MultiRegionKeyType ? { multiRegionType: mr.MultiRegionKeyType } : {}),
    ...(mr?.PrimaryKey?.Arn ? { primaryArn: mr.PrimaryKey.Arn } : {}),
    ...(mr?.PrimaryKey?.Region ? { primaryRegion: mr.PrimaryKey.Region } : {}),
  };
}

async function listAliases(kms: KMSClient): Promise<AliasEntry[]> {
  const out: AliasEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListAliasesCommand({ Marker: marker, Limit: 100 }));
    for (const a of page.Aliases ?? [])
      if (a.AliasName) out.push({ name: a.AliasName, ...(a.AliasArn ? { arn: a.AliasArn } : {}), ...(a.TargetKeyId ? { targetKeyId: a.TargetKeyId } : {}) });
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return out;
}

async function listKeyIds(kms: KMSClient): Promise<Array<{ id: string; arn: string }>> {
  const out: Array<{ id: string; arn: string }> = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListKeysCommand({ Marker: marker, Limit: 1000 }));
    for (const k of page.Keys ?? []) if (k.KeyId && k.KeyArn) out.push({ id: k.KeyId, arn: k.KeyArn });
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return out;
}

export async function loadRegionKeys(ctx: StepContext, region: string): Promise<RegionKeys> {
  const kms = ctx.client(KMSClient, region);
  const [ids, aliases] = await Promise.all([listKeyIds(kms), listAliases(kms)]);
  const aliasesOf = new Map<string, string[]>();
  for (const a of aliases) if (a.targetKeyId) aliasesOf.set(a.targetKeyId, [...(aliasesOf.get(a.targetKeyId) ?? []), a.name]);
  const described = await mapLimit(ids, KEY_CONCURRENCY, async ({ id, arn }): Promise<KmsKey | undefined> => {
    const names = (aliasesOf.get(id) ?? []).sort();
    const base = { id, arn, region, aliases: names };
    // Known from its name alone: no need to ask, and an emulator's answer would be wrong anyway.
    if (names.some((n) => n.startsWith(AWS_ALIAS_PREFIX))) return { ...base, awsManaged: true };
    try {
      const m = (await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata;
      if (!m) return { ...base, awsManaged: false, error: 'DescribeKey returned no metadata' };
      return { ...base, awsManaged: m.KeyManager === 'AWS', info: infoFrom(m) };
    } catch (err) {
      // Deleted between the list and the read: nothing left to look at.
      if ((err as { name?: string }).name === 'NotFoundException') return undefined;
      const kind = errorKind(err);
      if (kind === 'unsupported' || kind === 'network' || kind === 'credentials') throw err;
      return { ...base, awsManaged: false, error: describeError(err, { permissions: ['kms:DescribeKey'] }) };
    }
  });
  const keys = described.filter((k): k is KmsKey => k !== undefined).sort((a, b) => a.arn.localeCompare(b.arn));
  return { region, keys, aliases };
}

/** Every key of a region with its aliases, read once per run and shared by the data steps. */
export function regionKeys(ctx: StepContext, region: string): Promise<RegionKeys> {
  return ctx.shared(`kms:keys:${region}`, () => loadRegionKeys(ctx, region));
}

/** An enabled symmetric encryption key that the account manages itself (not AWS). */
export function isCustomerSymmetric(k: KmsKey): boolean {
  const i = k.info;
  return !k.awsManaged && !!i && i.keyManager === 'CUSTOMER' && i.keySpec === 'SYMMETRIC_DEFAULT' && i.state === 'Enabled';
}

/** A key whose material KMS can rotate on a schedule: customer managed, symmetric, enabled, material made by KMS. */
export function isRotatable(k: KmsKey): boolean {
  return isCustomerSymmetric(k) && k.info!.origin === 'AWS_KMS';
}

/** The name a person knows a key by: its first own alias, else its id. */
export function keyLabel(k: Pick<KmsKey, 'id' | 'aliases'>): string {
  return k.aliases.find((a) => !a.startsWith(AWS_ALIAS_PREFIX)) ?? k.aliases[0] ?? k.id;
}

/** The region of a KMS ARN (`arn:aws:kms:eu-west-1:…`), or undefined for a bare id or alias name. */
export function arnRegion(ref: string): string | undefined {
  const m = /^arn:[a-z-]+:kms:([a-z0-9-]+):\d{12}:/.exec(ref);
  return m?.[1];
}

/** The account of a KMS ARN, or undefined for a bare id or alias name. */
export function arnAccount(ref: string): string | undefined {
  return /^arn:[a-z-]+:kms:[a-z0-9-]+:(\d{12}):/.exec(ref)?.[1];
}

/**
 * The key a reference names in this region: a key id, key ARN, alias name or alias ARN, as S3
 * encryption settings and answers files hold them. Undefined when the region holds no such key.
 */
export function findKey(rk: RegionKeys, ref: string): KmsKey | undefined {
  const byId = (id: string | undefined) => (id ? rk.keys.find((k) => k.id === id) : undefined);
  const aliasName = ref.startsWith('alias/') ? ref : /:(alias\/.+)$/.exec(ref)?.[1];
  if (aliasName) return byId(rk.aliases.find((a) => a.name === aliasName)?.targetKeyId);
  const keyId = /:key\/(.+)$/.exec(ref)?.[1] ?? ref;
  return byId(keyId);
}
