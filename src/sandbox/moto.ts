/**
 * moto_server as a sandbox: found on PATH, started on a free loopback port, and, when private to
 * one run, tied to the life of this process so that it never outlives it (not even a SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { createInterface } from 'node:readline';
import { SandboxError, describeError } from './errors.js';

export interface RunningMoto {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** The pid of the moto_server process itself (what `stop()` and the watchdog kill). */
  pid: number;
  /** Where moto's stdout and stderr go (kept for a detached server, removed when a private one stops cleanly). */
  logFile: string;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Run moto on its own so it outlives this process (`sandbox start`). Default: private to this process. */
  detached?: boolean;
  /** Default: a free port chosen by the system. */
  port?: number;
  /** Extra environment for moto (on top of this process's environment), e.g. MOTO_RECORDER_FILEPATH. */
  env?: Record<string, string>;
  /** How long to wait for moto to answer. Default 60 s. */
  timeoutMs?: number;
  /** The address moto listens on. Default 127.0.0.1; `endpoint` stays a loopback URL when it is 0.0.0.0 or ::. */
  host?: string;
}

const INSTALL_HINT = 'Install it with `pip install "moto[server]"` (or point MOTO_SERVER_BIN at moto_server), or install Docker to use LocalStack.';

/** moto_server's path: MOTO_SERVER_BIN (a path, or a name looked up on PATH), else `moto_server` on PATH. */
export function findMotoServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const wanted = env.MOTO_SERVER_BIN?.trim();
  if (wanted) {
    if (isAbsolute(wanted) || wanted.includes('/') || wanted.includes('\\')) return isExecutable(wanted) ? wanted : undefined;
    return lookPath(wanted, env);
  }
  return lookPath('moto_server', env);
}

function lookPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const extensions = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, process.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A port that was free a moment ago on 127.0.0.1 (the system picks it; we close and hand it on). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Whether a process is alive (a zombie, exited but not yet reaped, counts as gone). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  return true;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends SIGTERM, then SIGKILL after `graceMs`, and waits until the process is gone. */
export async function killProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!isProcessAlive(pid)) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      await sleep(100);
      if (Date.now() > deadline + 5000) throw new SandboxError(`Process ${pid} did not stop.`, `Stop it by hand: kill -9 ${pid}`);
      continue;
    }
    await sleep(50);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * The watchdog of a private moto (POSIX sh). Its stdin is a pipe from this process: when this
 * process dies in any way, even SIGKILL, the pipe reaches EOF and the watchdog kills moto.
 * It prints `pid N` once moto is spawned and `exit N` when moto ends, and reaps moto so the
 * reported pid really disappears (`$!` is moto itself: sh forks and execs the command, and the
 * pyenv/pipx launchers exec in turn). Arguments: LOGFILE MOTO_SERVER ARGS...
 */
const WATCHDOG = [
  'log=$1; shift',
  '"$@" </dev/null >>"$log" 2>&1 &',
  'p=$!',
  'echo "pid $p"',
  // Read the parent's pipe in the background so `wait` below stays interruptible by signals.
  'exec 3<&0 0</dev/null',
  // EOF: our parent stopped us or died. Kill moto and drop its log (nobody is left to read it).
  '(cat <&3 >/dev/null; kill "$p" 2>/dev/null; rm -f "$log") &',
  'w=$!',
  'exec 3<&-',
  'trap \'kill "$p" 2>/dev/null\' EXIT',
  "trap 'exit 129' HUP",
  "trap 'exit 130' INT",
  "trap 'exit 143' TERM",
  // moto ended by itself: keep the log for the parent's error message.
  'wait "$p"',
  's=$?',
  'kill "$w" 2>/dev/null',
  'echo "exit $s"',
].join('\n');

