import { CloudTrailClient, CreateTrailCommand, DescribeTrailsCommand, StartLoggingCommand, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeMetricFiltersCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, ListSubscriptionsCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { RunContext } from '../../src/engine/context.js';
import { applyPlan, checkStep, planStep, type JournalEntry } from '../../src/engine/runner.js';
import step from '../../steps/monitoring/alerts/index.js';
import { GUARDDUTY_PATTERN, publishStatement, ROOT_FILTER_PATTERN } from '../../steps/monitoring/alerts/pattern.js';
import { fixThenUndo } from '../helpers/undo.js';
import { applyUndo, undoableEntries, undoVerdicts } from '../../src/engine/undo.js';
import { inSandbox, isReadRequest, recordCheckAndPlan, runStepCases, SANDBOX_ACCOUNT_ID, withChecked } from '../helpers/step-tester.js';

const ACCOUNT = SANDBOX_ACCOUNT_ID;
const EMAIL = 'security@example.com';
const INPUTS = { email: EMAIL };
const entry = { meta: step.meta, load: async () => step };
const TRAIL_BUCKET = 'alerts-test-trail-bucket';
const OUR_TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:secure-start-alerts`;

const TOPIC = ['sns:CreateTopic', 'sns:SetTopicAttributes', 'sns:Subscribe'];
const HOME_RULE = ['events:PutRule', 'events:PutTargets'];
const TRAIL_TO_LOGS = ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'iam:CreateRole', 'iam:PutRolePolicy', 'cloudtrail:UpdateTrail'];
const FILTER_AND_ALARM = ['logs:PutMetricFilter', 'cloudwatch:PutMetricAlarm'];
/** `service:Operation@region`, as a multi-region case pins its operations. */
const at = (region: string) => (op: string) => `${op}@${region}`;

/** A multi-region trail that logs, delivering to S3 only (as monitoring.cloudtrail leaves it). */
async function trail(ctx: RunContext, name = 'org-trail'): Promise<string> {
  await ctx.client(S3Client).send(new CreateBucketCommand({ Bucket: TRAIL_BUCKET }));
  const arn = (await ctx.client(CloudTrailClient).send(new CreateTrailCommand({ Name: name, S3BucketName: TRAIL_BUCKET, IsMultiRegionTrail: true, EnableLogFileValidation: true }))).TrailARN!;
  await ctx.client(CloudTrailClient).send(new StartLoggingCommand({ Name: name }));
  return arn;
}

/** The trail also delivers to a log group of the person's own making. */
async function trailWithLogs(ctx: RunContext, group = 'org-trail-logs'): Promise<{ arn: string; group: string }> {
  const arn = await trail(ctx);
  await ctx.client(CloudWatchLogsClient).send(new CreateLogGroupCommand({ logGroupName: group }));
  const role = (
    await ctx.client(IAMClient).send(
      new CreateRoleCommand({
        RoleName: 'org-trail-to-logs',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      }),
    )
  ).Role!.Arn!;
  await ctx.client(CloudTrailClient).send(
    new UpdateTrailCommand({ Name: arn, CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${group}:*`, CloudWatchLogsRoleArn: role }),
  );
  return { arn, group };
}

/** A topic of the person's own, with a confirmed email subscription and (optionally) the permission EventBridge needs. */
async function ownTopic(ctx: RunContext, name: string, email: string, opts: { eventsMayPublish: boolean } = { eventsMayPublish: true }): Promise<string> {
  const sns = ctx.client(SNSClient);
  const arn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
  await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: email }));
  if (opts.eventsMayPublish)
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: arn,
        AttributeName: 'Policy',
        AttributeValue: JSON.stringify({ Version: '2012-10-17', Statement: [publishStatement(arn, ACCOUNT)] }),
      }),
    );
  return arn;
}

async function guardDutyRule(ctx: RunContext, name: string, pattern: object, target: string, region = 'us-east-1'): Promise<void> {
  const events = ctx.client(EventBridgeClient, region);
  await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern), State: 'ENABLED' }));
  await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'email', Arn: target }] }));
}

