/**
 * monitoring.cloudtrail without AWS: the event-selector merge, the problem phrases, and the check and
 * plan over stubbed CloudTrail answers for what the emulator cannot make (an organization trail of
 * another account).
 */
import type { AdvancedEventSelector, EventSelector, Trail } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import type { SdkClient, StepContext, Target } from '../../src/engine/types.js';
import type { TrailState } from '../../steps/monitoring/_shared/trails.js';
import { managementEvents } from '../../steps/monitoring/_shared/trails.js';
import step, { accountOf, joinAnd, problems } from '../../steps/monitoring/cloudtrail/index.js';
import {
  MAX_BASIC_SELECTORS,
  isReadOnlySplit,
  withManagementAdvanced,
  withManagementBasic,
  withManagementEvents,
} from '../../steps/monitoring/cloudtrail/selectors.js';

const S3_DATA = { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::app-data/'] };
const LAMBDA_DATA = { Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] };
const mgmt = (readOnly?: string[]): AdvancedEventSelector => ({
  Name: readOnly ? `Management ${readOnly.join('+')}` : 'All management',
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, ...(readOnly ? [{ Field: 'readOnly', Equals: readOnly }] : [])],
});
const s3Advanced: AdvancedEventSelector = {
  Name: 'S3 objects',
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
  ],
};

/** After the merge, the selectors log every management event (the rule the check applies). */
function logsAll(change: ReturnType<typeof withManagementBasic>): boolean {
  if (change.kind === 'impossible') return false;
  return (
    managementEvents(change.kind === 'basic' ? { eventSelectors: change.selectors, advancedEventSelectors: [] } : { eventSelectors: [], advancedEventSelectors: change.selectors }) ===
    'all'
  );
}

describe('basic selectors: management events on, data selectors kept', () => {
  it('no selector (what emulators return) becomes the one default selector', () => {
    const change = withManagementBasic([]);
    expect(change).toMatchObject({ kind: 'basic', selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
    expect(logsAll(change)).toBe(true);
  });

  it('a read-only management selector is widened; the data selector beside it is kept exactly', () => {
    const data: EventSelector = { ReadWriteType: 'WriteOnly', IncludeManagementEvents: false, DataResources: [S3_DATA] };
    const change = withManagementBasic([{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, ExcludeManagementEventSources: ['kms.amazonaws.com'] }, data]);
    expect(change).toEqual({
      kind: 'basic',
      selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, ExcludeManagementEventSources: ['kms.amazonaws.com'] }, data],
      note: 'selector 1 set to every management event, reads and writes; the data-event selector is kept as it is',
    });
    expect(logsAll(change)).toBe(true);
  });

  it('a data selector on reads and writes gets management events turned on, and nothing else changes', () => {
    const change = withManagementBasic([{ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [S3_DATA] }]);
    expect(change).toMatchObject({ kind: 'basic', selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [S3_DATA] }] });
    expect(logsAll(change)).toBe(true);
  });

  it('a data selector on writes only is never widened to reads (data reads can cost a lot): a management selector is added', () => {
    const data: EventSelector = { ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [S3_DATA] };
    const change = withManagementBasic([data]);
    expect(change).toEqual({
      kind: 'basic',
      selectors: [data, { ReadWriteType: 'All', IncludeManagementEvents: true }],
      note: 'a selector for every management event added; the data-event selector is kept as it is',
    });
    expect(logsAll(change)).toBe(true);
  });

  it('with five narrow data selectors already, nothing can be added: the reason is given', () => {
    const full = Array.from({ length: MAX_BASIC_SELECTORS }, (_, i): EventSelector => ({
      ReadWriteType: i % 2 ? 'ReadOnly' : 'WriteOnly',
      IncludeManagementEvents: false,
      DataResources: [i % 2 ? S3_DATA : LAMBDA_DATA],
    }));
    expect(withManagementBasic(full)).toEqual({ kind: 'impossible', reason: expect.stringContaining('already has 5 event selectors') });
  });

  it('does not change the selectors it was given', () => {
    const given: EventSelector[] = [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }];
    withManagementBasic(given);
    expect(given).toEqual([{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }]);
  });
});

