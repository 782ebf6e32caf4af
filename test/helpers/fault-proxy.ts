/**
 * A fault-injecting HTTP proxy for sandbox tests: it listens on loopback only, in front of one
 * emulator, and destroys the connection of every request whose SigV4 credential scope names one of
 * the `reset` regions (`Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request`),
 * as a network that drops a region's traffic would. Every other request is forwarded unchanged.
 * Bounded: a few connections at once, a time limit per request, and close() ends every socket.
 */
import { request as httpRequest, createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: give it to the client factory as the endpoint. */
  endpoint: string;
  /** Requests whose connection was destroyed, by region. */
  resets(region: string): number;
  /** Requests forwarded to the emulator, by region ('' for unsigned ones). */
  forwarded(region: string): number;
  close(): Promise<void>;
}

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/;

/** The region a request is signed for, or '' when it is not signed. */
export function signedRegion(authorization: string | undefined): string {
  return SCOPE.exec(authorization ?? '')?.[1] ?? '';
}

export async function startFaultProxy(target: string, opts: { reset: readonly string[]; timeoutMs?: number; maxConnections?: number }): Promise<FaultProxy> {
  const upstream = new URL(target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(upstream.hostname)) throw new Error(`fault proxy: only a loopback emulator may sit behind it, not ${target}`);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const reset = new Set(opts.reset);
  const resets = new Map<string, number>();
  const forwarded = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const sockets = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const region = signedRegion(req.headers.authorization);
    if (reset.has(region)) {
      bump(resets, region);
      req.socket.destroy();
      return;
    }
    bump(forwarded, region);
    const out = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, timeout: timeoutMs },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('timeout', () => out.destroy(new Error('fault proxy: the emulator did not answer in time')));
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  server.maxConnections = opts.maxConnections ?? 32;
  server.requestTimeout = timeoutMs;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fault proxy: no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    resets: (r) => resets.get(r) ?? 0,
    forwarded: (r) => forwarded.get(r) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
