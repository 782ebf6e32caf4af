/**
 * resources.rds-hardening: every RDS database is encrypted at rest (CIS 3.2.1, FSBP RDS.3), has
 * deletion protection (FSBP RDS.8), accepts IAM authentication where its engine can (FSBP RDS.10:
 * MySQL, MariaDB, PostgreSQL, Aurora), and takes automatic minor version upgrades (CIS 3.2.2,
 * FSBP RDS.13); Multi-AZ is advice, with its price. Judgement in ./judge.ts.
 *
 * The fix is one ModifyDBInstance (or ModifyDBCluster) per database with the settings it lacks.
 * Deletion protection and minor upgrades take effect at once; IAM authentication waits for the
 * next maintenance window unless the person chooses now (ApplyImmediately, which also brings
 * forward any other change already waiting there: the plan names them). Encryption cannot be
 * switched on in place: the plan's guidance gives the snapshot → encrypted copy → restore commands.
 */
import { ModifyDBClusterCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import type { Finding, Plan, PlanAction, Step, StepContext, StepInputs, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { eachRegion, formatZodError, irreversible, nothingToUndo, recordedInverse, undoWith } from '../../../src/engine/step-kit.js';
import { callOperation } from '../../../src/aws/call.js';
import { REGION_CONCURRENCY, databases, noDatabases, rdsRead, seedDayOneDatabase } from '../_shared/rds.js';
import { encryptionGuidance } from './encryption.js';
import type { HardeningData, Setting } from './judge.js';
import { hardeningFindings } from './judge.js';
import meta from './meta.js';

export interface RdsHardeningInputs {
  /** When IAM authentication is turned on: `now` (ApplyImmediately) or in the next maintenance window. */
  when: 'maintenance-window' | 'now';
}

const inputsSchema = z.strictObject({
  when: z.enum(['maintenance-window', 'now'], { error: 'use "maintenance-window" or "now"' }).default('maintenance-window'),
});

function failing(findings: Finding[]): HardeningData[] {
  return findings.filter((f) => f.status === 'fail' && f.data).map((f) => f.data as unknown as HardeningData);
}

function parseInputs(given: unknown): RdsHardeningInputs {
  const parsed = inputsSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

const PARAM: Record<Exclude<Setting, 'encryption'>, 'DeletionProtection' | 'EnableIAMDatabaseAuthentication' | 'AutoMinorVersionUpgrade'> = {
  deletionProtection: 'DeletionProtection',
  iamAuth: 'EnableIAMDatabaseAuthentication',
  minorUpgrades: 'AutoMinorVersionUpgrade',
};

const WORDS: Record<Exclude<Setting, 'encryption'>, string> = {
  deletionProtection: 'deletion protection',
  iamAuth: 'IAM authentication',
  minorUpgrades: 'automatic minor version upgrades',
};

const list = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** One call per database with every setting it lacks (exported for unit tests). */
export function modifyAction(dbSettings: HardeningData[], applyNow: boolean): PlanAction {
  const d = dbSettings[0]!;
  const settings = dbSettings.map((s) => s.setting as Exclude<Setting, 'encryption'>);
  const on = Object.fromEntries(settings.map((s) => [PARAM[s], true])) as Record<string, boolean>;
  const off = Object.fromEntries(settings.map((s) => [PARAM[s], false])) as Record<string, boolean>;
  const cluster = d.kind === 'cluster';
  const id = cluster ? { DBClusterIdentifier: d.id } : { DBInstanceIdentifier: d.id };
  const params = { ...id, ...on, ApplyImmediately: applyNow };
  const operation = cluster ? 'ModifyDBCluster' : 'ModifyDBInstance';
  const when = settings.includes('iamAuth') && !applyNow ? ' (IAM authentication in the next maintenance window)' : '';
  return {
    service: 'rds',
    operation,
    region: d.region,
    params,
    summary: `Turn on ${list(settings.map((s) => WORDS[s]))} for ${d.label} in ${d.region}${when}`,
    inverse: {
      service: 'rds',
      operation,
      region: d.region,
      params: { ...id, ...off, ApplyImmediately: true },
      summary: `Turn ${list(settings.map((s) => WORDS[s]))} off again for ${d.label} in ${d.region}`,
    },
    async run(ctx) {
      const rds = ctx.client(RDSClient, d.region);
      if (cluster) await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: d.id, ...on, ApplyImmediately: applyNow }));
      else await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: d.id, ...on, ApplyImmediately: applyNow }));
    },
  };
}

/** The database's value of each ModifyDB* flag, a change waiting for the maintenance window counted as made. */
function flagsNow(db: { DeletionProtection?: boolean; IAMDatabaseAuthenticationEnabled?: boolean; AutoMinorVersionUpgrade?: boolean; PendingModifiedValues?: object }) {
  const pending = (db.PendingModifiedValues ?? {}) as { IAMDatabaseAuthenticationEnabled?: boolean };
  return {
    DeletionProtection: db.DeletionProtection === true,
    EnableIAMDatabaseAuthentication: db.IAMDatabaseAuthenticationEnabled === true || pending.IAMDatabaseAuthenticationEnabled === true,
    AutoMinorVersionUpgrade: db.AutoMinorVersionUpgrade === true,
  } as Record<string, boolean>;
}

