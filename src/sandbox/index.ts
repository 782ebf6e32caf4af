/**
 * The sandbox (ARCHITECTURE.md, "The sandbox"): which local AWS emulator a run uses, starting a
 * private one when needed, and the long-lived one behind `secure-start sandbox start|stop|status|reset`.
 * Nothing here prints: functions return data or throw SandboxError, and the CLI speaks.
 */
import { rm } from 'node:fs/promises';
import { LOCALSTACK_IMAGE, SANDBOX_CREDENTIALS, SANDBOX_REGION } from './constants.js';
import { SandboxError, describeError } from './errors.js';
import { dockerAvailable, isLocalStack, localStackReset, startLocalStack, stopLocalStackContainer } from './localstack.js';
import { findMotoServer, isMoto, isProcessAlive, killProcess, motoReset, startMoto } from './moto.js';
import { clearSandboxRecord, readSandboxRecord, recordAnswers, runningSandbox, sandboxRecordPath, writeSandboxRecord, type SandboxRecord } from './state.js';
import { invokedAs } from '../engine/invocation.js';

export { SandboxError } from './errors.js';
export { LOCALSTACK_IMAGE, SANDBOX_CREDENTIALS, SANDBOX_REGION } from './constants.js';
export type { SandboxRecord, LearnerRecord } from './state.js';
export { writeSandboxRecord } from './state.js';

export type SandboxProvider = 'moto' | 'localstack' | 'endpoint';

export interface Sandbox {
  /** `endpoint`: a URL the person named; moto/localstack: one we started (now or by `sandbox start`). */
  provider: SandboxProvider;
  endpoint: string;
  /** True when this run started the emulator and `stop()` ends it. */
  private: boolean;
  /** The fixed throw-away credentials every sandbox run uses (this sandbox's own copy). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /** Ends a private emulator; a no-op for one this run only attached to. */
  stop(): Promise<void>;
  /** Forgets every resource in the emulator (a clean account). */
  reset(): Promise<void>;
}

/** `auto`, a provider name, or an emulator URL (`--sandbox=moto|localstack|URL`). */
export type SandboxChoice = 'auto' | 'moto' | 'localstack' | (string & {});

export interface ResolveSandboxOptions {
  /** `--endpoint-url` / `AWS_ENDPOINT_URL`: attached to first under `auto`. */
  endpointUrl?: string;
  /** Called just before a private emulator is started (not when one is attached to), to say so. */
  onStarting?: (provider: 'moto' | 'localstack') => void;
}

const HOW_TO_GET_ONE = 'Install Docker (for LocalStack) or `pip install "moto[server]"` (for moto), then run again.';

/**
 * Picks the emulator for a sandbox run. `auto` tries, in order: the named endpoint, the running
 * long-lived sandbox, LocalStack when Docker answers, a private moto. A named provider uses only
 * that provider (attaching to the long-lived sandbox when it is of that kind, else starting a
 * private one); a URL is attached to as is, once it proves to be no AWS host.
 */
export async function resolveSandbox(choice: SandboxChoice = 'auto', opts: ResolveSandboxOptions = {}): Promise<Sandbox> {
  if (choice === 'auto') {
    if (opts.endpointUrl) return attachEndpoint(opts.endpointUrl);
    const record = await runningSandbox();
    if (record) return attachRecord(record);
    if (await dockerAvailable()) return privateLocalStack(opts);
    if (findMotoServer()) return privateMoto(opts);
    throw new SandboxError('No sandbox is available: no Docker engine answers and moto_server is not installed.', HOW_TO_GET_ONE);
  }
  if (choice === 'moto' || choice === 'localstack') {
    const record = await runningSandbox();
    // The long-lived sandbox of the named kind is the one to practise on: attach (and say so).
    if (record?.provider === choice) return attachRecord(record);
    if (choice === 'moto') return privateMoto(opts);
    if (!(await dockerAvailable())) {
      throw new SandboxError('LocalStack needs Docker, and no Docker engine answers on this machine.', 'Start Docker, or use --sandbox=moto (`pip install "moto[server]"`).');
    }
    return privateLocalStack(opts);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(choice)) return attachEndpoint(choice);
  throw new SandboxError(`Unknown sandbox "${choice}".`, 'Use --sandbox (auto), --sandbox=moto, --sandbox=localstack or --sandbox=http://HOST:PORT.');
}