/** Starts moto_server on 127.0.0.1 and waits until it answers. */
export async function startMoto(opts: StartMotoOptions = {}): Promise<RunningMoto> {
  const bin = findMotoServer();
  if (!bin) {
    throw new SandboxError(
      process.env.MOTO_SERVER_BIN ? `MOTO_SERVER_BIN (${process.env.MOTO_SERVER_BIN}) is not an executable moto_server.` : 'moto_server was not found on PATH.',
      INSTALL_HINT,
    );
  }
  // A port chosen for us can be taken between our check and moto's bind: try a fresh one then.
  const attempts = opts.port ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await launch(bin, port, opts);
    } catch (error) {
      if (attempt >= attempts || !(error instanceof PortInUseError)) throw error;
    }
  }
}

class PortInUseError extends SandboxError {}

interface Launched {
  pid: number;
  /** Resolves with moto's exit code (or a signal name) when it ends. */
  exited: Promise<string>;
  hasExited(): boolean;
  /** Stops moto and waits for it. */
  stop(): Promise<void>;
}

async function launch(bin: string, port: number, opts: StartMotoOptions): Promise<RunningMoto> {
  const host = opts.host ?? '127.0.0.1';
  const endpoint = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`;
  const logFile = join(tmpdir(), `secure-start-moto-${port}-${process.pid}-${Date.now()}.log`);
  // Managed policies: the IAM steps attach AdministratorAccess and friends. Default AMIs: moto loads
  // its catalogue of Amazon images into every region on first use (about 0.1 s each, 4 s for a
  // check that reads all 38 regions); nothing here lists Amazon's images, and the seeds launch
  // from a placeholder id when there are none (steps/resources/_shared/instances.ts). A
  // MOTO_EC2_LOAD_DEFAULT_AMIS of the caller's own wins.
  const env: NodeJS.ProcessEnv = { MOTO_EC2_LOAD_DEFAULT_AMIS: 'false', ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', ...opts.env };
  const args = ['-H', host, '-p', String(port)];
  const started =
    opts.detached ? spawnDetached(bin, args, env, logFile) : process.platform === 'win32' ? spawnDirect(bin, args, env, logFile) : await spawnWatched(bin, args, env, logFile);

  try {
    await waitUntilAnswering(endpoint, started, opts.timeoutMs ?? 60_000, logFile);
  } catch (error) {
    await started.stop().catch(() => undefined);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    pid: started.pid,
    logFile,
    stop() {
      stopping ??= (async () => {
        await started.stop();
        if (!opts.detached) await rm(logFile, { force: true });
      })();
      return stopping;
    },
  };
}

/** Private moto behind the sh watchdog (see WATCHDOG). */
async function spawnWatched(bin: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<Launched> {
  // detached: its own session, so a Ctrl-C in the terminal reaches only us; we decide when moto stops.
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'secure-start-moto-watchdog', logFile, bin, ...args], {
    stdio: ['pipe', 'pipe', 'ignore'],
    detached: true,
    env,
    cwd: tmpdir(),
  });
  let exitCode: string | undefined;
  let resolveExit: (code: string) => void = () => undefined;
  const exited = new Promise<string>((resolve) => (resolveExit = resolve));
  const finish = (code: string) => {
    if (exitCode !== undefined) return;
    exitCode = code;
    resolveExit(code);
  };
  const pid = await new Promise<number>((resolve, reject) => {
    createInterface({ input: watchdog.stdout! }).on('line', (line) => {
      const [kind, value] = line.split(' ');
      if (kind === 'pid' && value) resolve(Number(value));
      if (kind === 'exit' && value) finish(value);
    });
    watchdog.once('error', (error) => {
      finish('error');
      reject(new SandboxError(`Could not start moto_server: ${describeError(error)}`, INSTALL_HINT));
    });
    watchdog.once('exit', (code, sig) => {
      finish(String(code ?? sig ?? 'unknown'));
      reject(new SandboxError('The moto_server watchdog ended before starting moto.'));
    });
  });

  // On a normal exit we stop moto at once; on a crash or SIGKILL the watchdog sees EOF and does it.
  const onExit = () => {
    signal(pid, 'SIGTERM');
    rmSync(logFile, { force: true });
  };
  process.once('exit', onExit);
  // Neither the watchdog nor its pipes keep this process alive.
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref?.();
  (watchdog.stdout as Socket | null)?.unref?.();

  return {
    pid,
    exited,
    hasExited: () => exitCode !== undefined,
    async stop() {
      process.removeListener('exit', onExit);
      if (exitCode === undefined) {
        signal(pid, 'SIGTERM');
        watchdog.stdin?.end();
        const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
        if (!done) signal(pid, 'SIGKILL');
      }
      watchdog.stdin?.destroy();
      await killProcess(pid);
    },
  };
}

/** Long-lived moto: its own session, not waited for, outlives this process. */
function spawnDetached(bin: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Launched {
  const out = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { stdio: ['ignore', out, out], detached: true, env, cwd: tmpdir() });
  } finally {
    closeSync(out);
  }
  return fromChild(child, false);
}

/** Windows fallback (no sh): a plain child, stopped on exit. */
function spawnDirect(bin: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Launched {
  const out = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { stdio: ['ignore', out, out], env, cwd: tmpdir(), windowsHide: true });
  } finally {
    closeSync(out);
  }
  return fromChild(child, true);
}

function fromChild(child: ChildProcess, stopOnExit: boolean): Launched {
  let exitCode: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, sig) => resolve((exitCode = String(code ?? sig ?? 'unknown'))));
    child.once('error', (error) => resolve((exitCode = describeError(error))));
  });
  const onExit = () => child.kill();
  if (stopOnExit) process.once('exit', onExit);
  child.unref();
  return {
    pid: child.pid ?? -1,
    exited,
    hasExited: () => exitCode !== undefined,
    async stop() {
      process.removeListener('exit', onExit);
      if (child.pid && exitCode === undefined) await killProcess(child.pid);
    },
  };
}

async function waitUntilAnswering(endpoint: string, started: Launched, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    if (started.hasExited() || started.pid < 0) {
      const code = await started.exited;
      const log = tail(logFile);
      const message = `moto_server exited while starting (exit ${code})${log ? `: ${log.split('\n').at(-1)}` : '.'}`;
      if (/address already in use|errno 98|in use by another program/i.test(log)) {
        rmSync(logFile, { force: true }); // the message says it all
        throw new PortInUseError(message, 'Choose another port, or leave the port out to let the system pick a free one.');
      }
      throw new SandboxError(message, `Its output is in ${logFile}. ${INSTALL_HINT}`);
    }
    if (await isMoto(endpoint, 1000)) return;
    if (Date.now() > deadline) {
      throw new SandboxError(`moto_server did not answer on ${endpoint} within ${Math.round(timeoutMs / 1000)} s.`, `Its output is in ${logFile}.`);
    }
    await Promise.race([sleep(delay), started.exited]);
    delay = Math.min(delay * 2, 500);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/** Whether a moto server answers at `endpoint` (GET /moto-api/config returns JSON; data.json would dump every resource, slow once IAM's managed policies are loaded). */
export async function isMoto(endpoint: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(new URL('/moto-api/config', endpoint), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel();
      return false;
    }
    const body: unknown = await res.json();
    return typeof body === 'object' && body !== null;
  } catch {
    return false;
  }
}

/** Forgets every resource moto holds (POST /moto-api/reset). */
export async function motoReset(endpoint: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(new URL('/moto-api/reset', endpoint), { method: 'POST', signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new SandboxError(`Could not reset the moto sandbox at ${endpoint}: ${describeError(error)}`);
  }
  await res.body?.cancel();
  if (!res.ok) throw new SandboxError(`Could not reset the moto sandbox at ${endpoint}: HTTP ${res.status}.`);
}
