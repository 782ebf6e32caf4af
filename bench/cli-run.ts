/**
 * What the benchmarks share: run the built CLI's `check` as a person or a CI job would, count the
 * AWS requests it names on stderr (`--verbose` prints `aws: Service:Operation` for each), read
 * moto's recorder for the count the emulator saw, and print the result the same way in every bench.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { packageRoot } from '../src/paths.js';

/** One run of `check … --format json --verbose`. */
export interface CliRun {
  wallMs: number;
  code: number | null;
  /** Requests the tool sent, by `Service:Operation`. */
  requests: Map<string, number>;
  /** Requests moto's recorder saw (its own /moto-api/ calls left out); only when asked to record. */
  recorded?: number;
  /** One line per step: step, status, findings by status. */
  statuses: string[];
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Count what moto's recorder sees during the run (moto must have been started with MOTO_RECORDER_FILEPATH). */
  record?: boolean;
  /** Environment defaults for the CLI; the caller's own environment wins over them. */
  envDefaults?: Record<string, string>;
}

/** A call to moto's recorder API (reset-recording, start-recording, stop-recording, download-recording). */
async function recorder(endpoint: string, path: string, method: 'GET' | 'POST'): Promise<string> {
  const res = await fetch(new URL(`/moto-api/recorder/${path}`, endpoint), { method });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto recorder ${path}: HTTP ${res.status}`);
  return text;
}

/** Runs `fn` with moto's recorder on, from an empty recording; returns its value and the requests moto saw. */
export async function recordRequests<T>(endpoint: string, fn: () => Promise<T>): Promise<{ value: T; recorded: number }> {
  await recorder(endpoint, 'reset-recording', 'POST');
  await recorder(endpoint, 'start-recording', 'POST');
  const value = await fn();
  await recorder(endpoint, 'stop-recording', 'POST');
  const recorded = (await recorder(endpoint, 'download-recording', 'GET')).split('\n').filter((l) => l.trim() && !l.includes('/moto-api/')).length;
  return { value, recorded };
}

/** Adds one to `key` in a count. */
export function tally(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

interface StepResult {
  step: string;
  status: string;
  findings: Array<{ status: string }>;
}

/** One line per step (`step  status  findings: 3 pass, 1 fail`), the columns as wide as the longest step and status. */
export function statusLines(results: readonly StepResult[]): string[] {
  const stepWidth = Math.max(0, ...results.map((r) => r.step.length));
  const statusWidth = Math.max(0, ...results.map((r) => r.status.length));
  return results.map((r) => {
    const by = new Map<string, number>();
    for (const f of r.findings) tally(by, f.status);
    return `${r.step.padEnd(stepWidth)} ${r.status.padEnd(statusWidth)} findings: ${[...by].map(([s, k]) => `${k} ${s}`).join(', ')}`;
  });
}

/**
 * The built CLI, as a person would run it: `check --sandbox=<endpoint> <args> --format json --verbose`
 * with its own state dir, no colour, CI mode and one attempt per request. Throws when it prints no JSON report.
 */
export async function runCheck(endpoint: string, stateDir: string, args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const argv = [join(packageRoot(), 'bin', 'secure-start.js'), 'check', `--sandbox=${endpoint}`, ...args, '--format', 'json', '--verbose'];
  const spawnCli = async () => {
    const t = performance.now();
    const child = spawn(process.execPath, argv, {
      env: { ...options.envDefaults, ...process.env, SECURE_START_STATE_DIR: stateDir, NO_COLOR: '1', CI: 'true', AWS_MAX_ATTEMPTS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { wallMs: performance.now() - t, code, stdout, stderr };
  };
  let ran: Awaited<ReturnType<typeof spawnCli>>;
  let recorded: number | undefined;
  if (options.record) ({ value: ran, recorded } = await recordRequests(endpoint, spawnCli));
  else ran = await spawnCli();
  const requests = new Map<string, number>();
  for (const m of ran.stderr.matchAll(/^aws: (\S+)$/gm)) tally(requests, m[1]!);
  let statuses: string[];
  try {
    statuses = statusLines((JSON.parse(ran.stdout) as { results: StepResult[] }).results);
  } catch {
    throw new Error(`check did not print a JSON report (exit ${ran.code}):\n${ran.stderr.slice(-2000)}`);
  }
  return { ...ran, requests, ...(recorded === undefined ? {} : { recorded }), statuses };
}

/** The requests of a run (or a count by operation), only the operations `keep` accepts if given. */
export function requestTotal(of: Pick<CliRun, 'requests'> | Map<string, number>, keep: (op: string) => boolean = () => true): number {
  const requests = of instanceof Map ? of : of.requests;
  return [...requests].filter(([op]) => keep(op)).reduce((s, [, k]) => s + k, 0);
}

/** Seconds with two decimals, as the benches print wall times. */
export const seconds = (ms: number): string => (ms / 1000).toFixed(2);

export interface PrintOptions {
  /** Put before the wall time (`  check: wall time …`); the lines under it are indented one more step. */
  label?: string;
  /** Print the request total at the end of the wall-time line instead of on a line of its own. */
  totalOnWallLine?: boolean;
  /** What follows `API requests: ` (default: the total, and what moto's recorder saw if recorded). */
  requestsSummary?: string;
  /** Text after an operation's count, e.g. a rate per resource. */
  note?: (op: string, count: number) => string;
}

/** Prints a run: wall time and exit code, the requests in all and by operation (as wide as the longest), then each step's status. */
export function printRun(run: CliRun, options: PrintOptions = {}): void {
  const total = requestTotal(run);
  const head = options.label ? `  ${options.label}: ` : '  ';
  const indent = options.label ? '    ' : '  ';
  if (options.totalOnWallLine) console.log(`${head}wall time ${seconds(run.wallMs)} s for the whole command (exit ${run.code}); ${total} API requests`);
  else {
    console.log(`${head}wall time ${seconds(run.wallMs)} s for the whole command (exit ${run.code})`);
    const summary = options.requestsSummary ?? (run.recorded === undefined ? `${total}` : `${total} sent by the tool, ${run.recorded} seen by moto's recorder`);
    console.log(`${indent}API requests: ${summary}`);
  }
  const ops = [...run.requests.entries()].sort();
  const opWidth = Math.max(0, ...ops.map(([op]) => op.length));
  for (const [op, k] of ops) console.log(`      ${op.padEnd(opWidth)} ${k}${options.note?.(op, k) ?? ''}`);
  for (const s of run.statuses) console.log(`    ${s}`);
}
