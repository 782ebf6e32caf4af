/**
 * Benchmark of `check` on the resources area's database and function steps at scale (not part of
 * npm test):
 *
 *   node --import tsx bench/resources-data.ts
 *   BENCH_REGIONS=us-east-1,eu-west-1 BENCH_FUNCTIONS=200 BENCH_DATABASES=40 node --import tsx bench/resources-data.ts
 *
 * On a private moto_server: 4 regions with 100 databases and 500 functions in all, spread evenly;
 * every 5th function has a policy statement for everyone, every 7th a function URL without auth,
 * every 3rd a deprecated runtime; every other database is public; each region has one AWS Backup plan
 * (resources.backups reads it and its selections: per plan, never per database). Then the built CLI runs `check`
 * on the database and function steps this build has (resources.rds-*, resources.backups,
 * resources.lambda-*) exactly as a person would, with --verbose so every AWS request it sends is
 * named on stderr. The same is run with one database and one function per region, to show what
 * grows with regions and pages and what grows with functions: Lambda has no batch form of
 * GetPolicy and GetFunctionUrlConfig, so those are reported per function.
 * moto answers ListFunctions in one page whatever MaxItems says; real AWS pages 50 at a time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AddPermissionCommand, CreateFunctionUrlConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BackupClient, CreateBackupPlanCommand } from '@aws-sdk/client-backup';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { mapLimit } from '../src/engine/step-kit.js';
import { motoReset, startMoto } from '../src/sandbox/moto.js';
import { registry } from '../steps/index.js';
import { ensureDayOneRole, ensureFunction } from '../steps/resources/_shared/lambda-fixtures.js';
import { printRun, requestTotal as total, runCheck, seconds } from './cli-run.js';
import type { CliRun } from './cli-run.js';
import { benchContext } from './context.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGIONS = (process.env.BENCH_REGIONS ?? 'us-east-1,eu-west-1,ap-southeast-2,sa-east-1').split(',');
const FUNCTIONS = Number(process.env.BENCH_FUNCTIONS ?? 500);
const DATABASES = Number(process.env.BENCH_DATABASES ?? 100);
const STEPS = registry.map((e) => e.meta.id).filter((id) => /^resources\.(rds-|backups|lambda-)/.test(id));
const PER_FUNCTION = ['Lambda:GetPolicy', 'Lambda:GetFunctionUrlConfig'];

async function seed(endpoint: string, functions: number, databases: number): Promise<number> {
  await motoReset(endpoint);
  const ctx = benchContext(endpoint, () => undefined);
  ctx.factory.readOnly = false;
  const t = performance.now();
  try {
    const role = await ensureDayOneRole(ctx);
    await mapLimit(REGIONS, 4, async (region, r) => {
      const lambda = ctx.client(LambdaClient, region);
      const mine = Array.from({ length: functions }, (_, i) => i).filter((i) => i % REGIONS.length === r);
      await mapLimit(mine, 8, async (i) => {
        const name = `bench-fn-${String(i).padStart(4, '0')}`;
        await ensureFunction(lambda, { name, role, runtime: i % 3 === 0 ? 'python3.8' : 'python3.13' });
        if (i % 5 === 0) await lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: 'Anyone', Action: 'lambda:InvokeFunction', Principal: '*' }));
        if (i % 7 === 0) await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE' }));
      });
      await ctx.client(BackupClient, region).send(
        new CreateBackupPlanCommand({ BackupPlan: { BackupPlanName: 'bench-daily', Rules: [{ RuleName: 'daily', TargetBackupVaultName: 'Default', ScheduleExpression: 'cron(0 5 ? * * *)' }] } }),
      );
      const rds = ctx.client(RDSClient, region);
      const dbs = Array.from({ length: databases }, (_, i) => i).filter((i) => i % REGIONS.length === r);
      await mapLimit(dbs, 8, (i) =>
        rds.send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier: `bench-db-${String(i).padStart(3, '0')}`,
            Engine: 'postgres',
            DBInstanceClass: 'db.t4g.micro',
            AllocatedStorage: 20,
            MasterUsername: 'bench',
            MasterUserPassword: 'bench-password-1',
            PubliclyAccessible: i % 2 === 0,
            BackupRetentionPeriod: 1,
          }),
        ),
      );
    });
  } finally {
    ctx.factory.destroy();
  }
  return performance.now() - t;
}

const perFunction = (op: string) => PER_FUNCTION.some((p) => op.endsWith(p));

function report(run: CliRun, functions: number): void {
  printRun(run, {
    label: 'check',
    requestsSummary: `${total(run)} (${total(run, (op) => !perFunction(op))} regional/paged, ${total(run, perFunction)} per function)`,
    note: (op, k) => (perFunction(op) ? `  (${(k / Math.max(1, functions)).toFixed(2)} per function)` : ''),
  });
}

const dir = await mkdtemp(join(tmpdir(), 'secure-start-bench-resources-'));
const moto = await startMoto({ env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'false' } });
try {
  console.log(`check ${STEPS.join(', ')} over ${REGIONS.length} regions (${REGIONS.join(', ')})`);
  const results: Array<[number, number, CliRun]> = [];
  for (const [functions, databases] of [
    [REGIONS.length, REGIONS.length],
    [FUNCTIONS, DATABASES],
  ] as const) {
    const seedMs = await seed(moto.endpoint, functions, databases);
    console.log(`\n${functions} functions and ${databases} databases in all (made in ${(seedMs / 1000).toFixed(1)} s)`);
    const run = await runCheck(moto.endpoint, dir, [...STEPS.flatMap((id) => ['--step', id]), '--regions', REGIONS.join(',')]);
    report(run, functions);
    results.push([functions, databases, run]);
  }
  const [[f1, d1, a], [f2, d2, b]] = results as [[number, number, CliRun], [number, number, CliRun], ...unknown[]];
  console.log(
    `\n${f1} → ${f2} functions, ${d1} → ${d2} databases: requests without the per-function reads ${total(a, (op) => !perFunction(op))} → ${total(b, (op) => !perFunction(op))}; ` +
      `per-function reads ${total(a, perFunction)} → ${total(b, perFunction)}; wall time ${seconds(a.wallMs)} s → ${seconds(b.wallMs)} s`,
  );
} finally {
  await moto.stop();
  await rm(dir, { recursive: true, force: true });
}
