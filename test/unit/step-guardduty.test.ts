import { GetDetectorCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { describe, expect, it } from 'vitest';
import type { ClientClass, Finding, SdkClient, StepContext } from '../../src/engine/types.js';
import step, { costDetail, judge, regionFinding } from '../../steps/monitoring/guardduty/index.js';

const ACCOUNT = '123456789012';
const target = { partition: 'aws', accountId: ACCOUNT };

type Handler = (command: unknown) => unknown;

/** A context whose GuardDuty clients are real SDK clients (paginators insist on that) answering from `handler`. */
function stubContext(regions: string[], handler: (region: string) => Handler): StepContext {
  return {
    target: { ...target, principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`, isRoot: false, sandbox: true, homeRegion: 'us-east-1' },
    regions: async () => regions,
    shared: (_k, load) => load(),
    client<C extends SdkClient>(cls: ClientClass<C>, region = 'us-east-1'): C {
      const c = new cls({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      const h = handler(region);
      (c as unknown as { send: (cmd: unknown) => Promise<unknown> }).send = async (cmd) => h(cmd);
      return c;
    },
  };
}

describe('judging a region', () => {
  it('no detector: off', () => {
    expect(judge([])).toEqual({ kind: 'none' });
  });

  it('a detector that is not enabled: suspended, and that one is turned back on', () => {
    expect(judge([{ id: 'b', status: 'DISABLED' }, { id: 'a', status: 'DISABLED' }])).toEqual({ kind: 'disabled', detector: { id: 'a', status: 'DISABLED' } });
  });

  it('any enabled detector: on', () => {
    expect(judge([{ id: 'a', status: 'DISABLED' }, { id: 'b', status: 'enabled' }])).toEqual({ kind: 'enabled', detector: { id: 'b', status: 'enabled' } });
  });
});

describe('the finding for a region', () => {
  it('passes with the detector', () => {
    expect(regionFinding({ kind: 'enabled', detector: { id: 'd1', status: 'ENABLED', frequency: 'SIX_HOURS' } }, 'eu-west-1', target)).toEqual({
      status: 'pass',
      resource: 'arn:aws:guardduty:eu-west-1:123456789012:detector/d1',
      region: 'eu-west-1',
      message: 'GuardDuty is on in eu-west-1 (detector d1, updated findings exported every 6 hours).',
    });
  });

  it('fails when suspended, carrying the detector to enable', () => {
    const f = regionFinding({ kind: 'disabled', detector: { id: 'd1', status: 'DISABLED' } }, 'us-east-1', target);
    expect(f).toMatchObject({ status: 'fail', data: { region: 'us-east-1', detectorId: 'd1' }, message: expect.stringContaining('suspended') });
  });

  it('fails when off, carrying only the region', () => {
    const f = regionFinding({ kind: 'none' }, 'us-east-1', target);
    expect(f).toMatchObject({ status: 'fail', resource: 'arn:aws:guardduty:us-east-1:123456789012:detector/*', data: { region: 'us-east-1' } });
    expect(f.data).not.toHaveProperty('detectorId');
  });
});

describe('the plan', () => {
  const failing = (region: string, detectorId?: string): Finding => ({ status: 'fail', resource: region, region, message: 'off', data: { region, ...(detectorId ? { detectorId } : {}) } });

  it('updates a suspended detector, creates one where there is none, and ignores other findings', async () => {
    const ctx = stubContext([], () => () => Promise.reject(new Error('plan reads nothing')));
    const plan = await step.plan(
      ctx,
      [failing('us-east-1', 'd1'), failing('eu-west-1'), { status: 'error', resource: 'x', region: 'ap-east-1', message: 'denied' }, { status: 'pass', resource: 'y', region: 'us-west-2', message: 'on' }],
      undefined,
    );
    expect(plan.actions.map((a) => [a.operation, a.region, a.params, a.inverse?.operation])).toEqual([
      ['UpdateDetector', 'us-east-1', { DetectorId: 'd1', Enable: true }, 'UpdateDetector'],
      ['CreateDetector', 'eu-west-1', { Enable: true, FindingPublishingFrequency: 'FIFTEEN_MINUTES' }, 'DeleteDetector'],
    ]);
    expect(plan.cost).toEqual({ scale: 'dollars', detail: costDetail(['us-east-1', 'eu-west-1'], ['us-east-1']) });
    // Only the region that never had GuardDuty gets a trial; the suspended one is billed at once.
    expect(plan.warnings).toEqual([
      expect.stringMatching(/free trial ends 30 days after GuardDuty is enabled in eu-west-1\b.*GuardDuty → Usage/),
      expect.stringMatching(/^us-east-1 had GuardDuty before\b.*no new free trial.*billed from the moment/),
      expect.stringContaining('monitoring.alerts'),
    ]);
    expect(plan.warnings!.join(' ')).not.toMatch(/trial ends 30 days after GuardDuty is enabled in [^.]*us-east-1/);
  });

  it('promises no trial at all when every region only had its detector suspended', async () => {
    const ctx = stubContext([], () => () => Promise.reject(new Error('plan reads nothing')));
    const plan = await step.plan(ctx, [failing('us-east-1', 'd1')], undefined);
    expect(plan.cost!.detail).not.toMatch(/gets? a 30-day free trial/);
    expect(plan.cost!.detail).toMatch(/us-east-1 had GuardDuty before.*no new free trial/);
    expect(plan.warnings!.join(' ')).not.toMatch(/free trial ends/);
  });

  it('is empty when nothing fails', async () => {
    const ctx = stubContext([], () => () => Promise.reject(new Error('plan reads nothing')));
    expect(await step.plan(ctx, [{ status: 'pass', resource: 'y', region: 'us-east-1', message: 'on' }], undefined)).toEqual({ actions: [] });
  });

  it('names the regions and the trial in the cost', () => {
    expect(costDetail(['us-east-1'])).toMatch(/^GuardDuty in 1 region \(us-east-1\)\. .*30-day free trial.*CloudTrail management events, VPC flow logs and DNS queries.*roughly a few dollars a month/);
    expect(costDetail(['us-east-1', 'eu-west-1', 'eu-central-1'])).toMatch(/^GuardDuty in 3 regions .*roughly 3 times a few dollars a month/);
    expect(costDetail(['us-east-1', 'eu-west-1'], ['us-east-1'])).toMatch(
      /^GuardDuty in 2 regions \(us-east-1, eu-west-1\)\. eu-west-1 gets a 30-day free trial.*us-east-1 had GuardDuty before .*no new free trial/,
    );
  });
});

describe('the check, region by region', () => {
  it('reads every detector of a region, and reports a region it may not read as an error without losing the others', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    const ctx = stubContext(['us-east-1', 'ap-east-1', 'eu-west-1'], (region) => (cmd) => {
      if (region === 'ap-east-1') throw denied;
      if (cmd instanceof ListDetectorsCommand) return { DetectorIds: region === 'us-east-1' ? ['d-off', 'd-on'] : [] };
      if (cmd instanceof GetDetectorCommand) return { Status: (cmd as GetDetectorCommand).input.DetectorId === 'd-on' ? 'ENABLED' : 'DISABLED' };
      throw new Error('unexpected call');
    });
    const findings = await step.check(ctx);
    expect(findings.map((f) => [f.region, f.status])).toEqual([
      ['us-east-1', 'pass'],
      ['ap-east-1', 'error'],
      ['eu-west-1', 'fail'],
    ]);
    expect(findings[0]!.resource).toMatch(/detector\/d-on$/);
    expect(findings[1]!.message).toMatch(/^GuardDuty in ap-east-1 could not be read: Access denied.*guardduty:ListDetectors, guardduty:GetDetector/);
  });

  it('says what to do about a region that is not enabled for the account', async () => {
    const refused = Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    const ctx = stubContext(['me-south-1'], () => () => {
      throw refused;
    });
    const [f] = await step.check(ctx);
    expect(f).toMatchObject({ status: 'error', region: 'me-south-1', message: expect.stringContaining('opt-in region that is not enabled') });
  });
});
