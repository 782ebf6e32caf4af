/**
 * Decisions that outlive the run (issue 12): a step accepted as it is, from the progress file (a
 * skip in the wizard, or fix --yes) or from the answers file (`"decision": "accept"` with a reason),
 * is reported by check as `skipped` with the reason and the date; a decision never hides an error
 * nor turns into a pass. Pure.
 */
import { describe, expect, it } from 'vitest';
import { answersTemplate } from '../../src/engine/answers.js';
import { decisionText, recordedDecision, withDecision } from '../../src/engine/decision.js';
import { answered, checkEntry, resolveInputs, splitEntry } from '../../src/engine/inputs.js';
import type { StepResult } from '../../src/engine/result.js';
import type { Status } from '../../src/engine/types.js';
import { registry } from '../../steps/index.js';

const load = (id: string) => registry.find((e) => e.meta.id === id)!.load();

function result(status: Status): StepResult {
  return {
    step: 'infrastructure.network-firewall',
    area: 'infrastructure',
    title: 't',
    severity: 'low',
    status,
    references: {},
    findings: [{ status, resource: 'vpc-1', region: 'us-east-1', message: 'VPC vpc-1 has an internet gateway and no firewall.' }],
  };
}

describe('a recorded decision in check', () => {
  const recorded = recordedDecision({ status: 'skipped', reason: 'no public workload yet', at: '2026-12-04T19:00:00.000Z' });

  it('turns a failing or manual step into skipped, naming the reason and the date, and keeps what the check found', () => {
    for (const status of ['fail', 'manual'] as const) {
      const r = withDecision(result(status), recorded);
      expect(r.status).toBe('skipped');
      expect(r.findings[0]).toMatchObject({ status: 'skipped', message: 'Accepted as is on 2026-12-04 (no public workload yet); what the check finds is below.' });
      expect(r.findings[1]).toMatchObject({ status, resource: 'vpc-1' });
    }
  });

  it('leaves a pass, an error and an unsupported step as they are', () => {
    for (const status of ['pass', 'error', 'unsupported'] as const) expect(withDecision(result(status), recorded)).toEqual(result(status));
  });

  it('reads only skips from the progress file', () => {
    expect(recordedDecision({ status: 'fixed', at: '2026-12-04T19:00:00.000Z' })).toBeUndefined();
    expect(recordedDecision(undefined)).toBeUndefined();
    expect(withDecision(result('fail'), undefined).status).toBe('fail');
  });

  it('keeps control characters of a reason off the terminal', () => {
    expect(decisionText({ reason: 'ok\u001b[2J', source: 'progress' })).not.toContain('\u001b');
  });
});

describe('the decision fields of the answers file', () => {
  it('accepts "decision": "accept" with a reason, in any step, and the reason is not an input', async () => {
    expect(splitEntry({ decision: 'accept', reason: ' costs too much for now ' })).toEqual({
      inputs: {},
      decision: { reason: 'costs too much for now', source: 'answers' },
    });
    const fw = await load('infrastructure.network-firewall');
    expect(checkEntry(fw, { decision: 'accept', reason: 'later' }).invalid).toEqual([]);
    const layout = await load('infrastructure.network-layout');
    expect(checkEntry(layout, { decision: 'accept', reason: 'a public web tier' }).invalid).toEqual([]);
    // A decision is not an input: the step still needs its own inputs to be fixed.
    expect(answered({ decision: 'accept', reason: 'x' })).toBe(false);
    expect(resolveInputs(layout, [], { decision: 'accept', reason: 'x' })).toMatchObject({ ok: false });
  });

  it('refuses a decision without a reason, an unknown decision, and a reason without a decision', async () => {
    const fw = await load('infrastructure.network-firewall');
    expect(checkEntry(fw, { decision: 'accept' }).invalid).toEqual([expect.stringMatching(/^reason: say why/)]);
    expect(checkEntry(fw, { decision: 'accept', reason: '  ' }).invalid).toEqual([expect.stringMatching(/^reason: say why/)]);
    expect(checkEntry(fw, { decision: 'yes', reason: 'x' }).invalid).toEqual([expect.stringMatching(/^decision: "accept" or blank, not "yes"/)]);
    expect(checkEntry(fw, { reason: 'x' }).invalid).toEqual([expect.stringMatching(/^decision: "accept", to accept/)]);
    expect(checkEntry(fw, { decision: 'accept', reason: 3 }).invalid).toEqual([expect.stringMatching(/^reason: a sentence/)]);
  });

  it('the template offers the decision, blank, for the advice steps: unedited it decides nothing', async () => {
    const template = (await answersTemplate(registry)) as Record<string, Record<string, unknown>>;
    for (const id of ['infrastructure.network-firewall', 'infrastructure.ddos-protection']) {
      expect(template[id]).toMatchObject({ decision: '', reason: '', $decision: expect.stringContaining('"accept"') });
      expect(splitEntry(template[id]).decision, id).toBeUndefined();
      expect(checkEntry(await load(id), template[id]).invalid).toEqual([]);
    }
  });
});
