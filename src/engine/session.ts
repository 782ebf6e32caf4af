/**
 * Opens a run against a target: picks the sandbox or the real account, builds the one client
 * factory, learns who the caller is, and resolves the run's regions lazily.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientFactory, CUSTOM_ENDPOINT_MAX_ATTEMPTS, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../aws/factory.js';
import { describeError, errorCode, errorKind, EndpointTimeoutError, failedCall, httpStatus, isForeignResponse } from '../aws/errors.js';
import { callerIdentity } from '../aws/identity.js';
import { enabledRegions, isRegionName } from '../aws/regions.js';
import { packageRoot } from '../paths.js';
import { EmptyRegionsError, RunContext } from './context.js';
import type { RunRegions } from './context.js';
import { UserError } from './errors.js';
import type { Target } from './types.js';
import { invokedAs } from './invocation.js';

export interface TargetOptions {
  profile?: string;
  /** Home region for global calls. */
  region?: string;
  endpointUrl?: string;
  /** true / 'auto', 'moto', 'localstack', or an emulator URL. */
  sandbox?: string | boolean;
  regions?: string[];
  maxAttempts?: number;
  /** With a sandbox: act in this learner's account of the classroom (the organization's role, assumed here). */
  learner?: string;
}

export interface SandboxHandle {
  provider: string;
  endpoint: string;
  private: boolean;
  stop(): Promise<void>;
  reset(): Promise<void>;
}

export interface Session {
  ctx: RunContext;
  factory: ClientFactory;
  target: Target;
  sandbox?: SandboxHandle;
  version: string;
  /** API requests sent so far, by `service:Operation`. */
  requests: Map<string, number>;
  /** Regions recorded by an earlier account.regions choice, set by the caller from progress (an empty list is refused). */
  recordedRegions?: string[];
  /** The progress file `recordedRegions` came from, for the reports' headers. */
  recordedIn?: string;
  /** The regions `--regions` named, when it was given. */
  explicitRegions?: string[];
  close(): Promise<void>;
}

let version: string | undefined;
export function toolVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

export class NoCredentialsError extends UserError {
  constructor(detail: string) {
    super(
      `No AWS credentials were found (${detail}).`,
      `Sign in first (aws configure, aws sso login, or AWS CloudShell), or practise on a local emulator: ${invokedAs()} --sandbox`,
    );
  }
}

/** `--regions` as given (possibly repeated) → the region names; a flag that names none is refused. */
export function parseRegions(list: string[] | undefined): string[] | undefined {
  if (!list) return undefined;
  const regions = list.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  if (!regions.length) throw new EmptyRegionsError('flag');
  const bad = regions.filter((r) => !isRegionName(r));
  if (bad.length) throw new UserError(`Not a region name: ${bad.join(', ')}.`, 'Use names such as us-east-1,eu-west-1.');
  return [...new Set(regions)];
}

/** Seconds from an environment variable (decimals allowed), as ms; a bad value is the person's to fix. */
function secondsFromEnv(name: string, fallbackMs: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name]?.trim();
  if (!raw) return fallbackMs;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 3600)
    throw new UserError(`${name}=${raw} is not a number of seconds.`, `Give a number of seconds between 0 and 3600, such as ${name}=${fallbackMs / 1000}.`);
  return Math.round(value * 1000);
}

/**
 * How long a call may wait and how often it is tried: a connection and a request timeout from
 * SECURE_START_CONNECT_TIMEOUT / SECURE_START_REQUEST_TIMEOUT (seconds); attempts from
 * AWS_MAX_ATTEMPTS when set, else at least 3 against a custom endpoint, else the SDK's default.
 */
