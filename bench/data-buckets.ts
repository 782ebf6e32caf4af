/**
 * Benchmark of the S3 access checks at scale (not part of npm test):
 *
 *   node --import tsx bench/data-buckets.ts
 *   BENCH_BUCKETS=50,500,1000 BENCH_LATENCY_MS=0,50 node --import tsx bench/data-buckets.ts
 *
 * For each size, on a private moto_server whose recorder writes to a temp dir: make the buckets
 * (with bounded concurrency; a tenth public, by ACL or by policy, and a third without a TLS-only
 * rule), then check data.s3-account-public-access, data.s3-bucket-public-access and
 * data.s3-tls-only through the engine (checkAll) as one run, and report the API requests (moto's
 * recorder, and the tool's own count by operation) and the wall time.
 *
 * What to read from it: the bucket reads are shared by the three steps, so requests stay near one
 * of each read per bucket. The reads run with bounded concurrency, which overlaps the waiting on
 * each round trip. moto on loopback has almost no round trip: it is bound by its own CPU (one
 * Python process), so there the wall time follows the request count. The second measurement adds
 * a fixed delay to every request, as a distant AWS region would, and compares the wall time with
 * what the same requests would take one at a time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GetBucketLocationCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { checkAll, mapLimit } from '../src/engine/runner.js';
import { motoReset, startMoto } from '../src/sandbox/moto.js';
import type { StepEntry } from '../steps/index.js';
import accountMeta from '../steps/data/s3-account-public-access/meta.js';
import bucketMeta from '../steps/data/s3-bucket-public-access/meta.js';
import tlsMeta from '../steps/data/s3-tls-only/meta.js';
import { makeBucket } from '../steps/data/_shared/bucket-fixtures.js';
import type { BucketFixture } from '../steps/data/_shared/bucket-fixtures.js';
import { recordRequests, requestTotal, statusLines, tally } from './cli-run.js';
import { benchContext } from './context.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SIZES = (process.env.BENCH_BUCKETS ?? '50,500').split(',').map(Number);
/** How many buckets are made at once while seeding. */
const SEED_CONCURRENCY = 16;

const entries: StepEntry[] = [
  { meta: accountMeta, load: async () => (await import('../steps/data/s3-account-public-access/index.js')).default },
  { meta: bucketMeta, load: async () => (await import('../steps/data/s3-bucket-public-access/index.js')).default },
  { meta: tlsMeta, load: async () => (await import('../steps/data/s3-tls-only/index.js')).default },
];

const context = benchContext;

