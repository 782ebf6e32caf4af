/** monitoring.alerts without an emulator: its pattern logic, its questions, and (stubbed at the SDK level) a subscription still waiting for confirmation. */
import { describe, expect, it } from 'vitest';
import type { ClientClass, Finding, SdkClient, StepContext } from '../../src/engine/types.js';
import step, { alertRegions } from '../../steps/monitoring/alerts/index.js';
import {
  allowsPublish,
  coverageGap,
  defaultTopicPolicy,
  firesOnOne,
  GUARDDUTY_PATTERN,
  guardDutyCoverage,
  isRootFilter,
  mergeTopicPolicy,
  parseLogGroupArn,
  publishStatement,
  ROOT_FILTER_PATTERN,
} from '../../steps/monitoring/alerts/pattern.js';
import { validEmail } from '../../src/engine/validate.js';
import { ScriptedAsker } from '../helpers/step-tester.js';

const ACCOUNT = '123456789012';
const HERE = { account: ACCOUNT, region: 'us-east-1' };
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:secure-start-alerts`;
const cover = (p: unknown) => guardDutyCoverage(JSON.stringify(p), HERE);
const withSeverity = (...severity: unknown[]) => cover({ source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'], detail: { severity } });

describe('monitoring.alerts: which rules deliver GuardDuty findings of medium severity and above', () => {
  it('our own pattern covers medium (4.0) and everything above', () => {
    expect(cover(GUARDDUTY_PATTERN)).toEqual({ kind: 'severity', from: 4, inclusive: true, ok: true });
  });

  it.each([
    ['no severity filter', { source: ['aws.guardduty'] }, null],
    ['a lower threshold', { source: ['aws.guardduty'], detail: { severity: [{ numeric: ['>', 2] }] } }, 2],
    ['two ranges that meet', { source: ['aws.guardduty'], detail: { severity: [{ numeric: ['>=', 4, '<', 7] }, { numeric: ['>=', 7] }] } }, 4],
    ['an upper bound at the maximum', { source: ['aws.guardduty'], detail: { severity: [{ numeric: ['>=', 1, '<=', 10] }] } }, 1],
    ['exists', { detail: { severity: [{ exists: true }] } }, null],
    ['a source prefix and no detail-type', { source: [{ prefix: 'aws.' }] }, null],
  ])('counts %s', (_name, pattern, from) => {
    expect(cover(pattern)).toMatchObject({ kind: 'severity', ok: true, from });
  });

  it.each([
    ['severity 7 and above', [{ numeric: ['>=', 7] }], /only findings of severity 7 and above \(high\), so medium ones \(4.0–6.9\) are missed/],
    ['above 4 (4.0 itself is missed)', [{ numeric: ['>', 4] }], /severity above 4 \(medium\)/],
    ['a gap at exactly 7', [{ numeric: ['>=', 4, '<', 7] }, { numeric: ['>', 7] }], /severity above 7/],
    ['single values', [2, 5, 8], /leaves out the most severe findings/],
    ['an upper bound below the maximum', [{ numeric: ['>=', 4, '<', 9] }], /leaves out the most severe findings/],
  ])('does not count %s', (_name, severity, gap) => {
    const c = withSeverity(...severity);
    expect(c).toMatchObject({ kind: 'severity', ok: false });
    expect(coverageGap(c)).toMatch(gap);
  });

  it('tells apart patterns about something else and patterns that narrow findings otherwise', () => {
    expect(cover({ source: ['aws.ec2'] })).toEqual({ kind: 'unrelated' });
    expect(cover({ source: ['aws.guardduty'], 'detail-type': ['GuardDuty Runtime Protection Unhealthy'] })).toEqual({ kind: 'unrelated' });
    expect(cover({ source: [{ 'anything-but': ['aws.guardduty'] }] })).toEqual({ kind: 'unrelated' });
    expect(cover({ source: ['aws.guardduty'], region: ['eu-west-1'] })).toEqual({ kind: 'unrelated' });
    expect(guardDutyCoverage('not json', HERE)).toEqual({ kind: 'unrelated' });
    expect(guardDutyCoverage(undefined, HERE)).toEqual({ kind: 'unrelated' });
    const narrowed = cover({ source: ['aws.guardduty'], detail: { type: [{ prefix: 'UnauthorizedAccess:' }] } });
    expect(narrowed).toEqual({ kind: 'narrowed', why: 'it also filters on detail.type' });
    expect(coverageGap(narrowed)).toBe('it sends only some findings (it also filters on detail.type)');
    expect(cover({ source: ['aws.guardduty'], resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1'] })).toMatchObject({ kind: 'narrowed' });
  });
});

describe('monitoring.alerts: root filters, alarms and topic policies', () => {
  it.each([
    [ROOT_FILTER_PATTERN, true],
    ['{$.userIdentity.type="Root"&&$.userIdentity.invokedBy NOT EXISTS&&$.eventType!="AwsServiceEvent"}', true],
    ['{ $.userIdentity.type = Root }', true],
    ['{ $.userIdentity.type != "Root" }', false],
    ['{ $.userIdentity.type = "RootUser" }', false],
    ['{ $.eventName = "ConsoleLogin" }', false],
    [undefined, false],
  ])('isRootFilter(%s) is %s', (pattern, expected) => {
    expect(isRootFilter(pattern)).toBe(expected);
  });

  it('an alarm counts when a single event sets it off', () => {
    expect(firesOnOne({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 })).toBe(true);
    expect(firesOnOne({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 })).toBe(true);
    expect(firesOnOne({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 5 })).toBe(false);
    expect(firesOnOne({ ComparisonOperator: 'LessThanThreshold', Threshold: 1 })).toBe(false);
  });

  it('the default topic policy does not let EventBridge publish; our statement does; everything else is kept', () => {
    const plain = JSON.stringify(defaultTopicPolicy(TOPIC, ACCOUNT));
    expect(allowsPublish(plain, 'events.amazonaws.com', TOPIC)).toBe(false);
    const merged = mergeTopicPolicy(plain, TOPIC, ACCOUNT)!;
    const doc = JSON.parse(merged) as { Id: string; Statement: { Sid: string }[] };
    expect(doc.Id).toBe('__default_policy_ID');
    expect(doc.Statement.map((s) => s.Sid)).toEqual(['__default_statement_ID', 'SecureStartAlertsPublish']);
    expect(doc.Statement[1]).toEqual(publishStatement(TOPIC, ACCOUNT));
    expect(allowsPublish(merged, 'events.amazonaws.com', TOPIC)).toBe(true);
    expect(allowsPublish(merged, 'cloudwatch.amazonaws.com', TOPIC)).toBe(true);
    expect(mergeTopicPolicy(merged, TOPIC, ACCOUNT)).toBeNull();
    expect(JSON.parse(mergeTopicPolicy(null, TOPIC, ACCOUNT)!)).toEqual(doc);
  });

  it('an open Allow without conditions lets a service publish; a narrower resource does not', () => {
    const open = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'SNS:*', Resource: `arn:aws:sns:*:${ACCOUNT}:*` }] });
    expect(allowsPublish(open, 'events.amazonaws.com', TOPIC)).toBe(true);
    const other = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: `${TOPIC}-other` }] });
    expect(allowsPublish(other, 'events.amazonaws.com', TOPIC)).toBe(false);
    expect(() => mergeTopicPolicy('{oops', TOPIC, ACCOUNT)).toThrow(/cannot be parsed/);
  });

  it('reads log-group ARNs as CloudTrail names them', () => {
    expect(parseLogGroupArn(`arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/secure-start/cloudtrail:*`)).toEqual({ region: 'eu-west-1', account: ACCOUNT, name: '/secure-start/cloudtrail' });
    expect(parseLogGroupArn(`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:trail-logs`)).toEqual({ region: 'us-east-1', account: ACCOUNT, name: 'trail-logs' });
    expect(parseLogGroupArn(undefined)).toBeUndefined();
  });

  it('puts the home region first, once', () => {
    expect(alertRegions(['eu-west-1', 'us-east-1'], 'us-east-1')).toEqual(['us-east-1', 'eu-west-1']);
    expect(alertRegions(['eu-west-1'], 'us-east-1')).toEqual(['us-east-1', 'eu-west-1']);
  });
});

const finding = (emails: string[]): Finding => ({ status: 'fail', resource: 'r', region: 'us-east-1', message: '…', data: { kind: 'guardduty', region: 'us-east-1', ready: false, emails } });

describe('monitoring.alerts: the email address', () => {
  const spec = step.inputs!;

  it('the schema refuses a bad address with a message that says what to type', () => {
    const bad = spec.schema.safeParse({ email: 'security(at)example' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe(validEmail('security(at)example'));
    expect(bad.error?.issues[0]?.message).toMatch(/name@example.com/);
    expect(spec.schema.safeParse({ email: '  ops@example.com ' }).data).toEqual({ email: 'ops@example.com' });
    expect(spec.schema.safeParse({}).success).toBe(false);
    expect(spec.requiredInAnswers).toBe(true);
  });

  it('defaults to an address the check found, else to nothing', () => {
    expect(spec.defaults([finding(['team@example.com'])])).toEqual({ email: 'team@example.com' });
    expect(spec.defaults([finding([])])).toEqual({ email: '' });
  });

  it('asks with validation and says a confirmation email must be clicked', async () => {
    const asker = new ScriptedAsker([{ text: 'not an address' }, { text: 'security@example.com' }]);
    const result = await spec.ask(asker, { email: '' }, [finding([])]);
    expect(result).toEqual({ email: 'security@example.com' });
    expect(asker.remaining).toBe(0);
    expect(asker.asked[0]!.rejected).toEqual([{ answer: 'not an address', message: validEmail('not an address') }]);
    expect(asker.notes.join('\n')).toMatch(/confirmation email.*must click its link/);
  });

  it('offers the address already subscribed as the default', async () => {
    const asker = new ScriptedAsker([{ text: '' }]);
    const result = await spec.ask(asker, spec.defaults([finding(['team@example.com'])]), [finding(['team@example.com'])]);
    expect(result).toEqual({ email: 'team@example.com' });
    expect(asker.asked[0]!.default).toBe('team@example.com');
    expect(asker.notes[0]).toBe('Alerts go to team@example.com now.');
  });

  it('a plan given a bad address says which input is wrong', async () => {
    await expect(step.plan({} as StepContext, [finding([])], { email: 'nope' })).rejects.toThrow(/Invalid inputs for monitoring.alerts: email: "nope" is not an email address/);
  });
});

/**
 * Real AWS lists an unconfirmed email subscription as "PendingConfirmation"; moto confirms at once.
 * So this case is stubbed at the SDK level: every client answers from the table below.
 */
describe('monitoring.alerts: a subscription waiting for confirmation (SDK stubs: moto confirms at once)', () => {
  const trailArn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/secure-start-trail`;
  const state = { logging: true, subscription: 'PendingConfirmation' };
  const answers: Record<string, (input: Record<string, unknown>) => unknown> = {
    DescribeTrails: () => ({
      trailList: [
        {
          Name: 'secure-start-trail',
          TrailARN: trailArn,
          HomeRegion: 'us-east-1',
          IsMultiRegionTrail: true,
          LogFileValidationEnabled: true,
          S3BucketName: 'b',
          CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/secure-start/cloudtrail:*`,
        },
      ],
    }),
    GetTrailStatus: () => ({ IsLogging: state.logging }),
    GetEventSelectors: () => ({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }),
    ListRules: () => ({ Rules: [{ Name: 'secure-start-guardduty-findings', Arn: 'arn:rule', EventPattern: JSON.stringify(GUARDDUTY_PATTERN), State: 'ENABLED' }] }),
    ListTargetsByRule: () => ({ Targets: [{ Id: 't', Arn: TOPIC }] }),
    ListSubscriptions: () => ({ Subscriptions: [{ TopicArn: TOPIC, Protocol: 'email', Endpoint: 'security@example.com', SubscriptionArn: state.subscription }] }),
    GetTopicAttributes: () => ({ Attributes: { Policy: mergeTopicPolicy(null, TOPIC, ACCOUNT) } }),
    DescribeLogGroups: () => ({ logGroups: [{ logGroupName: '/secure-start/cloudtrail', retentionInDays: 365 }] }),
    DescribeMetricFilters: () => ({
      metricFilters: [{ filterName: 'secure-start-root-activity', filterPattern: ROOT_FILTER_PATTERN, metricTransformations: [{ metricName: 'RootActivity', metricNamespace: 'SecureStart', metricValue: '1' }] }],
    }),
    DescribeAlarmsForMetric: () => ({
      MetricAlarms: [{ AlarmName: 'secure-start-root-activity', AlarmArn: 'arn:alarm', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1, AlarmActions: [TOPIC], ActionsEnabled: true }],
    }),
  };
  const sent: string[] = [];
  const memo = new Map<string, Promise<unknown>>();
  const ctx: StepContext = {
    target: { accountId: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:user/x`, isRoot: false, sandbox: false, partition: 'aws', homeRegion: 'us-east-1' },
    regions: async () => ['us-east-1'],
    client<C extends SdkClient>(cls: ClientClass<C>): C {
      // An instance of the real class (the SDK's paginators insist), whose send answers from the table.
      const client = Object.assign(Object.create(cls.prototype) as object, {
        send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
          const op = command.constructor.name.replace(/Command$/, '');
          sent.push(op);
          const answer = answers[op];
          if (!answer) throw new Error(`no stub for ${op}`);
          return answer(command.input);
        },
        destroy: () => undefined,
      });
      return client as unknown as C;
    },
    shared<T>(key: string, load: () => Promise<T>): Promise<T> {
      if (!memo.has(key)) memo.set(key, load());
      return memo.get(key) as Promise<T>;
    },
  };

  it('fails both findings saying the email must be confirmed, and the plan only sends the confirmation again', async () => {
    Object.assign(state, { logging: true, subscription: 'PendingConfirmation' });
    memo.clear();
    const findings = await step.check(ctx);
    expect(findings.map((f) => f.status)).toEqual(['fail', 'fail']);
    for (const f of findings) expect(f.message).toMatch(/security@example.com to topic secure-start-alerts is PendingConfirmation: nothing is delivered until someone clicks the link/);
    expect(step.inputs!.defaults(findings)).toEqual({ email: 'security@example.com' });
    const plan = await step.plan(ctx, findings, { email: 'security@example.com' });
    expect(plan.actions.map((a) => `${a.service}:${a.operation}`)).toEqual(['sns:Subscribe']);
    expect(plan.actions[0]!.summary).toMatch(/Send the confirmation email for security@example.com again/);
    expect(plan.cost?.scale).toBe('free');
    expect(new Set(sent)).not.toContain('Subscribe');
  });

  it('once confirmed it passes; a trail that stopped logging is left to monitoring.cloudtrail, with nothing planned here', async () => {
    Object.assign(state, { logging: true, subscription: `${TOPIC}:0b53` });
    memo.clear();
    expect((await step.check(ctx)).map((f) => f.status)).toEqual(['pass', 'pass']);
    Object.assign(state, { logging: false });
    memo.clear();
    const findings = await step.check(ctx);
    expect(findings.map((f) => f.status)).toEqual(['pass', 'fail']);
    expect(findings[1]!.message).toMatch(/trail secure-start-trail is not logging.*fix monitoring.cloudtrail first/);
    const plan = await step.plan(ctx, findings, { email: 'security@example.com' });
    expect(plan.actions).toEqual([]);
    expect(plan.warnings).toEqual([expect.stringContaining('Trail secure-start-trail is not logging')]);
  });
});
