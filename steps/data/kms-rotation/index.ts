/**
 * data.kms-rotation: every enabled, symmetric, customer managed key whose material KMS made
 * rotates automatically (CIS 4.6, FSBP KMS.4). AWS managed keys are never reported nor touched:
 * AWS rotates them itself, and an emulator that calls them customer keys does not change that.
 */
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, DisableKeyRotationCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Finding, Plan, PlanAction, Step, StepContext } from '../../../src/engine/step-kit.js';
import { describeError, drifted, eachRegion, errorKind, mapLimit, nothingToUndo, recordedInverse, sandboxOnly, undoWith } from '../../../src/engine/step-kit.js';
import { KEY_CONCURRENCY, isRotatable, keyLabel, regionKeys } from '../_shared/kms.js';
import type { KmsKey } from '../_shared/kms.js';
import meta from './meta.js';

/** How many regions are read at once. */
const REGION_CONCURRENCY = 4;

/** What a failing finding carries for the plan: the key, and where its rotation is set. */
export interface RotationData {
  keyId: string;
  arn: string;
  region: string;
  label: string;
  /** Multi-Region replicas rotate with their primary: the key and region EnableKeyRotation goes to. */
  rotateArn: string;
  rotateRegion: string;
  rotationEnabled: boolean;
}

/** The period EnableKeyRotation gives when it names none. */
const DEFAULT_PERIOD_DAYS = 365;

type Status = { enabled: boolean; periodDays?: number; next?: Date } | { error: unknown };

async function rotationStatus(ctx: StepContext, key: KmsKey): Promise<Status | undefined> {
  try {
    const out = await ctx.client(KMSClient, key.region).send(new GetKeyRotationStatusCommand({ KeyId: key.id }));
    return {
      enabled: out.KeyRotationEnabled === true,
      ...(out.RotationPeriodInDays ? { periodDays: out.RotationPeriodInDays } : {}),
      ...(out.NextRotationDate ? { next: out.NextRotationDate } : {}),
    };
  } catch (err) {
    const name = (err as { name?: string }).name;
    // Disabled or deleted since it was listed: no longer a key this step looks at.
    if (name === 'NotFoundException' || name === 'KMSInvalidStateException') return undefined;
    const kind = errorKind(err);
    if (kind === 'unsupported' || kind === 'network' || kind === 'credentials') throw err;
    return { error: err };
  }
}

function named(key: KmsKey): string {
  const label = keyLabel(key);
  return label === key.id ? `Key ${key.id}` : `Key ${label} (${key.id})`;
}

function regionFindings(keys: KmsKey[], statuses: (Status | undefined)[]): Finding[] {
  const out: Finding[] = [];
  keys.forEach((key, i) => {
    const st = statuses[i];
    if (!st) return;
    const base = { resource: key.arn, region: key.region };
    if ('error' in st) {
      out.push({ ...base, status: 'error', message: `${named(key)}: rotation status could not be read. ${describeError(st.error, { permissions: ['kms:GetKeyRotationStatus'] })}` });
      return;
    }
    const info = key.info!;
    const replica = info.multiRegionType === 'REPLICA' && info.primaryArn;
    const data: RotationData = {
      keyId: key.id,
      arn: key.arn,
      region: key.region,
      label: keyLabel(key),
      rotateArn: replica ? info.primaryArn! : key.arn,
      rotateRegion: replica ? (info.primaryRegion ?? key.region) : key.region,
      rotationEnabled: st.enabled,
    };
    if (st.enabled) {
      const every = st.periodDays ? ` every ${st.periodDays} days` : '';
      const next = st.next ? `, next on ${st.next.toISOString().slice(0, 10)}` : '';
      out.push({ ...base, status: 'pass', message: `${named(key)} rotates its key material automatically${every}${next}.`, data: { ...data } });
    } else {
      const via = replica ? ` It is a multi-Region replica: rotation is set on its primary in ${data.rotateRegion}.` : '';
      out.push({
        ...base,
        status: 'fail',
        message: `${named(key)} never rotates its key material: everything it protects depends on one secret for as long as the key lives.${via}`,
        data: { ...data },
      });
    }
  });
  return out;
}

function readProblems(keys: KmsKey[]): Finding[] {
  return keys
    .filter((k) => k.error)
    .map((k) => ({ status: 'error' as const, resource: k.arn, region: k.region, message: `Key ${k.id} could not be read, so its rotation is unknown. ${k.error}` }));
}

function dataOf(f: Finding): RotationData {
  const d = f.data as Partial<RotationData> | undefined;
  if (!d?.rotateArn || !d.rotateRegion || !d.arn) throw new Error(`${meta.id}: a failing finding without its key; check the step before planning its fix.`);
  return d as RotationData;
}

