/**
 * Benchmark (not part of npm test): the check of the four IAM-user steps (user-mfa,
 * unused-credentials, groups-only, no-admin-star-policies) on an account with many IAM users.
 *
 *   node --import tsx bench/account-users.ts
 *
 * For each size (BENCH_USERS, default "500,2000") it starts from an empty private moto_server,
 * seeds that many users quickly (bounded concurrency): half with policies of their own (alternately
 * a customer-managed policy and an inline one), a quarter with an access key, and, unless
 * BENCH_OLD_KEYS=0, those keys "old" (the sandbox's aged-path convention, since moto cannot
 * back-date). Then it runs the four checks through the engine (checkAll, as a run does) and
 * reports wall time and API requests as moto's recorder saw them and as the tool counted them.
 *
 * What it shows: the bulk reads (credential report, authorization details) do not grow with the
 * number of users, and nothing else is read: no check makes a per-user call. unused-credentials
 * names a flagged key by its slot in the report; only its plan looks up key ids (ListAccessKeys),
 * and this benchmark runs no plan, so the ListAccessKeys column should read 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { RunContext } from '../src/engine/context.js';
import { checkAll, mapLimit } from '../src/engine/runner.js';
import { motoReset, startMoto } from '../src/sandbox/moto.js';
import type { StepEntry } from '../steps/index.js';
import { SANDBOX_AGE_PATH } from '../steps/account/_shared/credentials-inputs.js';
import groupsOnly from '../steps/account/groups-only/meta.js';
import noAdminStar from '../steps/account/no-admin-star-policies/meta.js';
import unusedCredentials from '../steps/account/unused-credentials/meta.js';
import userMfa from '../steps/account/user-mfa/meta.js';
import { benchContext } from './context.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SIZES = (process.env.BENCH_USERS ?? '500,2000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const OLD_KEYS = process.env.BENCH_OLD_KEYS !== '0';
const SEED_CONCURRENCY = Number(process.env.BENCH_SEED_CONCURRENCY ?? 32);

const entries: StepEntry[] = [
  { meta: userMfa, load: async () => (await import('../steps/account/user-mfa/index.js')).default },
  { meta: unusedCredentials, load: async () => (await import('../steps/account/unused-credentials/index.js')).default },
  { meta: groupsOnly, load: async () => (await import('../steps/account/groups-only/index.js')).default },
  { meta: noAdminStar, load: async () => (await import('../steps/account/no-admin-star-policies/index.js')).default },
];

const context = benchContext;

const INLINE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] });

/** Users: even ones hold a policy of their own (customer-managed or inline, alternately); one in four has a key. */
async function seed(ctx: RunContext, users: number): Promise<{ own: number; keys: number }> {
  ctx.factory.readOnly = false;
  const iam = ctx.client(IAMClient);
  const policy = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'bench-read-reports',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }] }),
    }),
  );
  let own = 0;
  let keys = 0;
  await mapLimit(
    Array.from({ length: users }, (_, i) => i),
    SEED_CONCURRENCY,
    async (i) => {
      const name = `bench-user-${String(i).padStart(5, '0')}`;
      const withKey = i % 4 === 1;
      await iam.send(new CreateUserCommand({ UserName: name, ...(withKey && OLD_KEYS ? { Path: SANDBOX_AGE_PATH(120) } : {}) }));
      if (i % 2 === 0) {
        own++;
        if (i % 4 === 0) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: policy.Policy!.Arn! }));
        else await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'send', PolicyDocument: INLINE }));
      }
      if (withKey) {
        keys++;
        await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      }
    },
  );
  ctx.factory.readOnly = true;
  ctx.invalidate();
  return { own, keys };
}

async function recorder(endpoint: string, path: string, method: 'GET' | 'POST' = 'POST'): Promise<string> {
  const res = await fetch(`${endpoint}/moto-api/recorder/${path}`, { method });
  const text = await res.text();
  if (!res.ok) throw new Error(`recorder ${path}: HTTP ${res.status}`);
  return text;
}