/** CIS's filter on the trail's log group, under the person's own names, and optionally an alarm to `topic`. */
async function rootFilter(ctx: RunContext, group: string, topic?: string): Promise<void> {
  await ctx.client(CloudWatchLogsClient).send(
    new PutMetricFilterCommand({
      logGroupName: group,
      filterName: 'RootAccountUsage',
      // Spaced differently from ours: whitespace does not matter.
      filterPattern: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
      metricTransformations: [{ metricName: 'RootAccountUsageCount', metricNamespace: 'CISBenchmark', metricValue: '1' }],
    }),
  );
  if (topic)
    await ctx.client(CloudWatchClient).send(
      new PutMetricAlarmCommand({
        AlarmName: 'root-usage',
        MetricName: 'RootAccountUsageCount',
        Namespace: 'CISBenchmark',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topic],
      }),
    );
}

const GUARDDUTY_PASS = { status: 'pass' as const, region: 'us-east-1' };
const ROOT_PASS = { status: 'pass' as const, region: 'us-east-1', message: expect.stringContaining('Root activity recorded by trail') };

/**
 * Undo verdicts, newest first, of a fix of `n` changes that made our topic (its first three: the
 * topic, its policy, the subscription): every change undone, but the policy of the new topic,
 * which goes with the topic.
 */
const undoWithNewTopic = (n: number) => ({ kinds: [...Array.from({ length: n - 2 }, () => 'undo' as const), 'nothing' as const, 'undo' as const] });