describe('advanced selectors: one management selector, the readOnly split dropped', () => {
  it('a read-only management selector is replaced; the data selector stays, in its place', () => {
    const change = withManagementAdvanced([mgmt(['true']), s3Advanced]);
    expect(change).toEqual({
      kind: 'advanced',
      selectors: [s3Advanced, { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }],
      note: 'a selector for every management event added, replacing "Management true" (only reads or only writes); the other selector is kept as it is',
    });
    expect(logsAll(change)).toBe(true);
  });

  it('data selectors only: the management selector is added beside them', () => {
    const change = withManagementAdvanced([s3Advanced]);
    expect(change).toMatchObject({ kind: 'advanced', selectors: [s3Advanced, { Name: 'Management events' }] });
    expect(logsAll(change)).toBe(true);
  });

  it('the new name never clashes with a selector that stays', () => {
    const named = { ...s3Advanced, Name: 'Management events' };
    const change = withManagementAdvanced([named]);
    expect(change.kind === 'advanced' && change.selectors.map((s) => s.Name)).toEqual(['Management events', 'Management events (2)']);
  });

  it('which management selectors count as split by readOnly', () => {
    expect(isReadOnlySplit(mgmt(['true']))).toBe(true);
    expect(isReadOnlySplit(mgmt(['false']))).toBe(true);
    expect(isReadOnlySplit(mgmt(['true', 'false']))).toBe(false);
    expect(isReadOnlySplit(mgmt())).toBe(false);
    expect(isReadOnlySplit({ ...s3Advanced, FieldSelectors: [...s3Advanced.FieldSelectors!, { Field: 'readOnly', Equals: ['false'] }] })).toBe(false);
  });

  it('the trail keeps the kind of selectors it uses', () => {
    expect(withManagementEvents({ eventSelectors: [], advancedEventSelectors: [s3Advanced] }).kind).toBe('advanced');
    expect(withManagementEvents({ eventSelectors: [], advancedEventSelectors: [] }).kind).toBe('basic');
  });
});

const trail = (over: Partial<TrailState> = {}): TrailState => ({
  name: 't',
  arn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/t',
  homeRegion: 'us-east-1',
  multiRegion: true,
  organization: false,
  logging: true,
  validation: true,
  eventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
  advancedEventSelectors: [],
  ...over,
});

describe('what the finding says is wrong', () => {
  it('names each problem, and none for a good trail', () => {
    expect(problems(trail())).toEqual([]);
    expect(problems(trail({ multiRegion: false, logging: false, validation: false, eventSelectors: [] }))).toEqual([
      'records only its home region',
      'is not logging (it records nothing)',
      'has log-file validation off',
      'records no management events',
    ]);
    expect(problems(trail({ eventSelectors: [{ ReadWriteType: 'WriteOnly' }] }))).toEqual(['records only write management events, not the reads']);
    expect(problems(trail({ eventSelectors: [], advancedEventSelectors: [mgmt(['true'])] }))).toEqual([
      'records only read management events, not the changes (writes)',
    ]);
  });

  it('joins phrases as a sentence does, and reads the account from an ARN', () => {
    expect([joinAnd([]), joinAnd(['a']), joinAnd(['a', 'b']), joinAnd(['a', 'b', 'c'])]).toEqual(['', 'a', 'a and b', 'a, b and c']);
    expect(accountOf('arn:aws:cloudtrail:eu-west-1:999999999999:trail/org')).toBe('999999999999');
  });
});

// ---------------------------------------------------------------------------------------------
// The check and plan over stubbed answers: an organization trail made in the management account.

const TARGET: Target = {
  accountId: '123456789012',
  principalArn: 'arn:aws:iam::123456789012:user/alice',
  isRoot: false,
  sandbox: false,
  partition: 'aws',
  homeRegion: 'us-east-1',
};

interface Stubbed {
  trail: Trail;
  logging: boolean;
  selectors: EventSelector[];
}

const ORG = '999999999999';
const orgTrail = (over: Partial<Trail> = {}): Trail => ({
  Name: 'org-trail',
  TrailARN: `arn:aws:cloudtrail:us-east-1:${ORG}:trail/org-trail`,
  HomeRegion: 'us-east-1',
  IsMultiRegionTrail: true,
  IsOrganizationTrail: true,
  LogFileValidationEnabled: true,
  S3BucketName: 'org-audit-logs',
  ...over,
});

/** A context whose CloudTrail answers from `stubs` and whose S3 has no logging bucket yet; it records every call. */
function stubContext(stubs: Stubbed[]): { ctx: StepContext; calls: string[] } {
  const calls: string[] = [];
  const byArn = new Map(stubs.map((s) => [s.trail.TrailARN, s]));
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const op = command.constructor.name.replace(/Command$/, '');
      calls.push(op);
      switch (op) {
        case 'DescribeTrails':
          return { trailList: stubs.map((s) => s.trail) };
        case 'GetTrailStatus':
          return { IsLogging: byArn.get(command.input.Name as string)!.logging };
        case 'GetEventSelectors':
          return { EventSelectors: byArn.get(command.input.TrailName as string)!.selectors };
        case 'HeadBucket':
          throw Object.assign(new Error('Not Found'), { name: 'NotFound' });
        default:
          throw new Error(`unexpected ${op}`);
      }
    },
    destroy() {},
  };
  const memo = new Map<string, Promise<unknown>>();
  const ctx: StepContext = {
    target: TARGET,
    regions: async () => ['us-east-1'],
    client: <C extends SdkClient>() => client as unknown as C,
    shared: <T>(key: string, load: () => Promise<T>) => {
      if (!memo.has(key)) memo.set(key, load());
      return memo.get(key) as Promise<T>;
    },
  };
  return { ctx, calls };
}

