/**
 * The infrastructure area end to end through the built CLI on the seeded day-one account: the four
 * auto steps fail and the two advice steps wait for a decision; fix --yes with an answers file
 * (the subnets named, "apply": true where a fix removes something, and a recorded decision for the
 * firewall and DDoS steps) fixes the four and records the two decisions; a second check of the same
 * progress file passes, showing the decisions as skipped with their reason and date; a second plan
 * is empty. Also: check --answers carries the decisions in CI without any progress file.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { motoEndpoint, resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { cleanEnv, runCli, tempStateDir } from './cli-helpers.js';

// The day-one scenario seeds every area, and the IAM steps attach AWS managed policies.
useManagedPolicies();

interface Result {
  step: string;
  status: string;
  findings: Array<{ status: string; resource: string; message: string }>;
}
const results = (stdout: string) => (JSON.parse(stdout) as { results: Result[] }).results;
const statuses = (stdout: string) => Object.fromEntries(results(stdout).map((x) => [x.step, x.status]));

const AUTO = ['infrastructure.network-layout', 'infrastructure.default-security-groups', 'infrastructure.admin-ports', 'infrastructure.nacl-admin-ports'];
const ADVICE = ['infrastructure.network-firewall', 'infrastructure.ddos-protection'];
const FIREWALL_REASON = 'security groups and NACLs only until launch; review in Q3';
const DDOS_REASON = 'Shield Standard is enough: no public workload yet';

describe('the infrastructure area on the day-one account', () => {
  it('check, fix --yes with answers and decisions, check again (decisions shown), and a second plan is empty', async () => {
    await resetMoto();
    const state = await tempStateDir();
    const env = cleanEnv({ SECURE_START_STATE_DIR: state });
    const sandbox = `--sandbox=${motoEndpoint()}`;
    expect((await runCli(['sandbox', 'seed', '--endpoint-url', motoEndpoint()], env)).code).toBe(0);

    const before = await runCli(['check', sandbox, '--area', 'infrastructure', '--format', 'json'], env);
    expect(before.code).toBe(1);
    expect(statuses(before.stdout)).toEqual({ ...Object.fromEntries(AUTO.map((id) => [id, 'fail'])), ...Object.fromEntries(ADVICE.map((id) => [id, 'manual'])) });
    // The default subnets route to the internet gateway the seed added, and map public IPs.
    const layout = results(before.stdout).find((r) => r.step === 'infrastructure.network-layout')!;
    const subnets = layout.findings.filter((f) => f.status === 'fail').map((f) => /^subnet-[0-9a-f]+/.exec(f.resource)![0]);
    expect(subnets.length).toBeGreaterThan(0);
    expect(layout.findings.filter((f) => f.status === 'fail').every((f) => / is public: /.test(f.message))).toBe(true);

    const answers = join(state, 'answers.json');
    await writeFile(
      answers,
      JSON.stringify({
        // Public subnets change only when named, and with "apply": true (launches that count on the address lose it).
        'infrastructure.network-layout': { subnets, apply: true },
        'infrastructure.default-security-groups': { apply: true },
        'infrastructure.admin-ports': { apply: true },
        'infrastructure.nacl-admin-ports': { apply: true },
        'infrastructure.network-firewall': { decision: 'accept', reason: FIREWALL_REASON },
        'infrastructure.ddos-protection': { decision: 'accept', reason: DDOS_REASON },
      }),
    );
    const fix = await runCli(['fix', '--yes', '--answers', answers, sandbox, '--area', 'infrastructure'], env);
    expect(fix.stderr.match(/^FAIL\b.*$/gm) ?? []).toEqual([]);
    expect(fix.stderr).toMatch(/^SKIPPED\s+infrastructure\.network-firewall: accepted as is in the answers file \(security groups and NACLs only/m);
    expect(fix.code).toBe(0);

    // The same progress file: the fixes hold, and the decisions are shown with their reason and date.
    const after = await runCli(['check', sandbox, '--area', 'infrastructure', '--format', 'json'], env);
    expect(statuses(after.stdout)).toEqual({ ...Object.fromEntries(AUTO.map((id) => [id, 'pass'])), ...Object.fromEntries(ADVICE.map((id) => [id, 'skipped'])) });
    expect(after.code).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    const firewall = results(after.stdout).find((r) => r.step === 'infrastructure.network-firewall')!;
    expect(firewall.findings[0]).toMatchObject({ status: 'skipped', message: `Accepted as is on ${today} (${FIREWALL_REASON}); what the check finds is below.` });
    // What the account holds is still reported under the decision.
    // (the default VPC and data.in-transit's day-one-app VPC both have an internet gateway).
    const below = firewall.findings.slice(1);
    expect(below.map((f) => f.status)).toEqual(['manual', 'manual']);
    expect(below.every((f) => f.message.includes('no AWS Network Firewall'))).toBe(true);
    const table = await runCli(['check', sandbox, '--area', 'infrastructure'], env);
    expect(table.stdout).toContain(DDOS_REASON);
    expect(table.code).toBe(0);

    const plan = await runCli(['plan', sandbox, '--area', 'infrastructure', '--answers', answers, '--format', 'json'], env);
    expect((JSON.parse(plan.stdout) as { steps: Array<{ actions: unknown[] }> }).steps.flatMap((s) => s.actions)).toEqual([]);
  }, 300_000);

  it('check --answers carries the decisions in CI, without a progress file; a bad decision is refused with exit 2', async () => {
    await resetMoto();
    const state = await tempStateDir();
    const env = cleanEnv({ SECURE_START_STATE_DIR: state });
    const sandbox = `--sandbox=${motoEndpoint()}`;
    expect((await runCli(['sandbox', 'seed', '--endpoint-url', motoEndpoint()], env)).code).toBe(0);
    const answers = join(state, 'ci.json');
    await writeFile(answers, JSON.stringify({ 'infrastructure.ddos-protection': { decision: 'accept', reason: DDOS_REASON } }));
    const ci = await runCli(['check', sandbox, '--step', 'infrastructure.ddos-protection', '--step', 'infrastructure.network-firewall', '--answers', answers, '--format', 'json'], env);
    expect(statuses(ci.stdout)).toEqual({ 'infrastructure.network-firewall': 'manual', 'infrastructure.ddos-protection': 'skipped' });
    expect(results(ci.stdout)[1]!.findings[0]!.message).toBe(`Accepted as is in the answers file (${DDOS_REASON}); what the check finds is below.`);
    expect(ci.code).toBe(0);

    await writeFile(answers, JSON.stringify({ 'infrastructure.ddos-protection': { decision: 'accept' } }));
    const bad = await runCli(['check', sandbox, '--step', 'infrastructure.ddos-protection', '--answers', answers], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/infrastructure\.ddos-protection › reason: say why the step is accepted as it is/);
  }, 120_000);
});