/** `Action=…` of each recorded request (IAM and STS are query protocols). */
function recordedActions(jsonl: string): string[] {
  return jsonl
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l) as { body?: string; body_encoded?: boolean; url: string; method: string };
      const body = r.body ? (r.body_encoded ? Buffer.from(r.body, 'base64').toString('utf8') : r.body) : '';
      return new URLSearchParams(body).get('Action') ?? `${r.method} ${new URL(r.url).pathname}`;
    })
    .filter((a) => !a.includes('/moto-api/'));
}

const tally = (xs: string[]) => [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b));

interface Row {
  users: number;
  seedSeconds: number;
  checkMs: number;
  recorded: number;
  counted: number;
  listAccessKeys: number;
  flaggedKeyUsers: number;
}

async function runSize(endpoint: string, users: number): Promise<Row> {
  await motoReset(endpoint);
  const counted: string[] = [];
  const ctx = context(endpoint, (_service, operation) => counted.push(operation));
  try {
    const t0 = performance.now();
    const { own, keys } = await seed(ctx, users);
    const seedSeconds = (performance.now() - t0) / 1000;
    counted.length = 0;
    await recorder(endpoint, 'reset-recording');
    await recorder(endpoint, 'start-recording');
    const t1 = performance.now();
    const results = await checkAll(entries, ctx);
    const checkMs = performance.now() - t1;
    await recorder(endpoint, 'stop-recording');
    const recorded = recordedActions(await recorder(endpoint, 'download-recording', 'GET'));

    console.log(`\n${users} IAM users (${own} with policies of their own, ${keys} with ${OLD_KEYS ? 'old ' : ''}access keys), seeded in ${seedSeconds.toFixed(1)} s`);
    for (const c of results) {
      const fails = c.result.findings.filter((f) => f.status === 'fail').length;
      console.log(`  ${c.result.step.padEnd(32)} ${c.result.status.padEnd(6)} ${fails} failing finding${fails === 1 ? '' : 's'}`);
    }
    console.log(`  check wall time          ${checkMs.toFixed(0)} ms`);
    console.log(`  API requests             ${recorded.length} seen by moto's recorder, ${counted.length} sent by the tool`);
    for (const [op, n] of tally(recorded)) console.log(`    ${op.padEnd(32)} ${n}`);
    const flaggedKeyUsers = new Set(
      results
        .filter((c) => c.result.step === unusedCredentials.id)
        .flatMap((c) => c.result.findings.filter((f) => f.data?.kind === 'stale-key').map((f) => String(f.data!.user))),
    ).size;
    return {
      users,
      seedSeconds,
      checkMs,
      recorded: recorded.length,
      counted: counted.length,
      listAccessKeys: recorded.filter((a) => a === 'ListAccessKeys').length,
      flaggedKeyUsers,
    };
  } finally {
    ctx.factory.destroy();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'secure-start-bench-users-'));
const moto = await startMoto({ env: { MOTO_RECORDER_FILEPATH: join(dir, 'recording.jsonl') } });
try {
  const rows: Row[] = [];
  for (const n of SIZES) rows.push(await runSize(moto.endpoint, n));
  console.log('\nSummary: check of the four IAM-user steps');
  console.log('  users  check ms  requests  of which ListAccessKeys  users with a flagged key  other requests');
  for (const r of rows)
    console.log(
      `  ${String(r.users).padStart(5)}  ${r.checkMs.toFixed(0).padStart(8)}  ${String(r.recorded).padStart(8)}  ${String(r.listAccessKeys).padStart(22)}  ${String(r.flaggedKeyUsers).padStart(24)}  ${String(r.recorded - r.listAccessKeys).padStart(14)}`,
    );
  console.log(
    '  Bulk reads stay the same whatever the number of users, and no check calls anything per user: flagged keys are named' +
      ' by report slot, and only a plan looks up key ids (ListAccessKeys) for the keys chosen' +
      (OLD_KEYS ? ' (here every key is old on purpose; BENCH_OLD_KEYS=0 makes them new).' : '.'),
  );
} finally {
  await moto.stop();
  await rm(dir, { recursive: true, force: true });
}