/**
 * Undo: each setting the fix turned on goes off again, as the check read it before, while it is
 * still on. A setting someone turned off since is left out (it is as before already).
 */
async function undoChange(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  if ((entry.operation !== 'ModifyDBInstance' && entry.operation !== 'ModifyDBCluster') || !entry.inverse)
    return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
  const cluster = entry.operation === 'ModifyDBCluster';
  const p = entry.params as Record<string, unknown>;
  const id = String(cluster ? p.DBClusterIdentifier : p.DBInstanceIdentifier);
  const dbs = await databases(ctx, entry.region);
  const db = cluster ? dbs.clusters.find((c) => c.DBClusterIdentifier === id) : dbs.instances.find((i) => i.DBInstanceIdentifier === id);
  if (!db) return nothingToUndo(`Database ${id} in ${entry.region} no longer exists.`);
  const now = flagsNow(db);
  const turnedOn = Object.values(PARAM).filter((k) => p[k] === true);
  const stillOn = turnedOn.filter((k) => now[k]);
  if (!stillOn.length) return nothingToUndo(`${id} in ${entry.region} has ${turnedOn.join(', ')} off again, as before the fix.`);
  if (stillOn.length === turnedOn.length) return undoWith(recordedInverse(entry));
  const idParam = cluster ? { DBClusterIdentifier: id } : { DBInstanceIdentifier: id };
  const spec = { service: 'rds', operation: entry.operation, region: entry.region, params: { ...idParam, ...Object.fromEntries(stillOn.map((k) => [k, false])), ApplyImmediately: true } };
  const action: PlanAction = {
    ...spec,
    summary: `Turn ${stillOn.join(', ')} off again for ${id} in ${entry.region}`,
    async run(c) {
      await callOperation(c, spec);
    },
  };
  return undoWith(action);
}

const inputs: StepInputs<RdsHardeningInputs> = {
  schema: inputsSchema,
  requiredInAnswers: false,
  defaults: () => ({ when: 'maintenance-window' }),

  async ask(asker, initial, findings) {
    const iam = failing(findings).filter((d) => d.setting === 'iamAuth');
    if (!iam.length) return initial;
    const waiting = iam.filter((d) => d.otherPending?.length);
    const when = await asker.select<RdsHardeningInputs['when']>({
      message: `When should IAM authentication be turned on for ${list(iam.map((d) => d.label))}?`,
      choices: [
        { value: 'maintenance-window', name: 'In the next maintenance window (recommended)', description: 'No change to the running database until then.' },
        {
          value: 'now',
          name: 'Now',
          description: waiting.length
            ? `Also applies changes already waiting for the window: ${waiting.map((d) => `${d.label}: ${d.otherPending!.join(', ')}`).join('; ')}.`
            : 'No restart is needed; existing connections are not dropped.',
        },
      ],
      default: initial.when,
    });
    return { when };
  },
};

const step: Step<RdsHardeningInputs> = {
  meta,
  inputs,

  async check(ctx) {
    return eachRegion(
      ctx,
      async (region) => {
        const found = hardeningFindings(region, await databases(ctx, region));
        return found.length ? found : [noDatabases(ctx, region, 'nothing to harden')];
      },
      (region) => rdsRead(ctx, region),
      REGION_CONCURRENCY,
    );
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const applyNow = parseInputs(given).when === 'now';
    const all = failing(findings);
    // A change already scheduled for the window is planned again only to bring it forward.
    const settable = all.filter((d) => d.setting !== 'encryption' && (!d.pending || applyNow));
    const byDb = new Map<string, HardeningData[]>();
    for (const d of settable) byDb.set(`${d.region}/${d.kind}/${d.id}`, [...(byDb.get(`${d.region}/${d.kind}/${d.id}`) ?? []), d]);
    const actions = [...byDb.values()].map((s) => modifyAction(s, applyNow));
    const warnings: string[] = [];
    if (applyNow) {
      const waiting = settable.filter((d) => d.setting === 'iamAuth' && d.otherPending?.length);
      for (const d of waiting)
        warnings.push(
          `${d.label} in ${d.region} has changes waiting for its maintenance window (${d.otherPending!.join(', ')}): applying now brings them forward too, and some restart the database.`,
        );
    }
    const scheduled = all.filter((d) => d.pending && !applyNow);
    for (const d of scheduled)
      warnings.push(`IAM authentication for ${d.label} in ${d.region} is already scheduled for the next maintenance window; choose "now" to bring it forward.`);
    const unencrypted = all.filter((d) => d.setting === 'encryption');
    return {
      actions,
      ...(warnings.length ? { warnings } : {}),
      ...(unencrypted.length ? { guidance: encryptionGuidance(unencrypted) } : {}),
    };
  },

  undo: undoChange,

  /** day-one scenario: the shared day-one database, unencrypted and unprotected (../_shared/rds.ts). */
  seed: seedDayOneDatabase,
};

export default step;
