/**
 * Benchmarks (npm run bench), never part of npm test:
 * 1. start-up: median wall time of `secure-start --help` and `secure-start lessons` against
 *    `node -e 0` on the same machine in the same run (target: at most 2×), and `npm start -- --help`
 *    with nothing changed since the last build against the built CLI (target: under 1 s more);
 * 2. `check` of the implemented steps against a local moto: API requests (moto's recorder and the
 *    tool's own count) and wall time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { registry } from '../steps/index.js';
import { checkAll } from '../src/engine/runner.js';
import { seedScenario } from '../src/engine/scenario.js';
import { openSession } from '../src/engine/session.js';
import { startMoto } from '../src/sandbox/moto.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const BIN = resolve('bin/secure-start.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return performance.now() - t;
}

/** `npm start -- --help` with an up-to-date build vs the built CLI: the up-to-date check must stay cheap. */
function npmStart(): boolean {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = (cmd: string, args: string[]) => {
    const t = performance.now();
    const r = spawnSync(cmd, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    return performance.now() - t;
  };
  run(npm, ['start', '--silent', '--', '--help']); // builds once if anything changed
  const viaNpm: number[] = [];
  const built: number[] = [];
  for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 3)); i++) {
    viaNpm.push(run(npm, ['start', '--silent', '--', '--help']));
    built.push(run(process.execPath, [BIN, '--help']));
  }
  const extra = median(viaNpm) - median(built);
  console.log(`\nnpm start with nothing changed (target: under 1000 ms more than the built CLI)`);
  console.log(`  ${'npm start -- --help'.padEnd(26)} ${median(viaNpm).toFixed(1).padStart(7)} ms`);
  console.log(`  ${'node bin/secure-start.js --help'.padEnd(26)} ${median(built).toFixed(1).padStart(7)} ms  (+${extra.toFixed(0)} ms via npm start)`);
  return extra < 1000;
}

function startup(): boolean {
  const samples: Record<string, number[]> = { 'node -e 0': [], 'secure-start --help': [], 'secure-start lessons': [] };
  // Interleave the three so that machine noise touches each alike.
  for (let i = 0; i < RUNS; i++) {
    samples['node -e 0']!.push(time(['-e', '0']));
    samples['secure-start --help']!.push(time([BIN, '--help']));
    samples['secure-start lessons']!.push(time([BIN, 'lessons']));
  }
  const base = median(samples['node -e 0']!);
  console.log(`\nStart-up, median of ${RUNS} runs (target: at most 2.0× node -e 0)`);
  let ok = true;
  for (const [name, xs] of Object.entries(samples)) {
    const m = median(xs);
    const ratio = m / base;
    if (name !== 'node -e 0' && ratio > 2) ok = false;
    console.log(`  ${name.padEnd(22)} ${m.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}×`);
  }
  return ok;
}

async function checkAgainstMoto(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'secure-start-bench-'));
  const recording = join(dir, 'recording.jsonl');
  const moto = await startMoto({ env: { MOTO_RECORDER_FILEPATH: recording } });
  try {
    const session = await openSession({ endpointUrl: moto.endpoint, sandbox: moto.endpoint, maxAttempts: 1 }, async () => ({
      provider: 'moto',
      endpoint: moto.endpoint,
      private: false,
      stop: async () => undefined,
      reset: async () => undefined,
    }));
    await seedScenario('day-one', session.ctx, registry);
    session.requests.clear();
    await fetch(`${moto.endpoint}/moto-api/recorder/reset-recording`, { method: 'POST' });
    await fetch(`${moto.endpoint}/moto-api/recorder/start-recording`, { method: 'POST' });
    const t = performance.now();
    const results = await checkAll(registry, session.ctx);
    const wall = performance.now() - t;
    await fetch(`${moto.endpoint}/moto-api/recorder/stop-recording`, { method: 'POST' });
    const recorded = (await (await fetch(`${moto.endpoint}/moto-api/recorder/download-recording`)).text()).split('\n').filter(Boolean).length;
    const counted = [...session.requests.values()].reduce((a, b) => a + b, 0);
    console.log(`\ncheck of ${results.length} steps against a local moto (day-one scenario)`);
    console.log(`  wall time            ${wall.toFixed(1)} ms`);
    console.log(`  API requests         ${recorded} seen by moto's recorder, ${counted} sent by the tool`);
    for (const [op, n] of [...session.requests.entries()].sort()) console.log(`    ${op.padEnd(40)} ${n}`);
    await session.close();
  } finally {
    await moto.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const ok = [startup(), npmStart()].every(Boolean);
await checkAgainstMoto();
if (!ok) {
  console.log('\nStart-up is slower than the target.');
  process.exitCode = 1;
}
