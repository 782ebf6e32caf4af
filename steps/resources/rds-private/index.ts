/**
 * resources.rds-private: no RDS database has a public address (CIS 3.2.3, FSBP RDS.2). A publicly
 * accessible database gets an endpoint that resolves to a public IP, so only its security groups
 * stand between it and every password-guessing scanner on the internet.
 *
 * Instances carry the setting themselves (Aurora's too); a Multi-AZ DB cluster (MySQL or PostgreSQL
 * with two readable standbys) carries it on the cluster, and its members are judged through it.
 * The fix is ModifyDBInstance PubliclyAccessible=false, ApplyImmediately: whoever connects from
 * outside the VPC is cut off, so each database changes only when the person names it (a
 * confirmation per database in the wizard, its name in the answers file for `fix --yes`).
 * ModifyDBCluster cannot change a Multi-AZ DB cluster's public access: the plan's guidance says how
 * to replace one with a private copy.
 */
import { ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { z } from 'zod';
import type { Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { drifted, eachRegion, formatZodError, irreversible, nothingToUndo, recordedInverse, undoWith } from '../../../src/engine/step-kit.js';
import {
  DB_NAME,
  REGION_CONCURRENCY,
  clusterLabel,
  databases,
  instanceLabel,
  isAurora,
  namedIn,
  noDatabases,
  rdsRead,
  seedDayOneDatabase,
} from '../_shared/rds.js';
import meta from './meta.js';

export interface RdsPrivateInputs {
  /** The public databases to make private: `name` (any region of the run) or `region/name`. Nothing is implied. */
  databases: string[];
}

const inputsSchema = z.strictObject({
  databases: z
    .array(z.string().trim().regex(DB_NAME, 'a database identifier (letters, digits, hyphens), optionally as region/identifier'))
    .default([]),
});

/** What a failing finding carries for the plan. */
const dataSchema = z.object({
  kind: z.enum(['instance', 'cluster']),
  id: z.string(),
  region: z.string(),
  label: z.string(),
  endpoint: z.string().optional(),
});
export type PublicDb = z.infer<typeof dataSchema>;

function publicOnes(findings: Finding[]): PublicDb[] {
  return findings.filter((f) => f.status === 'fail' && f.data).map((f) => dataSchema.parse(f.data));
}

const groups = (sgs: { VpcSecurityGroupId?: string }[] | undefined) => (sgs ?? []).map((g) => g.VpcSecurityGroupId).filter(Boolean).join(', ');

function instanceFinding(i: DBInstance, region: string): Finding {
  const label = instanceLabel(i);
  const base = { resource: i.DBInstanceArn ?? i.DBInstanceIdentifier!, region };
  const where = `Database ${label} in ${region}`;
  if (i.PubliclyAccessible === undefined)
    return { ...base, status: 'manual', message: `${where}: RDS did not say whether it is publicly accessible; look at "Publicly accessible" in the RDS console.` };
  if (!i.PubliclyAccessible) return { ...base, status: 'pass', message: `${where} is not publicly accessible: it has only a private address in its VPC.` };
  const endpoint = i.Endpoint?.Address;
  const sgs = groups(i.VpcSecurityGroups);
  const data: PublicDb = { kind: 'instance', id: i.DBInstanceIdentifier!, region, label, ...(endpoint ? { endpoint } : {}) };
  return {
    ...base,
    status: 'fail',
    message:
      `${where} is publicly accessible: ${endpoint ? `its endpoint ${endpoint}` : 'its endpoint'} resolves to a public IP address, ` +
      `so anyone on the internet can try to connect; only its security groups${sgs ? ` (${sgs})` : ''} decide who gets through.`,
    data: { ...data },
  };
}

function clusterFinding(c: DBCluster, region: string): Finding {
  const label = clusterLabel(c);
  const base = { resource: c.DBClusterArn ?? c.DBClusterIdentifier!, region };
  const where = `Multi-AZ DB ${label} in ${region}`;
  if (!c.PubliclyAccessible) return { ...base, status: 'pass', message: `${where} is not publicly accessible.` };
  const data: PublicDb = { kind: 'cluster', id: c.DBClusterIdentifier!, region, label, ...(c.Endpoint ? { endpoint: c.Endpoint } : {}) };
  return {
    ...base,
    status: 'fail',
    message: `${where} is publicly accessible: its instances have public addresses, so anyone on the internet can try to connect; only its security groups decide who gets through.`,
    data: { ...data },
  };
}

/** The findings of one region's databases (exported for unit tests). */
export function regionFindings(ctx: Pick<StepContext, 'target'>, region: string, dbs: { instances: DBInstance[]; clusters: DBCluster[] }): Finding[] {
  // Multi-AZ DB clusters (not Aurora) hold the setting on the cluster; Aurora holds it on each instance.
  const multiAz = dbs.clusters.filter((c) => !isAurora(c.Engine));
  const viaCluster = new Set(multiAz.map((c) => c.DBClusterIdentifier));
  const out = [
    ...dbs.instances.filter((i) => !(i.DBClusterIdentifier && viaCluster.has(i.DBClusterIdentifier))).map((i) => instanceFinding(i, region)),
    ...multiAz.map((c) => clusterFinding(c, region)),
  ];
  return out.length ? out : [noDatabases(ctx, region, 'nothing can be reached from the internet')];
}

function parseInputs(given: unknown): RdsPrivateInputs {
  const parsed = inputsSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

function privateAction(d: PublicDb): PlanAction {
  const params = { DBInstanceIdentifier: d.id, PubliclyAccessible: false, ApplyImmediately: true };
  return {
    service: 'rds',
    operation: 'ModifyDBInstance',
    region: d.region,
    params,
    destructive: true,
    summary: `Make ${d.label} in ${d.region} private: remove its public address now; clients outside its VPC lose access`,
    inverse: {
      service: 'rds',
      operation: 'ModifyDBInstance',
      region: d.region,
      params: { ...params, PubliclyAccessible: true },
      summary: `Make ${d.label} in ${d.region} publicly accessible again`,
    },
    async run(ctx) {
      await ctx.client(RDSClient, d.region).send(new ModifyDBInstanceCommand(params));
    },
  };
}

/** ModifyDBCluster has no PubliclyAccessible: a public Multi-AZ DB cluster is replaced by a private copy, by hand. */
function clusterGuidance(clusters: PublicDb[]): string {
  const lines = [
    '### Public Multi-AZ DB clusters',
    '',
    'The RDS API cannot take the public address away from a Multi-AZ DB cluster; a private copy replaces it. For each one:',
    '',
  ];
  for (const c of clusters)
    lines.push(
      `- **${c.label}** in ${c.region}:`,
      '  ```sh',
      `  aws rds create-db-cluster-snapshot --region ${c.region} --db-cluster-identifier ${c.id} --db-cluster-snapshot-identifier ${c.id}-private-move`,
      `  aws rds restore-db-cluster-from-snapshot --region ${c.region} --db-cluster-identifier ${c.id}-private \\`,
      `    --snapshot-identifier ${c.id}-private-move --engine <engine> --db-cluster-instance-class <class> --no-publicly-accessible`,
      '  ```',
      '  Point the clients at the new endpoint, then delete the old cluster (writes made after the snapshot are not in the copy: stop them first).',
    );
  return lines.join('\n');
}

const inputs: StepInputs<RdsPrivateInputs> = {
  schema: inputsSchema,
  requiredInAnswers: false,
  defaults: () => ({ databases: [] }),

  async ask(asker, initial, findings) {
    const chosen: string[] = [];
    for (const d of publicOnes(findings).filter((p) => p.kind === 'instance')) {
      const name = `${d.region}/${d.id}`;
      const yes = await asker.confirm({
        message:
          `Make ${d.label} in ${d.region} private? Anything that connects to it from outside its VPC ` +
          '(your laptop, an app hosted elsewhere) loses access at once; apps inside the VPC keep working.',
        default: namedIn(initial.databases, d.region, d.id),
      });
      if (yes) chosen.push(name);
    }
    return { databases: chosen };
  },
};

const step: Step<RdsPrivateInputs> = {
  meta,
  inputs,

  async check(ctx) {
    return eachRegion(ctx, async (region) => regionFindings(ctx, region, await databases(ctx, region)), (region) => rdsRead(ctx, region), REGION_CONCURRENCY);
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const { databases: names } = parseInputs(given);
    const actions: PlanAction[] = [];
    const warnings: string[] = [];
    const left: PublicDb[] = [];
    const clusters: PublicDb[] = [];
    for (const d of publicOnes(findings)) {
      if (d.kind === 'cluster') clusters.push(d);
      else if (namedIn(names, d.region, d.id)) actions.push(privateAction(d));
      else left.push(d);
    }
    if (actions.length)
      warnings.push(
        'Before you confirm: people and programs that reach these databases from the internet lose access at once. ' +
          'Reach them from inside the VPC instead (an app in the same VPC, Session Manager port forwarding, or a VPN).',
      );
    for (const d of left)
      warnings.push(
        `${d.label} in ${d.region} is left publicly accessible: a database is made private only when it is named ` +
          `(wizard: answer yes for it; answers file: "${meta.id}": { "databases": ["${d.region}/${d.id}"], "apply": true }).`,
      );
    return { actions, ...(warnings.length ? { warnings } : {}), ...(clusters.length ? { guidance: clusterGuidance(clusters) } : {}) };
  },

  /**
   * Undo: the database public again, as before the fix, while it is still private. Giving a
   * database back its public address re-exposes it, so the action is destructive: confirmed with
   * a default of No, and left out by `undo --yes`.
   */
  async undo(ctx, entry) {
    const wrote = entry.params as { DBInstanceIdentifier?: string; PubliclyAccessible?: boolean };
    if (entry.operation !== 'ModifyDBInstance' || !wrote.DBInstanceIdentifier || wrote.PubliclyAccessible !== false || !entry.inverse)
      return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
    const db = (await databases(ctx, entry.region)).instances.find((i) => i.DBInstanceIdentifier === wrote.DBInstanceIdentifier);
    const name = `Database ${wrote.DBInstanceIdentifier} in ${entry.region}`;
    if (!db) return nothingToUndo(`${name} no longer exists.`);
    if (db.PubliclyAccessible === true) return nothingToUndo(`${name} is publicly accessible again, as before the fix.`);
    if (db.PubliclyAccessible !== false) return drifted(name, { now: 'RDS does not say whether it is publicly accessible', wrote: 'not publicly accessible' });
    return undoWith(recordedInverse(entry, { destructive: true }));
  },

  /** day-one scenario: the shared day-one database, publicly accessible (../_shared/rds.ts). */
  seed: seedDayOneDatabase,
};

export default step;
