/**
 * Endpoints that are not AWS, as the built CLI meets them: one that accepts a connection and never
 * answers (bounded waits: the run ends with a clear error, well under a minute), and web servers
 * answering HTML (one line saying the endpoint does not speak the AWS API, exit 2, no stack).
 */
import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';

const servers: Server[] = [];
const sockets = new Set<Socket>();

/** A loopback HTTP server; `handle` undefined: it accepts connections and never answers. */
async function listen(handle?: (status: (code: number) => void, body: (text: string) => void) => void): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    if (!handle) return; // Never answers.
    let code = 200;
    handle(
      (c) => (code = c),
      (text) => {
        res.writeHead(code, { 'content-type': 'text/html; charset=utf-8' });
        res.end(text);
      },
    );
  });
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

afterEach(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function env(extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  return cleanEnv({ SECURE_START_STATE_DIR: await tempStateDir(), AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1', ...extra });
}

/** The CLI's own words, without a stack trace or a plea to report a bug. */
function expectCleanError(stderr: string): void {
  expect(stderr).not.toMatch(/unexpected error|please report|Deserialization|\n\s+at /);
  expect(stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
}

describe('an endpoint that accepts connections and never answers', () => {
  it('check ends with an error naming the operation, the endpoint and the wait, after 3 attempts, well under a minute', async () => {
    const silent = await listen();
    const e = await env({ SECURE_START_CONNECT_TIMEOUT: '1', SECURE_START_REQUEST_TIMEOUT: '1.5' });
    // A custom endpoint gets at least 3 attempts unless AWS_MAX_ATTEMPTS says otherwise.
    delete e.AWS_MAX_ATTEMPTS;
    const started = Date.now();
    const r = await runCli(['check', '--endpoint-url', silent.url, '--step', 'account.password-policy'], e);
    const took = Date.now() - started;
    expect(r.stderr).toContain(`secure-start: sts:GetCallerIdentity got no answer from ${silent.url} within 1.5 s, 3 attempts.`);
    expect(r.stderr).toMatch(/SECURE_START_REQUEST_TIMEOUT/);
    expectCleanError(r.stderr);
    expect(r.code).toBe(2);
    expect(silent.connections()).toBe(3);
    expect(took).toBeLessThan(30_000);
  }, 60_000);

  it('AWS_MAX_ATTEMPTS still sets the attempts', async () => {
    const silent = await listen();
    const r = await runCli(['check', '--endpoint-url', silent.url, '--step', 'account.password-policy'], await env({ SECURE_START_REQUEST_TIMEOUT: '1', AWS_MAX_ATTEMPTS: '1' }));
    expect(r.stderr).toContain(`secure-start: sts:GetCallerIdentity got no answer from ${silent.url} within 1 s.`);
    expect(silent.connections()).toBe(1);
    expect(r.code).toBe(2);
  }, 60_000);

  it('--help names the two timeout variables', async () => {
    const r = await runCli(['--help'], cleanEnv());
    expect(r.stdout).toMatch(/SECURE_START_CONNECT_TIMEOUT seconds to connect \(default 5\)/);
    expect(r.stdout).toMatch(/SECURE_START_REQUEST_TIMEOUT seconds without an answer \(default 30\)/);
  });

  it('a timeout variable that is not a number of seconds is a usage error', async () => {
    const r = await runCli(['check', '--endpoint-url', 'http://127.0.0.1:9', '--step', 'account.password-policy'], await env({ SECURE_START_REQUEST_TIMEOUT: 'soon' }));
    expect(r.stderr).toMatch(/^secure-start: SECURE_START_REQUEST_TIMEOUT=soon is not a number of seconds\./);
    expect(r.code).toBe(2);
  });
});

describe('an endpoint that answers HTML', () => {
  it.each([
    ['a well-formed page, HTTP 200', 200, '<html><head><title>Welcome</title></head><body><p>It works!</p></body></html>'],
    ['a page the XML parser refuses, HTTP 200', 200, '<!DOCTYPE html><html><body><p>Welcome to nginx!</body></html>'],
    ['a not-found page, HTTP 404', 404, '<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>'],
    ['a server error page, HTTP 500', 500, '<html><body><h1>Internal Server Error</h1><hr></body></html>'],
  ])('%s: one line saying the endpoint does not speak the AWS API, exit 2', async (_name, status, page) => {
    const web = await listen((setStatus, send) => {
      setStatus(status);
      send(page);
    });
    const r = await runCli(['check', '--endpoint-url', web.url, '--step', 'account.password-policy'], await env());
    expect(r.stderr).toMatch(new RegExp(`^secure-start: ${web.url.replace(/[.]/g, '\\.')} does not speak the AWS API: it answered sts:GetCallerIdentity`));
    expectCleanError(r.stderr);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });
});