function enableAction(d: RotationData): PlanAction {
  const spec = { service: 'kms', region: d.rotateRegion, params: { KeyId: d.rotateArn } };
  const which = d.rotateArn === d.arn ? `${d.label} (${d.region})` : `the primary of ${d.label}, in ${d.rotateRegion} (its replicas follow)`;
  return {
    ...spec,
    operation: 'EnableKeyRotation',
    summary: `Turn on yearly automatic rotation for key ${which}`,
    inverse: { ...spec, operation: 'DisableKeyRotation', params: { KeyId: d.rotateArn }, summary: `Turn automatic rotation off again for key ${which}` },
    async run(ctx) {
      await ctx.client(KMSClient, d.rotateRegion).send(new EnableKeyRotationCommand({ KeyId: d.rotateArn }));
    },
  };
}

const step: Step = {
  meta,

  async check(ctx) {
    const regions = await ctx.regions();
    // AWS managed keys counted over the regions that could be read, for the message when there is nothing to rotate.
    let awsManaged = 0;
    const findings = await eachRegion(
      { regions: async () => regions },
      async (region) => {
        const rk = await regionKeys(ctx, region);
        const keys = rk.keys.filter(isRotatable);
        const statuses = await mapLimit(keys, KEY_CONCURRENCY, (k) => rotationStatus(ctx, k));
        const found = [...regionFindings(keys, statuses), ...readProblems(rk.keys)];
        awsManaged += rk.keys.filter((k) => k.awsManaged).length;
        return found;
      },
      (region) => ({ resource: `arn:${ctx.target.partition}:kms:${region}:${ctx.target.accountId}:key/*`, service: 'AWS KMS', permissions: ['kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey'] }),
      REGION_CONCURRENCY,
    );
    if (findings.length) return findings;
    const where = regions.length === 1 ? regions[0]! : `${regions.length} regions`;
    return [
      {
        status: 'pass',
        resource: `arn:${ctx.target.partition}:kms:*:${ctx.target.accountId}:key/*`,
        region: regions.length === 1 ? regions[0]! : 'global',
        message:
          `No customer managed symmetric keys in ${where}: nothing to rotate.` +
          (awsManaged ? ` The ${awsManaged} AWS managed key${awsManaged === 1 ? '' : 's'} there ${awsManaged === 1 ? 'is' : 'are'} rotated by AWS every year.` : ''),
      },
    ];
  },

  async plan(_ctx, findings): Promise<Plan> {
    const seen = new Set<string>();
    const actions: PlanAction[] = [];
    for (const f of findings) {
      if (f.status !== 'fail') continue;
      const d = dataOf(f);
      if (seen.has(d.rotateArn)) continue;
      seen.add(d.rotateArn);
      actions.push(enableAction(d));
    }
    return { actions };
  },

  /**
   * Turns rotation off again, but only while it is on with the yearly period the fix set: a key
   * someone gave another period since is left alone, and one that no longer rotates (or is gone,
   * disabled, pending deletion) has nothing to undo.
   */
  async undo(ctx, entry) {
    const { KeyId: key } = entry.params as { KeyId: string };
    let out;
    try {
      out = await ctx.client(KMSClient, entry.region).send(new GetKeyRotationStatusCommand({ KeyId: key }));
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'NotFoundException') return nothingToUndo(`Key ${key} no longer exists.`);
      if (name === 'KMSInvalidStateException') return nothingToUndo(`Key ${key} is disabled or pending deletion: its rotation cannot be changed, and it encrypts nothing new.`);
      throw err;
    }
    if (out.KeyRotationEnabled !== true) return nothingToUndo(`Automatic rotation of key ${key} is already off, as before the fix.`);
    if (out.RotationPeriodInDays !== undefined && out.RotationPeriodInDays !== DEFAULT_PERIOD_DAYS)
      return drifted(`The rotation period of key ${key}`, { now: `${out.RotationPeriodInDays} days`, wrote: `${DEFAULT_PERIOD_DAYS} days` });
    return undoWith(recordedInverse(entry));
  },

  /**
   * day-one scenario: a customer key for an application, with rotation off (KMS's default), and the
   * AWS managed key for S3, which moto creates on first use and wrongly reports as a customer key.
   */
  async seed(ctx) {
    sandboxOnly(ctx);
    const kms = ctx.client(KMSClient, ctx.target.homeRegion);
    const alias = 'alias/day-one-app-data';
    let keyId: string | undefined;
    try {
      keyId = (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.KeyId;
    } catch (err) {
      if ((err as { name?: string }).name !== 'NotFoundException') throw err;
    }
    if (keyId) await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    else {
      const created = await kms.send(new CreateKeyCommand({ Description: 'day-one: application data key, never rotated' }));
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: created.KeyMetadata!.KeyId! }));
    }
    await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }));
  },
};

export default step;
