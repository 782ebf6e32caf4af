/**
 * The built CLI and the run's regions (issue 9, items 1 and 7): an empty region list is refused
 * before anything is checked, from whichever source it comes, and every report says which regions
 * were checked and where that list came from.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { motoEndpoint } from '../helpers/moto.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';

/** Four regional steps that pass on an account nobody looked at: the trial's false all-clear. */
const REGIONAL = ['--step', 'monitoring.guardduty', '--step', 'data.kms-rotation', '--step', 'monitoring.config-recorder', '--step', 'monitoring.flow-logs'];

let state: string;
let env: NodeJS.ProcessEnv;
let sandbox: string;

beforeEach(async () => {
  state = await tempStateDir();
  env = cleanEnv({ SECURE_START_STATE_DIR: state });
  sandbox = `--sandbox=${motoEndpoint()}`;
});

/** A valid progress file for the sandbox account, recording `regions` as account.regions would. */
async function progressWith(regions: string[]): Promise<string> {
  const now = new Date().toISOString();
  await mkdir(state, { recursive: true });
  const file = join(state, 'sandbox-123456789012.json');
  const data = {
    schemaVersion: 1,
    tool: { name: 'secure-start', version: '0.1.0' },
    target: { accountId: '123456789012', sandbox: true, regions },
    createdAt: now,
    updatedAt: now,
    steps: {},
    journal: [],
  };
  await writeFile(file, JSON.stringify(data), { mode: 0o600 });
  return file;
}

describe('an empty region list', () => {
  // More spellings in test/unit/cli.test.ts; each run of the CLI costs seconds.
  for (const given of [',', ' ', '']) {
    it(`--regions ${JSON.stringify(given)} is a usage error (exit 2), never a PASS`, async () => {
      const r = await runCli(['check', sandbox, '--regions', given, ...REGIONAL], env);
      expect(r.stdout).not.toMatch(/PASS/);
      expect(r.stderr).toMatch(/--regions names no region/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(2);
    });
  }

  it('from the progress file is refused before any step is checked, naming the file', async () => {
    const file = await progressWith([]);
    for (const cmd of ['check', 'plan']) {
      const r = await runCli([cmd, sandbox, ...REGIONAL], env);
      expect(r.stdout).not.toMatch(/PASS|pass/);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toMatch(/no region/);
      expect(r.code).toBe(2);
    }
  });

  it('--regions wins over the progress file, and the report says the flag chose them', async () => {
    await progressWith([]);
    const r = await runCli(['check', sandbox, '--regions', 'eu-west-1', '--format', 'json', '--step', 'monitoring.guardduty'], env);
    const report = JSON.parse(r.stdout);
    expect(report.target).toMatchObject({ regions: ['eu-west-1'], regionsSource: 'flag' });
    expect(report.results[0].findings.map((f: { region: string }) => f.region)).toEqual(['eu-west-1']);
  });
});

describe('where the regions came from', () => {
  it('the JSON report, the table and the markdown say the progress file chose them', async () => {
    await progressWith(['eu-west-1', 'us-east-1']);
    const json = JSON.parse((await runCli(['check', sandbox, '--format', 'json', '--step', 'monitoring.guardduty'], env)).stdout);
    expect(json.target).toMatchObject({ regions: ['eu-west-1', 'us-east-1'], regionsSource: 'progress-file' });
    const table = await runCli(['check', sandbox, '--step', 'monitoring.guardduty'], env);
    expect(table.stdout).toMatch(/Regions: eu-west-1, us-east-1 \(recorded in the progress file/);
    const md = await runCli(['check', sandbox, '--format', 'markdown', '--step', 'monitoring.guardduty'], env);
    expect(md.stdout).toMatch(/- Regions: eu-west-1, us-east-1 \(recorded in the progress file/);
  });

  it("a sandbox run without a choice checks the sandbox's home region and says so", async () => {
    const r = await runCli(['check', sandbox, '--format', 'json', '--step', 'monitoring.guardduty'], env);
    expect(JSON.parse(r.stdout).target).toMatchObject({ regions: ['us-east-1'], regionsSource: 'sandbox' });
    const table = await runCli(['check', sandbox, '--regions', 'us-east-1,eu-west-1', '--step', 'monitoring.guardduty'], env);
    expect(table.stdout).toMatch(/Regions: us-east-1, eu-west-1 \(from --regions\)/);
  });
});