export function waitLimits(
  opts: { maxAttempts?: number; endpoint?: string },
  env: NodeJS.ProcessEnv = process.env,
): { connectTimeoutMs: number; requestTimeoutMs: number; maxAttempts?: number } {
  const connectTimeoutMs = secondsFromEnv('SECURE_START_CONNECT_TIMEOUT', DEFAULT_CONNECT_TIMEOUT_MS, env);
  const requestTimeoutMs = secondsFromEnv('SECURE_START_REQUEST_TIMEOUT', DEFAULT_REQUEST_TIMEOUT_MS, env);
  let maxAttempts = opts.maxAttempts;
  const fromEnv = env.AWS_MAX_ATTEMPTS?.trim();
  if (maxAttempts === undefined && fromEnv) {
    maxAttempts = Number(fromEnv);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
      throw new UserError(`AWS_MAX_ATTEMPTS=${fromEnv} is not a whole number of attempts.`, 'Give 1 or more, such as AWS_MAX_ATTEMPTS=3.');
  }
  if (maxAttempts === undefined && opts.endpoint) maxAttempts = CUSTOM_ENDPOINT_MAX_ATTEMPTS;
  return { connectTimeoutMs, requestTimeoutMs, ...(maxAttempts !== undefined ? { maxAttempts } : {}) };
}

async function homeRegion(opts: TargetOptions): Promise<string> {
  if (opts.region) {
    if (!isRegionName(opts.region)) throw new UserError(`Not a region name: ${opts.region}.`, 'Use a name such as us-east-1.');
    return opts.region;
  }
  const env = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (env) return env;
  if (opts.profile || process.env.AWS_PROFILE) {
    // Let the SDK read the profile's region from ~/.aws/config.
    const { STSClient } = await import('@aws-sdk/client-sts');
    const probe = new STSClient(opts.profile ? { profile: opts.profile } : {});
    try {
      return await probe.config.region();
    } catch {
      /* no region in the profile */
    } finally {
      probe.destroy();
    }
  }
  return 'us-east-1';
}

/** Turns a start-up failure into a message a person can act on. */
function startError(err: unknown, endpoint: string | undefined, profile?: string): never {
  if (err instanceof UserError) throw err;
  const kind = errorKind(err);
  const code = errorCode(err);
  const message = (err as Error)?.message ?? String(err);
  if (code === 'CredentialsProviderError' && /could not load credentials|no credentials|unable to find/i.test(message)) {
    throw new NoCredentialsError('the default credential chain found none');
  }
  if (/sso|token/i.test(message) && (kind === 'credentials' || code === 'CredentialsProviderError'))
    throw new UserError(`The SSO sign-in has expired or is missing (${message.split('\n')[0]}).`, `Run \`aws sso login${profile ? ` --profile ${profile}` : ''}\` and try again.`);
  if (err instanceof EndpointTimeoutError)
    throw new UserError(
      `${err.message}.`,
      endpoint
        ? `Check the URL and that the emulator is running (${invokedAs()} sandbox status); SECURE_START_REQUEST_TIMEOUT sets how long to wait.`
        : 'Check your network connection; SECURE_START_CONNECT_TIMEOUT and SECURE_START_REQUEST_TIMEOUT set how long to wait.',
    );
  // An answer no AWS API gives: an HTML page, a parse error, a 404 for an API every endpoint has.
  if (isForeignResponse(err) || (kind === 'unsupported' && code !== 'UnrecognizedClientException')) {
    const where = endpoint ?? failedCall(err)?.endpoint ?? 'The AWS endpoint';
    const status = httpStatus(err);
    throw new UserError(
      `${where} does not speak the AWS API: it answered sts:GetCallerIdentity${status ? ` with HTTP ${status}` : ''}, but not as AWS does.`,
      endpoint
        ? `Check the URL: it must be an AWS endpoint or an emulator such as moto_server or LocalStack (${invokedAs()} sandbox status).`
        : 'A proxy or a captive portal may be answering instead of AWS: check your network.',
    );
  }
  if (kind === 'network')
    throw new UserError(
      `Cannot reach ${endpoint ? `the endpoint ${endpoint}` : 'AWS'}: ${message.split('\n')[0]}.`,
      endpoint ? `Check the URL and that the emulator is running (${invokedAs()} sandbox status).` : 'Check your network connection.',
    );
  if (kind === 'credentials' || code === 'CredentialsProviderError')
    throw new UserError(describeError(err), 'Check the profile or environment credentials you meant to use.');
  if (kind === 'access-denied') throw new UserError(`The caller cannot call sts:GetCallerIdentity: ${describeError(err)}`);
  throw err;
}

