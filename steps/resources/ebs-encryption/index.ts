/**
 * resources.ebs-encryption: EBS encryption by default is on in every region of the run (CIS 6.1.1,
 * FSBP EC2.7), and the volumes made before it are listed for a person to replace (FSBP EC2.3).
 *
 * Per region: GetEbsEncryptionByDefault, and the volumes from the shared EC2 inventory (one
 * paginated read per region per run). The fix turns the setting on per region; the unencrypted
 * volumes are `manual` findings with the way to replace them (snapshot, encrypted copy, new volume).
 */
import { EC2Client, EnableEbsEncryptionByDefaultCommand, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import type { Volume } from '@aws-sdk/client-ec2';
import type { Finding, Plan, PlanAction, Step, StepContext } from '../../../src/engine/step-kit.js';
import { irreversible, nothingToUndo, plural, recordedInverse, sandboxOnly } from '../../../src/engine/step-kit.js';
import { READ_ACTION, labelled, volumes } from '../../../src/aws/ec2-inventory.js';
import { failure, forEachRegion, regionArn, someOf } from '../_shared/compute.js';
import { seedUnencrypted } from '../_shared/compute-fixtures.js';
import meta from './meta.js';

/** What a failing region finding carries for the plan. */
export interface DefaultOffData {
  region: string;
  /** The unencrypted volumes of the region, for the warning. */
  unencrypted: number;
}

const settingArn = (ctx: Pick<StepContext, 'target'>, region: string) => regionArn(ctx, region, 'ec2', 'ebs-encryption-by-default');

/** `vol-0abc (data) attached to i-0def`. */
export function volumeLabel(v: Volume): string {
  const attached = (v.Attachments ?? []).map((a) => a.InstanceId).filter(Boolean);
  return `${labelled(v.VolumeId!, v.Tags)}${attached.length ? ` on ${attached.join(', ')}` : ''}`;
}

/** The finding for the region's setting (exported for unit tests). */
export function settingFinding(ctx: Pick<StepContext, 'target'>, region: string, on: boolean, unencrypted: number): Finding {
  const base = { resource: settingArn(ctx, region), region };
  if (on) return { ...base, status: 'pass', message: `EBS encryption by default is on in ${region}: every new volume and snapshot copy there is encrypted.` };
  const data: DefaultOffData = { region, unencrypted };
  return {
    ...base,
    status: 'fail',
    message: `EBS encryption by default is off in ${region}: a volume made there without asking for encryption stores its data unencrypted.`,
    data: { ...data },
  };
}

/** One `manual` finding for a region's unencrypted volumes, or none (exported for unit tests). */
export function volumesFinding(ctx: Pick<StepContext, 'target'>, region: string, all: readonly Volume[]): Finding[] {
  const plain = all.filter((v) => v.Encrypted === false || v.Encrypted === undefined).sort((a, b) => (a.VolumeId ?? '').localeCompare(b.VolumeId ?? ''));
  if (!plain.length) return [];
  const attached = plain.filter((v) => v.Attachments?.length).length;
  return [
    {
      status: 'manual',
      resource: plain.length === 1 ? plain[0]!.VolumeId! : regionArn(ctx, region, 'ec2', 'volume/*'),
      region,
      message:
        `${plural(plain.length, 'volume')} in ${region} ${plain.length === 1 ? 'is' : 'are'} not encrypted (${attached} attached): ${someOf(plain.map(volumeLabel), 6)}. ` +
        'The setting does not change existing volumes: replace each one with an encrypted copy (snapshot it, copy the snapshot with encryption, make a volume from the copy, swap it in).',
      data: { region, volumes: plain.map((v) => v.VolumeId!) },
    },
  ];
}

async function checkRegion(ctx: StepContext, region: string): Promise<Finding[]> {
  const [setting, vols] = await Promise.allSettled([
    ctx.client(EC2Client, region).send(new GetEbsEncryptionByDefaultCommand({})),
    volumes(ctx, region),
  ]);
  const out: Finding[] = [];
  const volumeList = vols.status === 'fulfilled' ? vols.value : undefined;
  const plain = volumeList ? volumesFinding(ctx, region, volumeList) : [];
  if (setting.status === 'fulfilled') out.push(settingFinding(ctx, region, setting.value.EbsEncryptionByDefault === true, (plain[0]?.data?.volumes as string[] | undefined)?.length ?? 0));
  else out.push(failure(setting.reason, region, { service: 'Amazon EBS', permissions: ['ec2:GetEbsEncryptionByDefault'], resource: (r) => settingArn(ctx, r) }));
  if (vols.status === 'rejected')
    out.push(failure(vols.reason, region, { service: 'Amazon EC2', permissions: [READ_ACTION.volumes], resource: (r) => regionArn(ctx, r, 'ec2', 'volume/*') }));
  else out.push(...plain);
  return out;
}

function enableAction(region: string): PlanAction {
  return {
    service: 'ec2',
    operation: 'EnableEbsEncryptionByDefault',
    region,
    params: {},
    summary: `Turn on EBS encryption by default in ${region} (new volumes use the aws/ebs key unless another default key is set)`,
    inverse: { service: 'ec2', operation: 'DisableEbsEncryptionByDefault', region, params: {}, summary: `Turn EBS encryption by default off again in ${region}` },
    async run(ctx) {
      const out = await ctx.client(EC2Client, region).send(new EnableEbsEncryptionByDefaultCommand({}));
      return { output: { EbsEncryptionByDefault: out.EbsEncryptionByDefault ?? null } };
    },
  };
}

/** The hand-work for volumes made before the setting. */
export const REPLACE_GUIDANCE = [
  'Existing unencrypted volumes stay unencrypted. For each one:',
  '1. Stop what writes to it (or stop the instance) and create a snapshot of the volume.',
  '2. Copy the snapshot with **Encrypt this snapshot** ticked (aws/ebs, or a customer managed key when it will be shared).',
  '3. Create a volume from the encrypted copy in the same Availability Zone.',
  '4. Detach the old volume, attach the new one at the same device name, start the instance and check it.',
  '5. Delete the old volume and the unencrypted snapshot once you are sure.',
  '',
  'A root volume is replaced the same way with the instance stopped, the new volume attached as the root device. Or let EC2 swap it on the running instance, which it restarts: Replace root volume (EC2 console → Instance → Actions → Monitor and troubleshoot).',
].join('\n');

const step: Step = {
  meta,

  async check(ctx) {
    return forEachRegion(ctx, { service: 'Amazon EBS', permissions: meta.permissions.check, resource: (r) => settingArn(ctx, r) }, (region) => checkRegion(ctx, region));
  },

  async plan(_ctx, findings): Promise<Plan> {
    const off = findings.filter((f) => f.status === 'fail' && f.data && 'region' in f.data).map((f) => f.data as unknown as DefaultOffData);
    const manual = findings.filter((f) => f.status === 'manual');
    const actions = off.map((d) => enableAction(d.region));
    return { actions, ...(manual.length ? { guidance: REPLACE_GUIDANCE } : {}) };
  },

  /**
   * Undo: encryption by default off again, while it is still on. Volumes made meanwhile stay
   * encrypted (an encrypted volume cannot be made unencrypted): the undo says so.
   */
  async undo(ctx, entry) {
    if (entry.operation !== 'EnableEbsEncryptionByDefault' || !entry.inverse) return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
    const out = await ctx.client(EC2Client, entry.region).send(new GetEbsEncryptionByDefaultCommand({}));
    if (out.EbsEncryptionByDefault !== true) return nothingToUndo(`EBS encryption by default is off in ${entry.region} already, as before the fix.`);
    return {
      kind: 'undo',
      actions: [recordedInverse(entry)],
      warnings: [`Volumes made in ${entry.region} since the fix stay encrypted: turning the default off changes only volumes made from now on.`],
    };
  },

  /** day-one scenario: encryption by default off in the home region, and an unencrypted data volume. */
  async seed(ctx) {
    sandboxOnly(ctx);
    await seedUnencrypted(ctx);
  },
};

export default step;