runStepCases(step, [
  {
    name: 'the day-one seed with a trail that delivers to S3 only: topic, rule, log group, role, filter and alarm are made',
    seed: async (ctx) => {
      await step.seed!(ctx);
      await trail(ctx);
    },
    inputs: INPUTS,
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        region: 'us-east-1',
        resource: `arn:aws:events:us-east-1:${ACCOUNT}:rule/secure-start-guardduty-findings`,
        message: expect.stringMatching(/rule day-one-guardduty: the access policy of topic day-one-alerts does not let EventBridge publish/),
      },
      { status: 'fail', region: 'us-east-1', message: expect.stringContaining('Trail org-trail does not deliver its events to CloudWatch Logs') },
    ],
    expectOperations: [...TOPIC, ...HOME_RULE, ...TRAIL_TO_LOGS, ...FILTER_AND_ALARM],
    expectUndo: undoWithNewTopic([...TOPIC, ...HOME_RULE, ...TRAIL_TO_LOGS, ...FILTER_AND_ALARM].length),
    expectFindingsAfter: [
      { ...GUARDDUTY_PASS, message: expect.stringMatching(/secure-start-guardduty-findings in us-east-1 sends GuardDuty findings of severity 4 \(medium\) and above to topic secure-start-alerts, which emails security@example.com/) },
      { ...ROOT_PASS, message: expect.stringMatching(/filter secure-start-root-activity on \/secure-start\/cloudtrail, and alarm secure-start-root-activity notifies topic secure-start-alerts/) },
    ],
  },
  {
    name: 'a topic, rule, filter and alarm of the person’s own making pass as they are',
    seed: async (ctx) => {
      const topic = await ownTopic(ctx, 'ops-alerts', 'ops@example.com');
      await guardDutyRule(ctx, 'guardduty-to-ops', { source: ['aws.guardduty'], detail: { severity: [{ numeric: ['>', 2] }] } }, topic);
      const { group } = await trailWithLogs(ctx);
      await rootFilter(ctx, group, topic);
    },
    expectStatus: 'pass',
    expectFindings: [
      { ...GUARDDUTY_PASS, resource: `arn:aws:events:us-east-1:${ACCOUNT}:rule/guardduty-to-ops`, message: expect.stringContaining('severity 2 (low) and above to topic ops-alerts, which emails ops@example.com') },
      { ...ROOT_PASS, resource: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:root-usage` },
    ],
  },
  {
    name: 'our topic already emails the same address: it is reused, with no second subscription',
    seed: async (ctx) => {
      await trail(ctx);
      const sns = ctx.client(SNSClient);
      const arn = (await sns.send(new CreateTopicCommand({ Name: 'secure-start-alerts' }))).TopicArn!;
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: EMAIL }));
    },
    inputs: INPUTS,
    expectStatus: 'fail',
    expectOperations: ['sns:SetTopicAttributes', ...HOME_RULE, ...TRAIL_TO_LOGS, ...FILTER_AND_ALARM],
  },
  {
    name: 'a trail that already delivers to a log group keeps it: only the filter and the alarm are added there',
    seed: async (ctx) => {
      await trailWithLogs(ctx);
    },
    inputs: INPUTS,
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', message: expect.stringContaining('No EventBridge rule in us-east-1 sends GuardDuty findings anywhere') },
      { status: 'fail', message: 'Trail org-trail delivers to log group org-trail-logs, but no metric filter there counts root activity.' },
    ],
    expectOperations: [...TOPIC, ...HOME_RULE, ...FILTER_AND_ALARM],
    expectUndo: undoWithNewTopic([...TOPIC, ...HOME_RULE, ...FILTER_AND_ALARM].length),
  },
  {
    name: 'a root filter without an alarm: only the alarm is added, on the filter’s own metric',
    seed: async (ctx) => {
      const topic = await ownTopic(ctx, 'ops-alerts', EMAIL);
      await guardDutyRule(ctx, 'guardduty-to-ops', GUARDDUTY_PATTERN, topic);
      const { group } = await trailWithLogs(ctx);
      await rootFilter(ctx, group);
    },
    inputs: INPUTS,
    expectStatus: 'fail',
    expectFindings: [GUARDDUTY_PASS, { status: 'fail', message: expect.stringContaining('no alarm watches metric CISBenchmark/RootAccountUsageCount of filter RootAccountUsage') }],
    expectOperations: [...TOPIC, 'cloudwatch:PutMetricAlarm'],
    expectUndo: undoWithNewTopic([...TOPIC, 'cloudwatch:PutMetricAlarm'].length),
  },
  {
    name: 'a rule for findings of severity 7 and above does not count: medium findings would be missed',
    seed: async (ctx) => {
      const topic = await ownTopic(ctx, 'secure-start-alerts', EMAIL);
      await guardDutyRule(ctx, 'high-only', { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>=', 7] }] } }, topic);
      const { group } = await trailWithLogs(ctx);
      await rootFilter(ctx, group, topic);
    },
    inputs: INPUTS,
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('rule high-only: it sends only findings of severity 7 and above (high), so medium ones (4.0–6.9) are missed') }, ROOT_PASS],
    expectOperations: HOME_RULE,
  },
  {
    name: 'no trail at all: root activity says to fix monitoring.cloudtrail first, and the rest is fixed',
    seed: (ctx) => step.seed!(ctx),
    inputs: INPUTS,
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail' }, { status: 'fail', message: expect.stringContaining('No multi-region CloudTrail trail') }],
    expectOperations: [...TOPIC, ...HOME_RULE],
    expectUndo: undoWithNewTopic([...TOPIC, ...HOME_RULE].length),
    expectAfter: 'fail',
    expectFindingsAfter: [GUARDDUTY_PASS, { status: 'fail', message: expect.stringContaining('fix monitoring.cloudtrail first') }],
  },
  {
    name: 'in two regions, the other region forwards its findings to the home bus through a role that may do only that',
    regions: ['us-east-1', 'eu-west-1'],
    seed: async (ctx) => {
      await step.seed!(ctx);
      await trail(ctx);
    },
    inputs: INPUTS,
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', region: 'us-east-1' },
      { status: 'fail', region: 'eu-west-1' },
      { status: 'fail', region: 'us-east-1' },
    ],
    // Only the home region has a topic: the other region's rule never targets SNS directly.
    expectOperations: [
      ...TOPIC.map(at('us-east-1')),
      ...['iam:CreateRole', 'iam:PutRolePolicy'].map(at('global')),
      ...HOME_RULE.map(at('us-east-1')),
      ...HOME_RULE.map(at('eu-west-1')),
      ...['logs:CreateLogGroup@us-east-1', 'logs:PutRetentionPolicy@us-east-1', 'iam:CreateRole@global', 'iam:PutRolePolicy@global', 'cloudtrail:UpdateTrail@us-east-1'],
      ...FILTER_AND_ALARM.map(at('us-east-1')),
    ],
    expectUndo: undoWithNewTopic(TOPIC.length + 2 + HOME_RULE.length * 2 + 5 + FILTER_AND_ALARM.length),
    expectPlan: (plan) => {
      const eu = plan.actions.filter((a) => a.region === 'eu-west-1');
      expect(eu[1]!.params).toEqual({
        Rule: 'secure-start-guardduty-findings',
        Targets: [{ Id: 'secure-start-home-bus', Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`, RoleArn: `arn:aws:iam::${ACCOUNT}:role/secure-start-events-forwarder` }],
      });
      const forwarder = plan.actions.filter((a) => a.params.RoleName === 'secure-start-events-forwarder');
      expect(forwarder.map((a) => a.operation)).toEqual(['CreateRole', 'PutRolePolicy']);
      expect(JSON.parse(String(forwarder[1]!.params.PolicyDocument))).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default` }],
      });
      expect(JSON.parse(String(forwarder[0]!.params.AssumeRolePolicyDocument)).Statement[0]).toMatchObject({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      });
    },
    expectApplied: async (ctx) => {
      const targets = await ctx.client(EventBridgeClient, 'eu-west-1').send(new ListTargetsByRuleCommand({ Rule: 'secure-start-guardduty-findings' }));
      expect(targets.Targets?.map((t) => t.Arn)).toEqual([`arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`]);
    },
    expectFindingsAfter: [
      { status: 'pass', region: 'us-east-1' },
      { status: 'pass', region: 'eu-west-1', message: expect.stringContaining('to the default event bus of us-east-1, where a rule emails them') },
      { status: 'pass', region: 'us-east-1' },
    ],
  },
]);

describe('monitoring.alerts: beyond the table', () => {
  it('the fix wires what it made together: topic policy, trail log group, filter pattern and alarm action', async () => {
    await withChecked(step, { seed: async (c) => {
      await step.seed!(c);
      await trail(c);
    } }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, INPUTS);
      expect(plan.cost?.scale).toBe('cents');
      expect(plan.warnings?.join('\n')).toMatch(/confirmation.*security@example.com.*click its link, or nothing is delivered/is);
      const policy = JSON.parse(String(plan.actions.find((a) => a.operation === 'SetTopicAttributes')!.params.AttributeValue)) as { Statement: { Sid: string }[] };
      expect(policy.Statement.map((s) => s.Sid)).toEqual(['__default_statement_ID', 'SecureStartAlertsPublish']);
      expect((await applyPlan(step.meta.id, plan, ctx, () => undefined)).ok).toBe(true);

      const trails = (await ctx.client(CloudTrailClient).send(new DescribeTrailsCommand({}))).trailList ?? [];
      expect(trails.map((t) => [t.Name, t.CloudWatchLogsLogGroupArn, t.CloudWatchLogsRoleArn])).toEqual([
        ['org-trail', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/secure-start/cloudtrail:*`, `arn:aws:iam::${ACCOUNT}:role/secure-start-cloudtrail-to-logs`],
      ]);
      const filters = (await ctx.client(CloudWatchLogsClient).send(new DescribeMetricFiltersCommand({ logGroupName: '/secure-start/cloudtrail' }))).metricFilters ?? [];
      expect(filters.map((f) => f.filterPattern)).toEqual([ROOT_FILTER_PATTERN]);
      const alarms = (await ctx.client(CloudWatchClient).send(new DescribeAlarmsCommand({ AlarmNames: ['secure-start-root-activity'] }))).MetricAlarms ?? [];
      expect(alarms.map((a) => [a.MetricName, a.Namespace, a.Threshold, a.Period, a.TreatMissingData, a.AlarmActions])).toEqual([
        ['RootActivity', 'SecureStart', 1, 300, 'notBreaching', [OUR_TOPIC]],
      ]);
      const subs = (await ctx.client(SNSClient).send(new ListSubscriptionsCommand({}))).Subscriptions ?? [];
      expect(subs.map((s) => [s.TopicArn, s.Endpoint])).toEqual([[OUR_TOPIC, EMAIL]]);
    });
  });

  it('defaults to the address already subscribed to our topic, and only plans what is missing', async () => {
    await withChecked(step, { seed: async (c) => {
      await trailWithLogs(c);
      await ownTopic(c, 'secure-start-alerts', 'team@example.com');
    } }, async (ctx, checked) => {
      expect(step.inputs!.defaults(checked.result.findings)).toEqual({ email: 'team@example.com' });
      const plan = await planStep(checked, ctx, step.inputs!.defaults(checked.result.findings));
      expect(plan.actions.map((a) => a.operation)).toEqual(['PutRule', 'PutTargets', 'PutMetricFilter', 'PutMetricAlarm']);
    });
  });

  it('a plan without an email (a preview) subscribes no one and says so', async () => {
    await withChecked(step, { seed: (c) => step.seed!(c) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, step.inputs!.defaults(checked.result.findings));
      expect(plan.actions.map((a) => a.operation)).not.toContain('Subscribe');
      expect(plan.warnings?.join('\n')).toMatch(/No email address was given/);
      expect(plan.warnings?.join('\n')).toMatch(/fix monitoring.cloudtrail first/);
    });
  });

  it('check and plan send only reads', async () => {
    const { checked, plan, recorded, sent } = await recordCheckAndPlan(step, {
      seed: async (c) => {
        await step.seed!(c);
        await trail(c);
      },
      inputs: INPUTS,
    });
    expect(checked.result.status).toBe('fail');
    expect(plan.actions.length).toBeGreaterThan(0);
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
    // What check and plan call is what `secure-start policy --for check` grants.
    const used = [...new Set(sent.map((s) => { const [service, op] = s.split(':'); return iamActionFor(service!, op!); }))].sort();
    expect(used.filter((a) => !step.meta.permissions.check.includes(a) && a !== 'sts:GetCallerIdentity')).toEqual([]);
    expect(used).toEqual(expect.arrayContaining(['events:ListRules', 'events:ListTargetsByRule', 'sns:ListSubscriptions', 'cloudtrail:DescribeTrails', 'iam:GetRole']));
  });

  it('seeding twice is harmless, and the seed refuses to run outside the sandbox', async () => {
    await inSandbox({}, async (ctx) => {
      ctx.factory.readOnly = false;
      await step.seed!(ctx);
      await step.seed!(ctx);
      const real = new RunContext({ ...ctx.target, sandbox: false }, ctx.factory, ctx.regions.bind(ctx));
      await expect(step.seed!(real)).rejects.toThrow(/only against the sandbox/);
      ctx.factory.readOnly = true;
      ctx.invalidate();
      expect((await checkStep(entry, ctx)).result.findings[0]!.status).toBe('fail');
    });
  });
});