/** Host suffixes of AWS's public, China, GovCloud, ISO and sovereign partitions and its service domains. */
const AWS_HOST_SUFFIXES = [
  'amazonaws.com',
  'amazonaws.com.cn',
  'amazonaws.eu',
  'api.aws',
  'aws.dev',
  'on.aws',
  'aws',
  'amazon.com',
  'aws.amazon.com',
  'c2s.ic.gov',
  'sc2s.sgov.gov',
  'cloud.adc-e.uk',
  'csp.hci.ic.gov',
];

/**
 * Refuses (SandboxError) a URL that is not http(s) or whose host belongs to AWS: the sandbox must
 * never send its requests, or its throw-away credentials, to a real account. Returns the parsed URL.
 */
export function assertEmulatorEndpoint(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SandboxError(`"${url}" is not a URL.`, 'Give the emulator as http://HOST:PORT, for example http://127.0.0.1:5000.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SandboxError(`The sandbox endpoint must be http or https, not ${parsed.protocol.replace(/:$/, '')}.`, 'Give the emulator as http://HOST:PORT.');
  }
  const host = parsed.hostname.toLowerCase().replace(/\.+$/, '');
  if (AWS_HOST_SUFFIXES.some((suffix) => host === suffix || host.endsWith('.' + suffix))) {
    throw new SandboxError(`Refusing ${parsed.host}: it is an AWS endpoint, and the sandbox only talks to a local emulator.`, 'Run without --sandbox to work on a real account.');
  }
  return parsed;
}

function sandbox(fields: Pick<Sandbox, 'provider' | 'endpoint' | 'private' | 'stop' | 'reset'>): Sandbox {
  return { ...fields, credentials: { ...SANDBOX_CREDENTIALS }, region: SANDBOX_REGION };
}

async function attachEndpoint(url: string): Promise<Sandbox> {
  const parsed = assertEmulatorEndpoint(url);
  const endpoint = parsed.href.replace(/\/+$/, '');
  if (!(await answers(endpoint))) {
    throw new SandboxError(`Nothing answers at ${endpoint}.`, `Start the emulator (or \`${invokedAs()} sandbox start\`), or check the URL.`);
  }
  return sandbox({ provider: 'endpoint', endpoint, private: false, stop: async () => undefined, reset: () => resetEndpoint(endpoint) });
}

function attachRecord(record: SandboxRecord): Sandbox {
  return sandbox({
    provider: record.provider,
    endpoint: record.endpoint,
    private: false,
    stop: async () => undefined,
    reset: () => (record.provider === 'moto' ? motoReset(record.endpoint) : localStackReset(record.endpoint)),
  });
}

async function privateMoto(opts: ResolveSandboxOptions): Promise<Sandbox> {
  opts.onStarting?.('moto');
  const moto = await startMoto();
  return sandbox({ provider: 'moto', endpoint: moto.endpoint, private: true, stop: () => moto.stop(), reset: () => motoReset(moto.endpoint) });
}

async function privateLocalStack(opts: ResolveSandboxOptions): Promise<Sandbox> {
  opts.onStarting?.('localstack');
  const ls = await startLocalStack();
  return sandbox({ provider: 'localstack', endpoint: ls.endpoint, private: true, stop: () => ls.stop(), reset: () => localStackReset(ls.endpoint) });
}