export async function openSession(opts: TargetOptions, resolveSandbox?: (choice: string, endpointUrl?: string) => Promise<SandboxHandle>): Promise<Session> {
  const explicitRegions = parseRegions(opts.regions);
  const endpointUrl = opts.endpointUrl ?? (process.env.AWS_ENDPOINT_URL || undefined);
  let sandbox: SandboxHandle | undefined;
  if (opts.sandbox) {
    if (!resolveSandbox) throw new Error('sandbox resolver missing');
    const choice = opts.sandbox === true ? 'auto' : opts.sandbox;
    sandbox = await resolveSandbox(choice, endpointUrl);
  }
  const requests = new Map<string, number>();
  try {
    const region = sandbox ? (opts.region ?? 'us-east-1') : await homeRegion(opts);
    const endpoint = sandbox?.endpoint ?? endpointUrl;
    if (endpoint) {
      try {
        new URL(endpoint);
      } catch {
        throw new UserError(`Not a URL: ${endpoint}.`, 'Give the endpoint as http://host:port.');
      }
    }
    let factory = new ClientFactory({
      region,
      ...(endpoint ? { endpoint } : {}),
      // The sandbox never touches the person's credentials: fixed throw-away keys only.
      ...(sandbox ? { credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } } : opts.profile ? { profile: opts.profile } : {}),
      ...waitLimits({ ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}), ...(endpoint ? { endpoint } : {}) }),
      userAgent: `secure-start/${toolVersion()}`,
      onRequest: (service, operation) => {
        const key = `${service}:${operation}`;
        requests.set(key, (requests.get(key) ?? 0) + 1);
        // --verbose: the operation only; parameters may hold a secret.
        if (process.env.SECURE_START_VERBOSE) process.stderr.write(`aws: ${key}\n`);
      },
    });
    let identity = await callerIdentity(factory).catch((err) => startError(err, endpoint, opts.profile ?? process.env.AWS_PROFILE));
    if (opts.learner !== undefined) {
      if (!sandbox) throw new UserError('--learner works only in a sandbox.', `Add --sandbox URL, as in the join line: ${invokedAs()} --sandbox URL --learner NAME`);
      const { learnerFactory } = await import('./org.js');
      const member = await learnerFactory(factory, identity.partition, opts.learner).catch((err) => startError(err, endpoint));
      factory.destroy();
      factory = member.factory;
      identity = await callerIdentity(factory).catch((err) => startError(err, endpoint));
    }
    const target: Target = {
      accountId: identity.accountId,
      principalArn: identity.principalArn,
      isRoot: identity.isRoot,
      sandbox: Boolean(sandbox),
      ...(endpoint ? { endpoint } : {}),
      partition: identity.partition,
      homeRegion: region,
    };
    const session: Session = {
      factory,
      target,
      version: toolVersion(),
      requests,
      ...(sandbox ? { sandbox } : {}),
      ...(explicitRegions ? { explicitRegions } : {}),
      ctx: undefined as unknown as RunContext,
      async close() {
        factory.destroy();
        if (sandbox?.private) await sandbox.stop();
      },
    };
    session.ctx = new RunContext(target, factory, async (): Promise<RunRegions> => {
      if (explicitRegions) return { regions: explicitRegions, source: 'flag' };
      if (session.recordedRegions) return { regions: session.recordedRegions, source: 'progress-file', ...(session.recordedIn ? { file: session.recordedIn } : {}) };
      if (sandbox) return { regions: [region], source: 'sandbox' };
      return { regions: await enabledRegions(factory), source: 'enabled-regions' };
    });
    return session;
  } catch (err) {
    if (sandbox?.private) await sandbox.stop();
    throw err;
  }
}
