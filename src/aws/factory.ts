/**
 * The one place that builds AWS clients (ARCHITECTURE.md, "AWS access"): credentials from the
 * default Node provider chain (or the sandbox's throw-away ones), home region, endpoint, adaptive
 * retries, a user agent naming the tool, path-style S3, and two guards:
 * - read-only mode refuses any operation that is not a read before it leaves the process;
 * - against a custom endpoint, host prefixes (S3 Control's `<account>.`) are stripped.
 */
import type { ClientClass, SdkClient } from '../engine/types.js';
import { MutationBlockedError } from './errors.js';

export interface AwsConfig {
  /** Home region for global calls. */
  region: string;
  profile?: string;
  endpoint?: string;
  /** Fixed credentials (the sandbox's); otherwise the default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts?: number;
  userAgent: string;
  /** Counts every request sent, for benchmarks and reports; `input` is the command's input (secrets included: never store it). */
  onRequest?: (service: string, operation: string, input?: unknown) => void;
}

/** Operations a read-only run may call. GenerateCredentialReport only prepares a report to read. */
const READ_ONLY = /^(Get|List|Describe|Lookup|Search|Head|Check|GenerateCredentialReport|GenerateServiceLastAccessedDetails)/;

export function isReadOnlyOperation(operation: string): boolean {
  return READ_ONLY.test(operation);
}

interface MiddlewareStack {
  add(mw: unknown, opts: Record<string, unknown>): void;
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
    const c = this.config;
    const client = new cls({
      region: region ?? c.region,
      ...(c.endpoint ? { endpoint: c.endpoint } : {}),
      ...(c.credentials ? { credentials: { ...c.credentials } } : c.profile ? { profile: c.profile } : {}),
      maxAttempts: c.maxAttempts ?? 5,
      retryMode: 'adaptive',
      customUserAgent: c.userAgent,
      // S3 only: emulators and custom endpoints need path-style addressing.
      forcePathStyle: true,
      // S3 Control's endpoint rules put the account id in front of the host, which an emulator's
      // address cannot take (`123456789012.127.0.0.1` is not even a valid URL): use the endpoint as is.
      ...(c.endpoint && cls.name === 'S3ControlClient' ? { endpointProvider: () => ({ url: new URL(c.endpoint!) }) } : {}),
    });
    this.guard(client as unknown as { middlewareStack: MiddlewareStack });
    this.clients.set(key, client);
    return client;
  }

  private guard(client: { middlewareStack: MiddlewareStack }): void {
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { commandName?: string; clientName?: string }) =>
        async (args: unknown) => {
          const operation = (context.commandName ?? '').replace(/Command$/, '');
          const service = (context.clientName ?? '').replace(/Client$/, '');
          if (this.readOnly && !isReadOnlyOperation(operation)) throw new MutationBlockedError(service, operation);
          this.config.onRequest?.(service, operation, (args as { input?: unknown }).input);
          return next(args);
        },
      { step: 'initialize', name: 'secureStartGuard', priority: 'high' },
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
