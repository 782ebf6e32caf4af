import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION, SandboxError, assertEmulatorEndpoint, noteScenario, resolveSandbox, sandboxStatus, startLongLived, stopLongLived } from '../../src/sandbox/index.js';
import { findMotoServer, isMoto, isProcessAlive, startMoto } from '../../src/sandbox/moto.js';
import { readSandboxRecord, runningSandbox, sandboxRecordPath, writeSandboxRecord } from '../../src/sandbox/state.js';
import { describeRequest, downloadRecording, motoEndpoint, startRecording, stopRecording, type RecordedRequest } from '../helpers/moto.js';

const root = packageRoot();
const motoModule = pathToFileURL(join(root, 'src/sandbox/moto.ts')).href;
const indexModule = pathToFileURL(join(root, 'src/sandbox/index.ts')).href;

function sts(endpoint: string): STSClient {
  return new STSClient({ endpoint, region: SANDBOX_REGION, credentials: { ...SANDBOX_CREDENTIALS }, maxAttempts: 1 });
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

/** Runs `code` (an ES module body) in a child node that can import the TypeScript sources through tsx. */
function childNode(code: string, env: NodeJS.ProcessEnv = process.env) {
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function firstLine(child: ReturnType<typeof childNode>, timeoutMs: number): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('child printed nothing in time')), timeoutMs);
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before printing`)));
    });
  } finally {
    lines.close();
  }
}

describe.skipIf(!findMotoServer())('sandbox: moto provider', () => {
  it('starts a private moto that answers STS, and stop() ends the process', async () => {
    const moto = await startMoto();
    try {
      expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(isProcessAlive(moto.pid)).toBe(true);
      expect(await isMoto(moto.endpoint)).toBe(true);
      const who = await sts(moto.endpoint).send(new GetCallerIdentityCommand({}));
      expect(who.Account).toMatch(/^\d{12}$/);
    } finally {
      await moto.stop();
    }
    expect(isProcessAlive(moto.pid)).toBe(false);
    expect(await isMoto(moto.endpoint)).toBe(false);
    expect(existsSync(moto.logFile)).toBe(false);
    await moto.stop(); // a second stop is harmless
  }, 90_000);

  it('kills a private moto when its parent is SIGKILLed (watchdog)', async () => {
    const child = childNode(
      `const { startMoto } = await import(${JSON.stringify(motoModule)});
       const moto = await startMoto();
       console.log(JSON.stringify({ pid: moto.pid, endpoint: moto.endpoint }));
       setInterval(() => {}, 60_000);`,
    );
    let info: { pid: number; endpoint: string };
    try {
      info = JSON.parse(await firstLine(child, 80_000)) as { pid: number; endpoint: string };
      expect(isProcessAlive(info.pid)).toBe(true);
      expect(await isMoto(info.endpoint)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await waitFor(() => !isProcessAlive(info.pid), 5000)).toBe(true);
    expect(await isMoto(info.endpoint)).toBe(false);
  }, 90_000);

  it('stops a private moto when its parent exits normally without calling stop()', async () => {
    const child = childNode(
      `const { startMoto } = await import(${JSON.stringify(motoModule)});
       const moto = await startMoto();
       console.log(JSON.stringify({ pid: moto.pid }));`,
    );
    const { pid } = JSON.parse(await firstLine(child, 80_000)) as { pid: number };
    // Nothing keeps the child's event loop alive once moto answers: it ends by itself.
    const exited = await new Promise<boolean>((resolve) => {
      if (child.exitCode !== null) return resolve(true);
      const timer = setTimeout(() => resolve(false), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!exited) child.kill('SIGKILL');
    expect(exited).toBe(true);
    expect(await waitFor(() => !isProcessAlive(pid), 5000)).toBe(true);
  }, 90_000);

  it('reports a moto_server that cannot start as a SandboxError', async () => {
    const saved = process.env.MOTO_SERVER_BIN;
    try {
      process.env.MOTO_SERVER_BIN = '/nonexistent/moto_server';
      await expect(startMoto()).rejects.toMatchObject({ name: 'SandboxError', hint: expect.stringContaining('pip install') });
      process.env.MOTO_SERVER_BIN = 'false'; // found on PATH, exits at once
      const error = (await startMoto().catch((e: unknown) => e)) as SandboxError;
      expect(error).toBeInstanceOf(SandboxError);
      expect(error.message).toMatch(/exited while starting \(exit 1\)/);
      const log = /Its output is in (\S+\.log)/.exec(error.hint ?? '')?.[1];
      expect(log && existsSync(log)).toBe(true); // kept for the person to read
      if (log) await rm(log, { force: true });
    } finally {
      if (saved === undefined) delete process.env.MOTO_SERVER_BIN;
      else process.env.MOTO_SERVER_BIN = saved;
    }
  }, 30_000);

  describe('long-lived sandbox', () => {
    let dir: string;
    const saved = process.env.SECURE_START_STATE_DIR;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'secure-start-sandbox-state-'));
      process.env.SECURE_START_STATE_DIR = dir;
    });
    afterAll(async () => {
      await stopLongLived().catch(() => undefined);
      if (saved === undefined) delete process.env.SECURE_START_STATE_DIR;
      else process.env.SECURE_START_STATE_DIR = saved;
      await rm(dir, { recursive: true, force: true });
    });

    it('outlives the process that started it, is attached to, and stops through its record', async () => {
      // `sandbox start` in another process, which then exits.
      const child = childNode(
        `const { startLongLived } = await import(${JSON.stringify(indexModule)});
         const { record } = await startLongLived('moto');
         console.log(JSON.stringify(record));`,
        { ...process.env, SECURE_START_STATE_DIR: dir },
      );
      const printed = JSON.parse(await firstLine(child, 80_000)) as { pid: number; endpoint: string };
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));

      const record = await runningSandbox();
      expect(record).toMatchObject({ provider: 'moto', endpoint: printed.endpoint, pid: printed.pid });
      expect(isProcessAlive(printed.pid)).toBe(true);
      expect(sandboxRecordPath()).toBe(join(dir, 'sandbox.json'));

      const again = await startLongLived('moto');
      expect(again.alreadyRunning).toBe(true);
      expect((await sandboxStatus()).running?.endpoint).toBe(printed.endpoint);

      const attached = await resolveSandbox('auto', {});
      expect(attached).toMatchObject({ provider: 'moto', endpoint: printed.endpoint, private: false });
      await attached.stop(); // attaching never stops the long-lived sandbox
      expect(await isMoto(printed.endpoint)).toBe(true);

      // --sandbox=moto attaches to the long-lived moto: nothing is started, so nothing says "Starting".
      const starting: string[] = [];
      const named = await resolveSandbox('moto', { onStarting: (p) => starting.push(p) });
      expect(named).toMatchObject({ provider: 'moto', endpoint: printed.endpoint, private: false });
      expect(starting).toEqual([]);

      // The record notes the scenario seeded into it, and only for its own endpoint.
      expect(await noteScenario(`${printed.endpoint}/`, 'day-one', '2026-12-04T10:00:00.000Z')).toBe(true);
      expect(await noteScenario('http://127.0.0.1:9', 'none')).toBe(false);
      expect(await readSandboxRecord()).toMatchObject({ endpoint: printed.endpoint, scenario: 'day-one', seededAt: '2026-12-04T10:00:00.000Z' });

      const stopped = await stopLongLived();
      expect(stopped?.pid).toBe(printed.pid);
      expect(await waitFor(() => !isProcessAlive(printed.pid), 5000)).toBe(true);
      expect(await readSandboxRecord()).toBeUndefined();
      expect(await stopLongLived()).toBeUndefined();
    }, 120_000);

    it('clears a stale record without touching its pid', async () => {
      await writeSandboxRecord({ provider: 'moto', endpoint: 'http://127.0.0.1:9', pid: process.pid, startedAt: new Date().toISOString() });
      expect(await runningSandbox()).toBeUndefined();
      expect(existsSync(sandboxRecordPath())).toBe(false);
      await writeSandboxRecord({ provider: 'moto', endpoint: 'http://127.0.0.1:9', pid: process.pid, startedAt: new Date().toISOString() });
      expect(await stopLongLived()).toBeUndefined();
      await writeFile(sandboxRecordPath(), '{ not json');
      expect(await readSandboxRecord()).toBeUndefined();
    });
  });
});

describe('sandbox: endpoints', () => {
  it.each([
    'https://iam.amazonaws.com',
    'https://sts.us-east-1.amazonaws.com/',
    'https://IAM.AMAZONAWS.COM./',
    'https://s3.cn-north-1.amazonaws.com.cn',
    'https://sts.us-east-1.api.aws',
    'http://example.aws.dev:8080',
    'ftp://127.0.0.1:21',
    'not a url',
  ])('refuses %s', (url) => {
    expect(() => assertEmulatorEndpoint(url)).toThrow(SandboxError);
  });

  it.each(['http://127.0.0.1:5000', 'http://localhost:4566/', 'https://emulator.internal:4566'])('accepts %s', (url) => {
    expect(assertEmulatorEndpoint(url).href).toContain(new URL(url).host);
  });

  it('refuses an AWS URL as --sandbox and as --endpoint-url', async () => {
    await expect(resolveSandbox('https://iam.amazonaws.com')).rejects.toThrow(SandboxError);
    await expect(resolveSandbox('auto', { endpointUrl: 'https://iam.amazonaws.com' })).rejects.toThrow(/AWS endpoint/);
    await expect(resolveSandbox('mock')).rejects.toThrow(/Unknown sandbox/);
  });

  it('attaches to a named emulator URL without owning it', async () => {
    const endpoint = motoEndpoint();
    const sandbox = await resolveSandbox(endpoint);
    expect(sandbox).toMatchObject({ provider: 'endpoint', endpoint, private: false, credentials: SANDBOX_CREDENTIALS });
    await sandbox.stop();
    expect(await isMoto(endpoint)).toBe(true);
    await expect(resolveSandbox('http://127.0.0.1:9')).rejects.toThrow(/Nothing answers/);
  });
});

describe('test helpers: moto recorder', () => {
  it('records the requests a client makes, with service, region and action', async () => {
    const endpoint = motoEndpoint();
    await startRecording();
    try {
      await sts(endpoint).send(new GetCallerIdentityCommand({}));
      const iam = new IAMClient({ endpoint, region: SANDBOX_REGION, credentials: { ...SANDBOX_CREDENTIALS }, maxAttempts: 1 });
      await expect(iam.send(new GetUserCommand({ UserName: 'recorder-nobody' }))).rejects.toThrow();
    } finally {
      await stopRecording();
    }
    const described = (await downloadRecording()).map(describeRequest);
    expect(described).toContainEqual({ service: 'sts', region: SANDBOX_REGION, action: 'GetCallerIdentity' });
    expect(described).toContainEqual({ service: 'iam', region: SANDBOX_REGION, action: 'GetUser' });
  });

  it('describes JSON, RPC v2 and REST requests', () => {
    const auth = (service: string, region: string) => ({
      Authorization: `AWS4-HMAC-SHA256 Credential=sandbox/20261129/${region}/${service}/aws4_request, SignedHeaders=host, Signature=abc`,
    });
    const json: RecordedRequest = {
      headers: { ...auth('kms', 'eu-west-1'), 'X-Amz-Target': 'TrentService.CreateKey', 'Content-Type': 'application/x-amz-json-1.1' },
      method: 'POST',
      url: 'http://127.0.0.1:5000/',
      body: Buffer.from('{}').toString('base64'),
      body_encoded: true,
    };
    const cbor: RecordedRequest = {
      headers: { ...auth('monitoring', 'us-east-1'), 'Content-Type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' },
      method: 'POST',
      url: 'http://127.0.0.1:5000/service/GraniteServiceVersion20100801/operation/PutMetricAlarm',
    };
    const rest: RecordedRequest = { headers: auth('s3', 'us-east-1'), method: 'put', url: 'http://127.0.0.1:5000/my-bucket?encryption', body: '', body_encoded: false };
    const query: RecordedRequest = {
      headers: { ...auth('ec2', 'eu-west-1'), 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      method: 'POST',
      url: 'http://127.0.0.1:5000/',
      body: 'Action=DescribeVpcs&Version=2016-11-15',
      body_encoded: false,
    };
    expect(describeRequest(json)).toEqual({ service: 'kms', region: 'eu-west-1', action: 'CreateKey' });
    expect(describeRequest(cbor)).toEqual({ service: 'monitoring', region: 'us-east-1', action: 'PutMetricAlarm' });
    expect(describeRequest(rest)).toEqual({ service: 's3', region: 'us-east-1', action: 'PUT /my-bucket' });
    expect(describeRequest(query)).toEqual({ service: 'ec2', region: 'eu-west-1', action: 'DescribeVpcs' });
    expect(describeRequest({ headers: {}, method: 'POST', url: 'http://127.0.0.1:5000/moto-api/reset' })).toEqual({ service: '', region: '', action: 'POST /moto-api/reset' });
  });
});
