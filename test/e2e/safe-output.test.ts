/**
 * Nothing from the account writes to the person's terminal (issue 9, item 4), through the built CLI:
 * a VPC whose Name tag erases the line above and fakes a PASS (with a C1 CSI and a bidi override)
 * is named by monitoring.flow-logs in the check table, the markdown report, the plan and the task
 * list of `fix --yes`, and the wizard's findings table and plan in a terminal, all without a control
 * or bidi character, while `--format json` keeps the exact raw value. An email with a newline in the
 * answers file is echoed escaped.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateVpcCommand, DeleteVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoEndpoint, resetMoto } from '../helpers/moto.js';
import { makeSandboxContext } from '../helpers/step-tester.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';
import { spawnCli } from './pty.js';

const EVIL = 'prod\x1b[2K\x1b[1A\u2026PASS all good\x9b32m \u202eevil\u202c\x07\tend';
// eslint-disable-next-line no-control-regex -- looking for control characters is the test
const FORBIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

type Report = { results: Array<{ step: string; status: string; findings: Array<{ status: string; resource: string; message: string }> }> };

describe('account text in the output of the built CLI', () => {
  let env: NodeJS.ProcessEnv;
  let state: string;
  let vpcId: string;
  const flags = () => [`--sandbox=${motoEndpoint()}`, '--regions', 'us-east-1', '--step', 'monitoring.flow-logs'];

  beforeAll(async () => {
    await resetMoto();
    state = await tempStateDir();
    env = cleanEnv({ SECURE_START_STATE_DIR: state });
    const ctx = makeSandboxContext();
    ctx.factory.readOnly = false;
    try {
      const ec2 = ctx.client(EC2Client, 'us-east-1');
      const made = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.77.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: EVIL }] }] }));
      vpcId = made.Vpc!.VpcId!;
    } finally {
      ctx.factory.destroy();
    }
  });

  afterAll(async () => {
    const ctx = makeSandboxContext();
    ctx.factory.readOnly = false;
    try {
      await ctx.client(EC2Client, 'us-east-1').send(new DeleteVpcCommand({ VpcId: vpcId })).catch(() => undefined);
    } finally {
      ctx.factory.destroy();
    }
  });

  it('check: the JSON report holds the raw Name tag, the table and the markdown hold no control or bidi character', async () => {
    const json = await runCli(['check', ...flags(), '--format', 'json'], env);
    expect(json.code, json.stderr).toBe(1);
    const ours = (JSON.parse(json.stdout) as Report).results[0]!.findings.find((f) => f.resource.startsWith(vpcId))!;
    expect(ours.status).toBe('fail');
    expect(ours.resource).toBe(`${vpcId} (${EVIL})`);
    expect(ours.message).toContain(EVIL);
    // Escaped by JSON: no raw control, C1 or bidi character on the screen of whoever reads it.
    expect(json.stdout).not.toMatch(FORBIDDEN);

    for (const format of ['table', 'markdown']) {
      const out = await runCli(['check', ...flags(), '--format', format], env);
      expect(out.code, out.stderr).toBe(1);
      expect(out.stdout, format).toContain(vpcId);
      expect(out.stdout, format).toContain('prod[2K[1A\u2026PASS all good');
      expect(out.stdout, format).not.toMatch(FORBIDDEN);
      expect(out.stderr, format).not.toMatch(FORBIDDEN);
    }
  });

  it('the wizard in a terminal shows the Name tag made safe in its findings and its plan', async () => {
    const run = spawnCli([...flags()], { stateDir: state });
    try {
      await run.waitFor(/\? Read the overview of the monitoring area\?/, 30_000);
      run.send('n', 'Enter');
      await run.waitFor(/\? Read the lesson on monitoring\.flow-logs\?/, 15_000);
      run.send('n', 'Enter');
      await run.waitFor(/\? What would you like to do\?\n❯ Fix it/, 30_000);
      run.send('Down', 'Enter');
      await run.waitFor(/Plan:[\s\S]*Record all traffic[\s\S]*\? What would you like to do\?/, 30_000);
      run.send('Ctrl-C');
      expect(await run.exit).toBe(130);
      expect(run.output).toContain('prod[2K[1A');
      // The raw bytes the terminal got: the wizard's own cursor moves, but none of the account's.
      for (const injected of ['\x1b[1A\u2026PASS', '\x9b', '\u202e', '\u202c', '\x07']) expect(run.rawOutput).not.toContain(injected);
    } finally {
      run.kill();
    }
  }, 120_000);

  it('plan (text and JSON) and fix --yes show the Name tag made safe', async () => {
    const text = await runCli(['plan', ...flags()], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('prod[2K[1A');
    expect(text.stdout + text.stderr).not.toMatch(FORBIDDEN);

    const json = await runCli(['plan', ...flags(), '--format', 'json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).not.toMatch(FORBIDDEN);
    const steps = (JSON.parse(json.stdout) as { steps: Array<{ actions: Array<{ summary: string }> }> }).steps;
    expect(steps.flatMap((s) => s.actions.map((a) => a.summary)).some((s) => s.includes(EVIL))).toBe(true);

    // Flow logs cost money: fix --yes applies them only with the answers file's consent.
    const consent = join(state, 'consent.json');
    await writeFile(consent, JSON.stringify({ 'monitoring.flow-logs': { apply: true } }));
    const fix = await runCli(['fix', '--yes', '--answers', consent, ...flags()], env);
    // The task list (stdout without a terminal) names the VPC in each task's title.
    expect(fix.stdout).toContain('prod[2K[1A');
    expect(fix.stdout + fix.stderr).not.toMatch(FORBIDDEN);
    expect(fix.code, fix.stderr).toBe(0);
  });

  it('an email with a newline in the answers file is echoed escaped, on one line', async () => {
    const answers = join(state, 'answers.json');
    await writeFile(answers, JSON.stringify({ 'monitoring.alerts': { email: 'sec@example.com\nFIXED       monitoring.alerts \x1b[32mok' } }));
    const run = await runCli(['fix', '--yes', '--answers', answers, `--sandbox=${motoEndpoint()}`, '--regions', 'us-east-1', '--step', 'monitoring.alerts'], env);
    expect(run.code).not.toBe(0);
    const all = run.stdout + run.stderr;
    expect(all).toContain('sec@example.com\\nFIXED');
    expect(all).not.toMatch(/^FIXED\s+monitoring\.alerts/m);
    expect(all).not.toMatch(FORBIDDEN);
  });
});