describe('undo', () => {
  it('an alarm someone changed after the fix is refused (drifted) and keeps their change; the rest is undone', async () => {
    await inSandbox({ seed: trail }, async (ctx) => {
      const between = async (c: RunContext) => {
        const a = ((await c.client(CloudWatchClient).send(new DescribeAlarmsCommand({ AlarmNames: ['secure-start-root-activity'] }))).MetricAlarms ?? [])[0]!;
        await c.client(CloudWatchClient).send(
          new PutMetricAlarmCommand({
            AlarmName: a.AlarmName!,
            MetricName: a.MetricName!,
            Namespace: a.Namespace!,
            Statistic: 'Sum',
            Period: 300,
            EvaluationPeriods: 1,
            Threshold: 5,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            AlarmActions: a.AlarmActions!,
          }),
        );
      };
      const run = await fixThenUndo(entry, ctx, INPUTS, { between });
      const kinds = Object.fromEntries(run.items.map((i) => [i.entry.operation, i.kind]));
      expect(kinds).toMatchObject({ PutMetricAlarm: 'drifted', PutMetricFilter: 'undo', UpdateTrail: 'undo', CreateTopic: 'undo' });
      const alarm = run.items.find((i) => i.entry.operation === 'PutMetricAlarm')!;
      expect(alarm.kind === 'drifted' && alarm.reason).toMatch(/The alarm secure-start-root-activity in us-east-1 changed after the fix/);
      const left = (await ctx.client(CloudWatchClient).send(new DescribeAlarmsCommand({ AlarmNames: ['secure-start-root-activity'] }))).MetricAlarms ?? [];
      expect(left.map((a) => a.Threshold)).toEqual([5]);
      // The trail no longer delivers to CloudWatch Logs: monitoring.cloudtrail's undo may delete it.
      const t = (await ctx.client(CloudTrailClient).send(new DescribeTrailsCommand({ trailNameList: ['org-trail'] }))).trailList?.[0];
      expect(t?.CloudWatchLogsLogGroupArn ?? '').toBe('');
    });
  });

  it('a trail pointed at another log group after the fix keeps it (drifted)', async () => {
    await inSandbox({ seed: trail }, async (ctx) => {
      const between = async (c: RunContext) => {
        await c.client(CloudWatchLogsClient).send(new CreateLogGroupCommand({ logGroupName: 'their-logs' }));
        const t = (await c.client(CloudTrailClient).send(new DescribeTrailsCommand({ trailNameList: ['org-trail'] }))).trailList![0]!;
        await c.client(CloudTrailClient).send(
          new UpdateTrailCommand({ Name: 'org-trail', CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:their-logs:*`, CloudWatchLogsRoleArn: t.CloudWatchLogsRoleArn! }),
        );
      };
      const run = await fixThenUndo(entry, ctx, INPUTS, { between });
      const kinds = Object.fromEntries(run.items.map((i) => [i.entry.operation, i.kind]));
      expect(kinds).toMatchObject({ UpdateTrail: 'drifted' });
      const t = (await ctx.client(CloudTrailClient).send(new DescribeTrailsCommand({ trailNameList: ['org-trail'] }))).trailList?.[0];
      expect(t?.CloudWatchLogsLogGroupArn).toContain('their-logs');
    });
  });
});

describe('undo, with monitoring.cloudtrail', () => {
  it('the trail cloudtrail made and alerts wired to CloudWatch Logs: alerts is undone first, then the trail can go', async () => {
    const trailStep = (await import('../../steps/monitoring/cloudtrail/index.js')).default;
    const trailEntry = { meta: trailStep.meta, load: async () => trailStep };
    await inSandbox({}, async (ctx) => {
      const journal: JournalEntry[] = [];
      for (const [e, inputs] of [[trailEntry, undefined], [entry, INPUTS]] as const) {
        const checked = await checkStep(e, ctx);
        const plan = await planStep(checked, ctx, inputs);
        expect((await applyPlan(e.meta.id, plan, ctx, (j) => void journal.push(j))).ok).toBe(true);
        ctx.invalidate();
      }
      const both = [trailEntry, entry];
      const undoAll = async () => {
        const items = await undoVerdicts(ctx, both, undoableEntries(journal));
        expect((await applyUndo(ctx, items, (j) => void journal.push(j), (_i, a) => a.destructive === true)).ok).toBe(true);
        ctx.invalidate();
        return items;
      };
      const first = await undoAll();
      const create = first.find((i) => i.entry.operation === 'CreateTrail')!;
      expect(create.kind === 'drifted' && create.reason).toMatch(/delivers to CloudWatch Logs for monitoring\.alerts, a newer change: undo that first/);
      expect(first.filter((i) => i.entry.step === step.meta.id).map((i) => i.kind)).not.toContain('drifted');
      const second = await undoAll();
      expect(second.find((i) => i.entry.operation === 'CreateTrail')?.kind).toBe('undo');
      expect((await ctx.client(CloudTrailClient).send(new DescribeTrailsCommand({}))).trailList ?? []).toEqual([]);
    });
  });
});