/** Bucket i: every tenth public (by ACL or by policy, in turn), every third without a TLS-only rule. */
function fixture(i: number): BucketFixture {
  const name = `bench-${String(i).padStart(5, '0')}`;
  const arn = `arn:aws:s3:::${name}`;
  const statements: object[] = [];
  const isPublic = i % 10 === 0;
  const byPolicy = isPublic && i % 20 === 0;
  if (byPolicy) statements.push({ Sid: 'Anyone', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${arn}/*` });
  if (i % 3 !== 0)
    statements.push({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [arn, `${arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  return {
    name,
    ...(isPublic && !byPolicy ? { acl: 'public-read' as const } : {}),
    ...(statements.length ? { policy: { Version: '2012-10-17', Statement: statements } } : {}),
  };
}

interface Measured {
  latencyMs: number;
  wallMs: number;
  recorded: number;
  counted: Map<string, number>;
  results: string[];
}

/** The one middleware-stack method used here (the S3 and S3 Control clients' stacks differ in type only). */
interface MiddlewareAdder {
  add(mw: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, opts: { step: 'finalizeRequest'; name: string }): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Makes `n` buckets with bounded concurrency; returns the time it took. */
async function seed(endpoint: string, n: number): Promise<number> {
  await motoReset(endpoint);
  const ctx = context(endpoint, () => undefined);
  const t = performance.now();
  try {
    ctx.factory.readOnly = false;
    await mapLimit(
      Array.from({ length: n }, (_, i) => i),
      SEED_CONCURRENCY,
      (i) => makeBucket(ctx, fixture(i)),
    );
  } finally {
    ctx.factory.destroy();
  }
  return performance.now() - t;
}

/**
 * One check of the three steps with fresh clients and no shared reads. `latencyMs` delays every
 * request before it is sent, as a round trip to a distant AWS region would: moto answers on
 * loopback, so without it the emulator's own CPU time is all there is to wait for.
 */
async function check(endpoint: string, latencyMs: number): Promise<Measured> {
  const counted = new Map<string, number>();
  const ctx = context(endpoint, (service, operation) => tally(counted, `${service}:${operation}`));
  try {
    if (latencyMs > 0)
      for (const client of [ctx.client(S3Client), ctx.client(S3ControlClient)] as unknown as { middlewareStack: MiddlewareAdder }[])
        client.middlewareStack.add(
          (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
            await sleep(latencyMs);
            return next(args);
          },
          { step: 'finalizeRequest', name: 'benchLatency' },
        );
    const {
      value: [checked, wallMs],
      recorded,
    } = await recordRequests(endpoint, async () => {
      const t = performance.now();
      const checked = await checkAll(entries, ctx);
      return [checked, performance.now() - t] as const;
    });
    return { latencyMs, wallMs, recorded, counted, results: statusLines(checked.map((c) => c.result)) };
  } finally {
    ctx.factory.destroy();
  }
}

/** Requests per second moto answers one at a time: what a sequential tool would get at best. */
async function motoThroughput(endpoint: string): Promise<number> {
  const ctx = context(endpoint, () => undefined);
  try {
    const s3 = ctx.client(S3Client);
    const n = 100;
    const t = performance.now();
    for (let i = 0; i < n; i++) await s3.send(new GetBucketLocationCommand({ Bucket: fixture(0).name }));
    return (n * 1000) / (performance.now() - t);
  } finally {
    ctx.factory.destroy();
  }
}

const LATENCIES = (process.env.BENCH_LATENCY_MS ?? '0,50').split(',').map(Number);

const dir = await mkdtemp(join(tmpdir(), 'secure-start-bench-data-'));
const moto = await startMoto({ env: { MOTO_RECORDER_FILEPATH: join(dir, 'moto_recording.jsonl') } });
const runs = new Map<number, Map<number, Measured>>();
try {
  // Warm up: load the step modules and the SDK, so the first size is not charged for them.
  for (const e of entries) await e.load();
  await seed(moto.endpoint, 3);
  await check(moto.endpoint, 0);
  console.log(`moto answers about ${(await motoThroughput(moto.endpoint)).toFixed(0)} requests/s one at a time on this machine.`);

  for (const n of SIZES) {
    const seedMs = await seed(moto.endpoint, n);
    console.log(`\n${n} buckets (made in ${(seedMs / 1000).toFixed(1)} s; ${n / 10} public, ${Math.ceil(n / 3)} without a TLS-only rule)`);
    const byLatency = new Map<number, Measured>();
    runs.set(n, byLatency);
    for (const latency of LATENCIES) {
      const m = await check(moto.endpoint, latency);
      byLatency.set(latency, m);
      const total = requestTotal(m.counted);
      const label = latency ? `with ${latency} ms added to every request` : 'moto on loopback';
      const sequential = latency ? `; one at a time this would take at least ${((total * latency) / 1000).toFixed(0)} s` : '';
      console.log(`  ${label}: wall time ${m.wallMs.toFixed(0)} ms (${(m.wallMs / n).toFixed(1)} ms per bucket)${sequential}`);
      if (latency === LATENCIES[0]) {
        console.log(`    API requests ${m.recorded} seen by moto's recorder, ${total} sent by the tool (${(total / n).toFixed(2)} per bucket):`);
        for (const [op, k] of [...m.counted.entries()].sort()) console.log(`      ${op.padEnd(34)} ${k}`);
        for (const r of m.results) console.log(`    ${r}`);
      }
    }
  }
  if (SIZES.length > 1) {
    const [a, b] = [SIZES[0]!, SIZES.at(-1)!];
    console.log(`\n${a} → ${b} buckets (×${(b / a).toFixed(0)}):`);
    for (const latency of LATENCIES) {
      const [x, y] = [runs.get(a)!.get(latency)!, runs.get(b)!.get(latency)!];
      const label = latency ? `with ${latency} ms per request` : 'moto on loopback';
      console.log(`  ${label.padEnd(26)} requests ×${(y.recorded / x.recorded).toFixed(1)}, wall time ×${(y.wallMs / x.wallMs).toFixed(1)}`);
    }
  }
} finally {
  await moto.stop();
  await rm(dir, { recursive: true, force: true });
}