const ALL: EventSelector[] = [{ ReadWriteType: 'All', IncludeManagementEvents: true }];

describe('an organization trail of another account', () => {
  it('passes the account when it is good, and says where it is changed', async () => {
    const { ctx } = stubContext([{ trail: orgTrail(), logging: true, selectors: ALL }]);
    const findings = await step.check(ctx);
    expect(findings).toEqual([
      {
        status: 'pass',
        resource: orgTrail().TrailARN,
        region: 'global',
        message:
          'Organization trail org-trail of account 999999999999 (home region us-east-1) is logging every management event, reads and writes, ' +
          "in every region, with log-file validation. Changes to it are made in account 999999999999, the organization's management account.",
      },
    ]);
    expect((await step.plan(ctx, findings, undefined)).actions).toEqual([]);
  });

  it('when it is not good, the finding says only that account can change it, and the plan makes a trail of this account', async () => {
    const { ctx, calls } = stubContext([{ trail: orgTrail({ LogFileValidationEnabled: false }), logging: true, selectors: ALL }]);
    const findings = await step.check(ctx);
    expect(findings).toEqual([
      expect.objectContaining({
        status: 'fail',
        resource: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/*',
        message:
          'No multi-region trail of this account records management events in every region. Organization trail org-trail of account 999999999999 ' +
          "(home region us-east-1) has log-file validation off; only account 999999999999 (the organization's management account) can change it.",
      }),
    ]);
    const plan = await step.plan(ctx, findings, undefined);
    expect(plan.actions.map((a) => a.operation)).toEqual([
      'CreateBucket',
      'PutPublicAccessBlock',
      'PutBucketOwnershipControls',
      'PutBucketEncryption',
      'PutBucketPolicy',
      'CreateTrail',
      'PutEventSelectors',
      'StartLogging',
    ]);
    expect(plan.actions.some((a) => JSON.stringify(a.params).includes('org-trail'))).toBe(false);
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^Organization trail org-trail of account 999999999999 \(home region us-east-1\) cannot be changed from this account/),
      expect.stringMatching(/^Trail org-trail \(us-east-1\) already records management events\. Only the first copy in each region is free/),
    ]);
    expect(plan.cost?.scale).toBe('dollars');
    // The trails were read once for check and plan together.
    expect(calls.filter((c) => c === 'DescribeTrails')).toHaveLength(1);
  });

  it("beside this account's own multi-region trail, the own trail is the one fixed and the other is mentioned", async () => {
    const own = {
      trail: { ...orgTrail({ IsOrganizationTrail: false, LogFileValidationEnabled: false }), Name: 'mine', TrailARN: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/mine' },
      logging: true,
      selectors: ALL,
    };
    const { ctx } = stubContext([{ trail: orgTrail(), logging: false, selectors: ALL }, own]);
    const findings = await step.check(ctx);
    expect(findings).toEqual([
      expect.objectContaining({
        resource: own.trail.TrailARN,
        message:
          'Multi-region trail mine (home region us-east-1) has log-file validation off. Organization trail org-trail of account 999999999999 ' +
          "(home region us-east-1) is not logging (it records nothing); only account 999999999999 (the organization's management account) can change it.",
      }),
    ]);
    const plan = await step.plan(ctx, findings, undefined);
    expect(plan.actions.map((a) => [a.operation, a.params])).toEqual([['UpdateTrail', { Name: own.trail.TrailARN, EnableLogFileValidation: true }]]);
    expect(plan.cost).toBeUndefined();
  });

  it('a paid second copy is named only when the fix starts one', async () => {
    const mine = (logging: boolean) => ({
      trail: { ...orgTrail({ IsOrganizationTrail: false, LogFileValidationEnabled: false }), Name: 'mine', TrailARN: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/mine' },
      logging,
      selectors: ALL,
    });
    const orgLogging = { trail: orgTrail({ LogFileValidationEnabled: false }), logging: true, selectors: ALL };
    // Already recording beside the organization trail: turning validation on adds no copy.
    const already = stubContext([orgLogging, mine(true)]).ctx;
    expect((await step.plan(already, await step.check(already), undefined)).cost).toBeUndefined();
    // Stopped: starting it makes the second copy.
    const stopped = stubContext([orgLogging, mine(false)]).ctx;
    const plan = await step.plan(stopped, await step.check(stopped), undefined);
    expect(plan.actions.map((a) => a.operation)).toEqual(['UpdateTrail', 'StartLogging']);
    expect(plan.cost).toEqual({ scale: 'dollars', detail: expect.stringContaining('beside org-trail (us-east-1)') });
  });
});
