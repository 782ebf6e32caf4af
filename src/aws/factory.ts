/**
 * The one place that builds AWS clients (ARCHITECTURE.md, "AWS access"): credentials from the
 * default Node provider chain (or the sandbox's throw-away ones), home region, endpoint, bounded
 * waits (a connection and a request timeout) with the SDK's standard retries, a user agent naming
 * the tool, path-style S3, and these guards:
 * - read-only mode refuses any operation that is not a read before it leaves the process;
 * - against a custom endpoint, host prefixes (S3 Control's `<account>.`) are stripped;
 * - every error a call throws names the call and its endpoint (errors.ts, annotateError).
 */
import type { ClientClass, SdkClient } from '../engine/types.js';
import { apiName, iamActionFor } from './actions.js';
import { annotateError, MutationBlockedError } from './errors.js';

/** A few seconds to connect, tens of seconds for an answer (SECURE_START_CONNECT_TIMEOUT / _REQUEST_TIMEOUT override them). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Attempts per call against a custom endpoint (an emulator, a proxy) unless AWS_MAX_ATTEMPTS says otherwise. */
export const CUSTOM_ENDPOINT_MAX_ATTEMPTS = 3;

export interface AwsConfig {
  /** Home region for global calls. */
  region: string;
  profile?: string;
  endpoint?: string;
  /** Fixed credentials (the sandbox's); otherwise the default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per call; unset: the SDK's own default (AWS_MAX_ATTEMPTS, the profile's max_attempts, or 3). */
  maxAttempts?: number;
  /** Time to establish a connection, in ms (default DEFAULT_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Time from sending a request to its answer, and the longest silence while reading it, in ms. */
  requestTimeoutMs?: number;
  userAgent: string;
  /** Counts every request sent, for benchmarks and reports; `input` is the command's input (secrets included: never store it). */
  onRequest?: (service: string, operation: string, input?: unknown) => void;
}

/**
 * Operations a read-only run may call. GenerateCredentialReport only prepares a report to read;
 * AssumeRole changes nothing in any account, it hands out short-lived credentials (`check --org`).
 */
const READ_ONLY = /^(Get|List|Describe|Lookup|Search|Head|Check|GenerateCredentialReport|GenerateServiceLastAccessedDetails|AssumeRole$)/;

export function isReadOnlyOperation(operation: string): boolean {
  return READ_ONLY.test(operation);
}

interface MiddlewareStack {
  add(mw: unknown, opts: Record<string, unknown>): void;
}

/** What every client is built with, besides its class: pure, so that a unit test can read it. */
export function clientConfig(c: AwsConfig, clientName: string, region?: string): Record<string, unknown> {
  return {
    region: region ?? c.region,
    ...(c.endpoint ? { endpoint: c.endpoint } : {}),
    ...(c.credentials ? { credentials: { ...c.credentials } } : c.profile ? { profile: c.profile } : {}),
    ...(c.maxAttempts !== undefined ? { maxAttempts: c.maxAttempts } : {}),
    retryMode: 'standard',
    // No call waits forever: an endpoint that accepts a connection and never answers ends in a TimeoutError.
    requestHandler: {
      connectionTimeout: c.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: c.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      socketTimeout: c.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    },
    customUserAgent: c.userAgent,
    // S3 only: emulators and custom endpoints need path-style addressing.
    forcePathStyle: true,
    // S3 Control's endpoint rules put the account id in front of the host, which an emulator's
    // address cannot take (`123456789012.127.0.0.1` is not even a valid URL): use the endpoint as is.
    ...(c.endpoint && clientName === 'S3ControlClient' ? { endpointProvider: () => ({ url: new URL(c.endpoint!) }) } : {}),
  };
}

/** Where a request goes, as a person would write it: `https://host` or `http://host:port`. */
function origin(req: { protocol?: string; hostname?: string; port?: number }): string | undefined {
  if (!req.hostname) return undefined;
  const protocol = (req.protocol ?? 'https:').replace(/:?$/, ':');
  return `${protocol}//${req.hostname}${req.port ? `:${req.port}` : ''}`;
}

export class ClientFactory {
  private readonly clients = new Map<string, SdkClient>();
  /** While true, every mutating call is refused before it is sent. */
  readOnly = true;

  constructor(readonly config: AwsConfig) {}

  client<C extends SdkClient>(cls: ClientClass<C>, region?: string): C {
    const key = `${cls.name}@${region ?? this.config.region}`;
    const existing = this.clients.get(key);
    if (existing) return existing as C;
    const client = new cls(clientConfig(this.config, cls.name, region));
    this.guard(client as unknown as { middlewareStack: MiddlewareStack });
    this.clients.set(key, client);
    return client;
  }

  private guard(client: { middlewareStack: MiddlewareStack }): void {
    const timeouts = {
      connectMs: this.config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestMs: this.config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    };
    type Context = { commandName?: string; clientName?: string; secureStartOrigin?: string };
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: Context) => async (args: unknown) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        const service = (context.clientName ?? '').replace(/Client$/, '');
        if (this.readOnly && !isReadOnlyOperation(operation)) throw new MutationBlockedError(service, operation);
        this.config.onRequest?.(service, operation, (args as { input?: unknown }).input);
        try {
          // Outside the retries: this sees the last attempt's error.
          return await next(args);
        } catch (err) {
          const endpoint = context.secureStartOrigin ?? this.config.endpoint;
          throw annotateError(
            err,
            { api: apiName(service, operation), action: iamActionFor(service, operation), ...(endpoint ? { endpoint } : {}) },
            timeouts,
          );
        }
      },
      { step: 'initialize', name: 'secureStartGuard', priority: 'high' },
    );
    // Remembers where the request went (the resolved endpoint), for the error messages above.
    client.middlewareStack.add(
      (next: (a: { request: { protocol?: string; hostname?: string; port?: number } }) => Promise<unknown>, context: Context) =>
        async (args: { request: { protocol?: string; hostname?: string; port?: number } }) => {
          const where = origin(args.request);
          if (where) context.secureStartOrigin = where;
          return next(args);
        },
      { step: 'finalizeRequest', name: 'secureStartOrigin', priority: 'low' },
    );
    const endpoint = this.config.endpoint;
    if (!endpoint) return;
    const host = new URL(endpoint).hostname;
    client.middlewareStack.add(
      (next: (a: { request: { hostname?: string } }) => Promise<unknown>) =>
        async (args: { request: { hostname?: string } }) => {
          const req = args.request;
          if (req.hostname && req.hostname !== host && req.hostname.endsWith('.' + host)) req.hostname = host;
          return next(args);
        },
      { step: 'build', name: 'secureStartStripHostPrefix', priority: 'low' },
    );
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}