/** Any HTTP answer at all counts: emulators answer unknown paths with 4xx. */
async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(endpoint, { signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

async function resetEndpoint(endpoint: string): Promise<void> {
  if (await isMoto(endpoint)) return motoReset(endpoint);
  if (await isLocalStack(endpoint)) return localStackReset(endpoint);
  throw new SandboxError(`Cannot reset ${endpoint}: it is neither moto nor LocalStack.`, 'Reset that emulator by its own means.');
}

// ---------------------------------------------------------------------------------------------
// The long-lived sandbox: `secure-start sandbox start|stop|status|reset`.

export interface StartLongLivedResult {
  record: SandboxRecord;
  /** True when a sandbox was already running and nothing new was started. */
  alreadyRunning: boolean;
}

/**
 * Starts the long-lived sandbox (or reports the one already running) and records it. `host`: the
 * address moto listens on (a class on the room's network); LocalStack is not offered then.
 */
export async function startLongLived(provider: 'moto' | 'localstack' | 'auto' = 'auto', opts: { host?: string } = {}): Promise<StartLongLivedResult> {
  const existing = await runningSandbox();
  if (existing) {
    if (provider !== 'auto' && existing.provider !== provider) {
      throw new SandboxError(`A ${existing.provider} sandbox is already running at ${existing.endpoint}.`, `Stop it first with \`${invokedAs()} sandbox stop\`.`);
    }
    return { record: existing, alreadyRunning: true };
  }
  let chosen = provider;
  if (opts.host !== undefined) {
    if (chosen === 'localstack') throw new SandboxError('--host works with moto only.', 'Use --provider moto (or leave --provider out).');
    chosen = 'moto';
    if (!findMotoServer()) throw new SandboxError('--host needs moto_server, which is not installed.', HOW_TO_GET_ONE);
  }
  if (chosen === 'auto') {
    if (await dockerAvailable()) chosen = 'localstack';
    else if (findMotoServer()) chosen = 'moto';
    else throw new SandboxError('Cannot start a sandbox: no Docker engine answers and moto_server is not installed.', HOW_TO_GET_ONE);
  }
  const startedAt = new Date().toISOString();
  let record: SandboxRecord;
  if (chosen === 'moto') {
    const moto = await startMoto({ detached: true, ...(opts.host !== undefined ? { host: opts.host } : {}) });
    record = { provider: 'moto', endpoint: moto.endpoint, pid: moto.pid, logFile: moto.logFile, startedAt };
  } else {
    if (!(await dockerAvailable())) {
      throw new SandboxError('LocalStack needs Docker, and no Docker engine answers on this machine.', `Start Docker, or use \`${invokedAs()} sandbox start --provider moto\`.`);
    }
    const ls = await startLocalStack({ longLived: true });
    record = { provider: 'localstack', endpoint: ls.endpoint, containerId: ls.containerId, startedAt };
  }
  try {
    await writeSandboxRecord(record);
  } catch (error) {
    await stopRecorded(record).catch(() => undefined);
    throw new SandboxError(`Could not record the sandbox in ${sandboxRecordPath()}: ${describeError(error)}`);
  }
  return { record, alreadyRunning: false };
}

/** Stops the long-lived sandbox and clears its record; returns what was stopped (undefined: nothing ran). */
export async function stopLongLived(): Promise<SandboxRecord | undefined> {
  const record = await readSandboxRecord();
  if (!record) {
    await clearSandboxRecord();
    return undefined;
  }
  const running = await recordAnswers(record);
  // A record whose emulator no longer answers is stale: its pid may belong to another process now.
  if (running) await stopRecorded(record);
  await clearSandboxRecord();
  return running ? record : undefined;
}

async function stopRecorded(record: SandboxRecord): Promise<void> {
  if (record.provider === 'moto') {
    if (record.pid && isProcessAlive(record.pid)) await killProcess(record.pid);
    if (record.logFile) await rm(record.logFile, { force: true });
  } else if (record.containerId) {
    await stopLocalStackContainer(record.containerId);
  }
}

/**
 * Notes in the long-lived sandbox's record which scenario it now holds (`none`: an empty account)
 * and when it was seeded, when `endpoint` is that sandbox. Returns whether it was.
 */
export async function noteScenario(endpoint: string, scenario: string, seededAt = new Date().toISOString()): Promise<boolean> {
  const record = await readSandboxRecord();
  const same = (url: string) => url.replace(/\/+$/, '');
  if (!record || same(record.endpoint) !== same(endpoint)) return false;
  await writeSandboxRecord({ ...record, scenario, seededAt });
  return true;
}

/** Forgets every resource in the long-lived sandbox (the CLI then seeds its scenario again). */
export async function resetLongLived(): Promise<SandboxRecord> {
  const record = await runningSandbox();
  if (!record) throw new SandboxError('No sandbox is running.', `Start one with \`${invokedAs()} sandbox start\`.`);
  await attachRecord(record).reset();
  return record;
}

export interface SandboxStatus {
  /** The long-lived sandbox, when one runs. */
  running: SandboxRecord | undefined;
  /** Where its record lives. */
  recordPath: string;
  /** What this machine could start. */
  available: { docker: boolean; motoServer: string | undefined };
  localstackImage: string;
  /** Whether LOCALSTACK_AUTH_TOKEN is set (never its value). */
  localstackAuthToken: boolean;
}

export async function sandboxStatus(): Promise<SandboxStatus> {
  // One after the other: loading testcontainers (the Docker probe) blocks this process for seconds
  // on a busy machine, long enough for the emulator's probe to time out and its record to look stale.
  const running = await runningSandbox();
  const docker = await dockerAvailable();
  return {
    running,
    recordPath: sandboxRecordPath(),
    available: { docker, motoServer: findMotoServer() },
    localstackImage: LOCALSTACK_IMAGE,
    localstackAuthToken: Boolean(process.env.LOCALSTACK_AUTH_TOKEN),
  };
}
