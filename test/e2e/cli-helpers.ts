/** Runs the built CLI (dist/) as a user would: a child process, or a pseudo-terminal. */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve('bin/secure-start.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function tempStateDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'secure-start-e2e-'));
}

/** Environment for a run with no AWS credentials of the machine's own leaking in. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', AWS_MAX_ATTEMPTS: '1' };
  env.AWS_CONFIG_FILE = '/nonexistent/config';
  env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  // No instance metadata lookups (they would wait for a timeout on machines outside AWS).
  env.AWS_EC2_METADATA_DISABLED = 'true';
  return { ...env, ...extra };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
