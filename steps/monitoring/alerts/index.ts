/**
 * monitoring.alerts: a person hears about threats. GuardDuty findings of medium severity and above
 * (in every region of the run) and any activity of the root user reach an email address through
 * SNS (CIS 5.3 and the CIS root-usage metric filter).
 *
 * - One SNS topic, `secure-start-alerts`, in the home region, with an email subscription and an
 *   access policy that lets EventBridge and CloudWatch alarms of this account publish to it.
 * - An EventBridge rule per region for GuardDuty findings (severity ≥ 4): in the home region it
 *   targets the topic; elsewhere it forwards the findings to the home region's default bus (with a
 *   role that may only put events there), where the home rule matches them again.
 * - Root activity needs the multi-region trail to deliver to CloudWatch Logs: when it does not, the
 *   fix adds a log group and a role for CloudTrail, then a metric filter and an alarm to the topic.
 *
 * Everything that exists is reused; only what is missing is planned. monitoring.cloudtrail makes
 * the trail: without one, root activity is reported as "fix monitoring.cloudtrail first".
 */
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, PutMetricFilterCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudTrailClient, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, GetTopicAttributesCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { z } from 'zod';
import type { CostScale, Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import { errorCode, mapLimit, regionFailure, sandboxOnly, validEmail, zodCheck } from '../../../src/engine/step-kit.js';
import { bestMultiRegionTrail, trails } from '../_shared/trails.js';
import meta from './meta.js';
import type { Names } from './pattern.js';
import {
  ALARM_NAME,
  FILTER_NAME,
  FORWARDER_POLICY,
  FORWARDER_ROLE,
  GUARDDUTY_PATTERN,
  LOG_GROUP,
  LOG_RETENTION_DAYS,
  LOGS_POLICY,
  LOGS_ROLE,
  ROOT_FILTER_PATTERN,
  ROOT_METRIC,
  RULE_NAME,
  TOPIC_NAME,
  alarmArn,
  allowsPublish,
  coverageGap,
  defaultBusArn,
  firesOnOne,
  forwarderPolicy,
  isRootFilter,
  logGroupArn,
  logsRolePolicy,
  mergeTopicPolicy,
  parseLogGroupArn,
  parseTopicArn,
  roleArn,
  ruleArn,
  severityName,
  topicArn,
  trustPolicy,
} from './pattern.js';
import type { GuardDutyRule } from './reads.js';
import { alarmsFor, guardDutyRules, isConfirmed, isEmail, logGroup, metricFilters, roleState, subscriptions, topicPolicy } from './reads.js';

export interface AlertsInputs {
  email: string;
}

const inputsSchema = z.strictObject({ email: zodCheck(validEmail) });

/** How many regions are read at once. */
const REGION_CONCURRENCY = 4;

/** What the plan needs from a GuardDuty finding. */
interface RuleData {
  kind: 'guardduty';
  region: string;
  /** Our rule is in place (pattern, state, target): only the topic behind it may need work. */
  ready: boolean;
  /** Our rule as it was, for the undo. */
  existing?: { pattern: string; state: string };
  emails: string[];
}

/** What the plan needs from the root-activity finding. */
interface RootData {
  kind: 'root';
  trail: { arn: string; name: string; homeRegion: string; logging: boolean } | null;
  /** The log group the trail delivers to (and that exists). */
  logGroup: { name: string; region: string } | null;
  /** The metric of an existing root filter on that log group. */
  metric: { name: string; namespace: string } | null;
  /** An alarm named ours already watches that metric and notifies our topic. */
  alarmReady: boolean;
  /** The alarm's topic needs work (false when only the trail is at fault: monitoring.cloudtrail's part). */
  needsTopic?: boolean;
  emails: string[];
}

type Data = RuleData | RootData;

const dataOf = (f: Finding) => f.data as Data | undefined;

/** The regions with a GuardDuty rule: the home region (where alerts are delivered) and every region of the run. */
export function alertRegions(regions: string[], home: string): string[] {
  return [home, ...regions.filter((r) => r !== home)];
}

/** Where a topic's email goes, as far as the check can tell. */
interface Destination {
  ok: boolean;
  /** Why not, in words. */
  problem?: string;
  /** Confirmed addresses. */
  emails: string[];
  pending: string[];
}

async function destination(ctx: StepContext, arn: string, needEvents: boolean): Promise<Destination> {
  const topic = parseTopicArn(arn);
  const name = topic?.name ?? arn;
  if (!topic || topic.account !== ctx.target.accountId)
    return { ok: false, problem: `topic ${arn} belongs to another account, so its subscriptions cannot be checked from here`, emails: [], pending: [] };
  const subs = (await subscriptions(ctx, topic.region)).filter((s) => s.TopicArn === arn && isEmail(s));
  const emails = subs.filter(isConfirmed).map((s) => s.Endpoint!).filter(Boolean);
  const pending = subs.filter((s) => !isConfirmed(s) && s.SubscriptionArn !== 'Deleted').map((s) => s.Endpoint!).filter(Boolean);
  const base = { emails, pending };
  if (needEvents) {
    const t = await topicPolicy(ctx, arn, topic.region);
    if (!t) return { ...base, ok: false, problem: `topic ${name} does not exist` };
    if (!allowsPublish(t.policy, 'events.amazonaws.com', arn))
      return { ...base, ok: false, problem: `the access policy of topic ${name} does not let EventBridge publish to it` };
  }
  if (!emails.length) {
    if (pending.length)
      return {
        ...base,
        ok: false,
        problem:
          `the email subscription of ${pending.join(', ')} to topic ${name} is PendingConfirmation: nothing is delivered until someone clicks ` +
          'the link in the confirmation email AWS sent ("AWS Notification - Subscription Confirmation")',
      };
    return { ...base, ok: false, problem: `topic ${name} has no confirmed email subscription` };
  }
  return { ...base, ok: true };
}

const fromText = (r: GuardDutyRule) =>
  r.coverage.kind === 'severity' && r.coverage.from !== null && r.coverage.from !== undefined
    ? `findings of severity ${r.coverage.from} (${severityName(r.coverage.from)}) and above`
    : 'every finding';

interface RegionVerdict {
  finding: Finding;
  ok: boolean;
  emails: string[];
}

async function judgeRegion(ctx: StepContext, region: string, rules: GuardDutyRule[], homeOk: boolean): Promise<RegionVerdict> {
  const t = ctx.target;
  const home = t.homeRegion;
  const bus = defaultBusArn(t, home);
  const ours = rules.find((r) => r.rule.Name === RULE_NAME);
  const enabled = (r: GuardDutyRule) => (r.rule.State ?? '').startsWith('ENABLED');
  const problems: string[] = [];
  const emails: string[] = [];
  for (const r of rules) {
    const name = `rule ${r.rule.Name}`;
    const ruleProblems: string[] = [];
    if (!enabled(r)) ruleProblems.push('it is disabled');
    if (r.coverage.kind !== 'severity' || !r.coverage.ok) ruleProblems.push(coverageGap(r.coverage));
    const targetProblems: string[] = [];
    let delivered: string | undefined;
    for (const target of r.targets) {
      const arn = target.Arn ?? '';
      if (arn.includes(':sns:')) {
        const d = await destination(ctx, arn, true);
        emails.push(...d.emails, ...d.pending);
        if (d.ok) delivered ??= `topic ${parseTopicArn(arn)?.name ?? arn}, which emails ${d.emails.join(', ')}`;
        else targetProblems.push(d.problem!);
      } else if (region !== home && arn === bus) {
        if (homeOk) delivered ??= `the default event bus of ${home}, where a rule emails them`;
        else targetProblems.push(`it forwards findings to the default event bus of ${home}, but no rule there delivers them by email yet`);
      }
    }
    if (!delivered && !targetProblems.length) targetProblems.push('it has no target that reaches an email address');
    if (!ruleProblems.length && delivered) {
      const resource = r.rule.Arn ?? ruleArn(t, region);
      return {
        ok: true,
        emails,
        finding: { status: 'pass', resource, region, message: `Rule ${r.rule.Name} in ${region} sends GuardDuty ${fromText(r)} to ${delivered}.` },
      };
    }
    problems.push(`${name}: ${[...ruleProblems, ...(delivered ? [] : targetProblems)].join('; ')}`);
  }
  const target = region === home ? topicArn(t, home) : bus;
  const ready =
    !!ours &&
    enabled(ours) &&
    ours.coverage.kind === 'severity' &&
    ours.coverage.ok &&
    ours.targets.some((x) => x.Arn === target && (region === home || x.RoleArn === roleArn(t, FORWARDER_ROLE)));
  const data: RuleData = {
    kind: 'guardduty',
    region,
    ready,
    ...(ours ? { existing: { pattern: ours.rule.EventPattern ?? '', state: ours.rule.State ?? 'ENABLED' } } : {}),
    emails,
  };
  const message = problems.length
    ? `GuardDuty findings in ${region} reach no one: ${problems.join('. ')}.`
    : `No EventBridge rule in ${region} sends GuardDuty findings anywhere: they stay in the GuardDuty console, where nobody is told about them.`;
  return { ok: false, emails, finding: { status: 'fail', resource: ours?.rule.Arn ?? ruleArn(t, region), region, message, data: { ...data } } };
}

/** The root-activity finding: the best multi-region trail, its log group, a root filter, an alarm to an email. */
async function judgeRoot(ctx: StepContext): Promise<Finding> {
  const t = ctx.target;
  const trail = bestMultiRegionTrail(await trails(ctx));
  const base = (region: string, resource = alarmArn(t, region)) => ({ resource, region });
  const data = (d: Omit<RootData, 'kind' | 'emails'>, emails: string[] = []): Record<string, unknown> => ({ kind: 'root', ...d, emails });
  if (!trail)
    return {
      ...base(t.homeRegion),
      status: 'fail',
      message:
        'No multi-region CloudTrail trail, so nothing records what the root user does and no alarm can watch it: fix monitoring.cloudtrail first.',
      data: data({ trail: null, logGroup: null, metric: null, alarmReady: false }),
    };
  const trailInfo = { arn: trail.arn, name: trail.name, homeRegion: trail.homeRegion, logging: trail.logging };
  const parsed = parseLogGroupArn(trail.logGroupArn);
  const group = parsed && parsed.account === t.accountId ? await logGroup(ctx, parsed.region, parsed.name) : undefined;
  if (!parsed || !group)
    return {
      ...base(trail.homeRegion),
      status: 'fail',
      message: parsed
        ? `Trail ${trail.name} names log group ${parsed.name}, which does not exist here: no alarm can see root activity.`
        : `Trail ${trail.name} does not deliver its events to CloudWatch Logs, so no alarm can see root activity.`,
      data: data({ trail: trailInfo, logGroup: null, metric: null, alarmReady: false }),
    };
  const lg = { name: parsed.name, region: parsed.region };
  const filters = (await metricFilters(ctx, lg.region, lg.name)).filter((f) => isRootFilter(f.filterPattern));
  const metrics = filters.flatMap((f) => (f.metricTransformations ?? []).map((m) => ({ name: m.metricName!, namespace: m.metricNamespace!, filter: f.filterName! })));
  const notLogging = trail.logging ? '' : ` But trail ${trail.name} is not logging, so nothing reaches it: fix monitoring.cloudtrail first.`;
  if (!metrics.length)
    return {
      ...base(lg.region),
      status: 'fail',
      message: `Trail ${trail.name} delivers to log group ${lg.name}, but no metric filter there counts root activity.`,
      data: data({ trail: trailInfo, logGroup: lg, metric: null, alarmReady: false }),
    };
  const metric = metrics.find((m) => m.namespace === ROOT_METRIC.namespace && m.name === ROOT_METRIC.name) ?? metrics[0]!;
  const problems: string[] = [];
  const emails: string[] = [];
  let alarmReady = false;
  for (const m of metrics) {
    const alarms: MetricAlarm[] = await alarmsFor(ctx, lg.region, m);
    if (!alarms.length) problems.push(`no alarm watches metric ${m.namespace}/${m.name} of filter ${m.filter}`);
    for (const a of alarms) {
      const topics = (a.AlarmActions ?? []).filter((x) => x.includes(':sns:'));
      if (a.AlarmName === ALARM_NAME && topics.includes(topicArn(t, lg.region)) && firesOnOne(a) && a.ActionsEnabled !== false) alarmReady = true;
      const aProblems: string[] = [];
      if (a.ActionsEnabled === false) aProblems.push('has its actions turned off');
      if (!firesOnOne(a)) aProblems.push(`does not go off on a single event (${a.ComparisonOperator} ${a.Threshold})`);
      let delivered: string | undefined;
      const tProblems: string[] = [];
      for (const arn of topics) {
        const d = await destination(ctx, arn, false);
        emails.push(...d.emails, ...d.pending);
        if (d.ok) delivered ??= `topic ${parseTopicArn(arn)?.name ?? arn}, which emails ${d.emails.join(', ')}`;
        else tProblems.push(d.problem!);
      }
      if (!topics.length) tProblems.push('notifies no SNS topic');
      if (!aProblems.length && delivered) {
        if (notLogging)
          return { ...base(lg.region, a.AlarmArn ?? alarmArn(t, lg.region)), status: 'fail', message: `Alarm ${a.AlarmName} notifies ${delivered}.${notLogging}`, data: data({ trail: trailInfo, logGroup: lg, metric: { name: m.name, namespace: m.namespace }, alarmReady: true, needsTopic: false }, emails) };
        return {
          ...base(lg.region, a.AlarmArn ?? alarmArn(t, lg.region)),
          status: 'pass',
          message: `Root activity recorded by trail ${trail.name} is counted by filter ${m.filter} on ${lg.name}, and alarm ${a.AlarmName} notifies ${delivered}.`,
        };
      }
      problems.push(`alarm ${a.AlarmName} ${[...aProblems, ...(delivered ? [] : tProblems)].join('; ')}`);
    }
  }
  return {
    ...base(lg.region),
    status: 'fail',
    message: `Root activity is counted on log group ${lg.name}, but nobody is told: ${problems.join('; ')}.`,
    data: data({ trail: trailInfo, logGroup: lg, metric: { name: metric.name, namespace: metric.namespace }, alarmReady }, emails),
  };
}

/** Email addresses the check saw on our topic and on the topics of rules and alarms, ours first. */
function emailsIn(findings: Finding[]): string[] {
  return [...new Set(findings.flatMap((f) => (Array.isArray(f.data?.emails) ? (f.data.emails as string[]) : [])))];
}

/** The email of the inputs; undefined when blank (a preview before anyone answered). */
function emailOf(given: unknown): string | undefined {
  const raw = typeof given === 'object' && given !== null ? (given as Record<string, unknown>).email : undefined;
  const email = typeof raw === 'string' ? raw.trim() : '';
  if (!email) return undefined;
  const ok = validEmail(email);
  if (ok !== true) throw new Error(`Invalid inputs for ${meta.id}: email: ${ok}`);
  return email;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A role made a moment ago takes seconds to be usable by CloudTrail: retry for about a minute. */
async function withRoleRetry<T>(fn: () => Promise<T>, delays = [2, 4, 8, 15, 30]): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = errorCode(err);
      if (i >= delays.length || !/InvalidCloudWatchLogsRoleArn|InvalidCloudWatchLogsLogGroupArn/.test(code)) throw err;
      await sleep(delays[i]! * 1000);
    }
  }
}

/** Shown where an ARN exists only once the action has run; the journal records the real one. */
const NEW_SUBSCRIPTION = '(the new subscription)';

/** The topic in `region`: create it, let EventBridge and CloudWatch publish, subscribe the email. */
async function topicActions(ctx: StepContext, region: string, email: string | undefined, warnings: string[]): Promise<PlanAction[]> {
  const t = ctx.target;
  const arn = topicArn(t, region);
  const actions: PlanAction[] = [];
  const state = await topicPolicy(ctx, arn, region);
  if (!state) {
    const params = { Name: TOPIC_NAME };
    actions.push({
      service: 'sns',
      operation: 'CreateTopic',
      region,
      params,
      summary: `Create the SNS topic ${TOPIC_NAME} in ${region}, where alerts are sent`,
      inverse: { service: 'sns', operation: 'DeleteTopic', region, params: { TopicArn: arn }, summary: `Delete the topic ${TOPIC_NAME} and its subscriptions` },
      async run(c) {
        await c.client(SNSClient, region).send(new CreateTopicCommand(params));
      },
    });
  }
  const before = state?.policy ?? null;
  const after = mergeTopicPolicy(state ? before : null, arn, t.accountId);
  if (after !== null) {
    const params = { TopicArn: arn, AttributeName: 'Policy', AttributeValue: after };
    actions.push({
      service: 'sns',
      operation: 'SetTopicAttributes',
      region,
      params,
      summary: `Let EventBridge and CloudWatch alarms of this account publish to ${TOPIC_NAME} (its other permissions are kept)`,
      ...(state && before !== null
        ? { inverse: { service: 'sns', operation: 'SetTopicAttributes', region, params: { TopicArn: arn, AttributeName: 'Policy', AttributeValue: before }, summary: `Put back the previous access policy of ${TOPIC_NAME}` } }
        : {}),
      async run(c) {
        const sns = c.client(SNSClient, region);
        if (state) {
          const now = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes?.Policy ?? null;
          if (now !== before) throw new Error(`The access policy of topic ${TOPIC_NAME} changed after the plan was made; nothing was written. Check the step again.`);
        }
        await sns.send(new SetTopicAttributesCommand(params));
      },
    });
  }
  if (!email) {
    warnings.push(`No email address was given: the topic ${TOPIC_NAME} in ${region} gets no subscription, and nobody is told. Give one (answers file: "${meta.id}": { "email": "…" }).`);
    return actions;
  }
  const subs = state ? (await subscriptions(ctx, region)).filter((s) => s.TopicArn === arn && isEmail(s)) : [];
  const same = subs.filter((s) => (s.Endpoint ?? '').toLowerCase() === email.toLowerCase());
  if (same.some(isConfirmed)) return actions;
  const params = { TopicArn: arn, Protocol: 'email', Endpoint: email, ReturnSubscriptionArn: true };
  const inverseParams = { SubscriptionArn: NEW_SUBSCRIPTION };
  actions.push({
    service: 'sns',
    operation: 'Subscribe',
    region,
    params,
    summary: same.length
      ? `Send the confirmation email for ${email} again (its subscription to ${TOPIC_NAME} in ${region} is still waiting)`
      : `Subscribe ${email} to ${TOPIC_NAME} in ${region} (AWS emails a confirmation link)`,
    inverse: { service: 'sns', operation: 'Unsubscribe', region, params: inverseParams, summary: `Unsubscribe ${email} from ${TOPIC_NAME}` },
    async run(c) {
      const out = await c.client(SNSClient, region).send(new SubscribeCommand(params));
      if (out.SubscriptionArn) inverseParams.SubscriptionArn = out.SubscriptionArn;
      return { output: { SubscriptionArn: out.SubscriptionArn ?? 'PendingConfirmation' } };
    },
  });
  warnings.push(
    `AWS sends an email titled "AWS Notification - Subscription Confirmation" to ${email}: click its link, or nothing is delivered. ` +
      'The check keeps failing until then. Look in the spam folder if it does not arrive within a few minutes.',
  );
  return actions;
}

/** A role for an AWS service with one inline policy: what is missing of it. */
async function roleActions(ctx: StepContext, name: string, service: string, policyName: string, policy: object, why: string): Promise<PlanAction[]> {
  const state = await roleState(ctx, name, policyName);
  const actions: PlanAction[] = [];
  if (!state.exists) {
    const params = { RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trustPolicy(service, ctx.target.accountId)), Description: why };
    actions.push({
      service: 'iam',
      operation: 'CreateRole',
      region: 'global',
      params,
      summary: `Create the IAM role ${name} that only ${service} of this account may assume (${why})`,
      inverse: { service: 'iam', operation: 'DeleteRole', region: 'global', params: { RoleName: name }, summary: `Delete the role ${name}` },
      async run(c) {
        await c.client(IAMClient).send(new CreateRoleCommand(params));
      },
    });
  }
  if (JSON.stringify(state.policy) !== JSON.stringify(policy)) {
    const params = { RoleName: name, PolicyName: policyName, PolicyDocument: JSON.stringify(policy) };
    actions.push({
      service: 'iam',
      operation: 'PutRolePolicy',
      region: 'global',
      params,
      summary: `Give the role ${name} its one permission: ${why}`,
      inverse: { service: 'iam', operation: 'DeleteRolePolicy', region: 'global', params: { RoleName: name, PolicyName: policyName }, summary: `Remove the inline policy ${policyName} of ${name}` },
      async run(c) {
        await c.client(IAMClient).send(new PutRolePolicyCommand(params));
      },
    });
  }
  return actions;
}

function ruleActions(t: Names & { homeRegion: string }, d: RuleData): PlanAction[] {
  const region = d.region;
  const home = region === t.homeRegion;
  const pattern = JSON.stringify(GUARDDUTY_PATTERN);
  const ruleParams = {
    Name: RULE_NAME,
    EventPattern: pattern,
    State: 'ENABLED' as const,
    Description: home ? 'GuardDuty findings of medium severity and above, to the secure-start-alerts topic' : `GuardDuty findings of medium severity and above, forwarded to ${t.homeRegion}`,
  };
  const target = home
    ? { Id: 'secure-start-alerts-topic', Arn: topicArn(t, region) }
    : { Id: 'secure-start-home-bus', Arn: defaultBusArn(t, t.homeRegion), RoleArn: roleArn(t, FORWARDER_ROLE) };
  const targetParams = { Rule: RULE_NAME, Targets: [target] };
  return [
    {
      service: 'events',
      operation: 'PutRule',
      region,
      params: ruleParams,
      summary: d.existing
        ? `Set the rule ${RULE_NAME} in ${region} to match GuardDuty findings of severity 4 (medium) and above, enabled`
        : `Create the EventBridge rule ${RULE_NAME} in ${region} for GuardDuty findings of severity 4 (medium) and above`,
      inverse: d.existing
        ? { service: 'events', operation: 'PutRule', region, params: { Name: RULE_NAME, EventPattern: d.existing.pattern, State: d.existing.state }, summary: `Put back the previous pattern and state of ${RULE_NAME}` }
        : { service: 'events', operation: 'DeleteRule', region, params: { Name: RULE_NAME }, summary: `Delete the rule ${RULE_NAME} (after its targets are removed)` },
      async run(c) {
        await c.client(EventBridgeClient, region).send(new PutRuleCommand(ruleParams));
      },
    },
    {
      service: 'events',
      operation: 'PutTargets',
      region,
      params: targetParams,
      summary: home ? `Send what ${RULE_NAME} matches in ${region} to the topic ${TOPIC_NAME}` : `Forward what ${RULE_NAME} matches in ${region} to the default event bus of ${t.homeRegion}`,
      inverse: { service: 'events', operation: 'RemoveTargets', region, params: { Rule: RULE_NAME, Ids: [target.Id] }, summary: `Remove the target of ${RULE_NAME}` },
      async run(c) {
        const out = await c.client(EventBridgeClient, region).send(new PutTargetsCommand(targetParams));
        if (out.FailedEntryCount) throw new Error(`PutTargets refused the target of ${RULE_NAME} in ${region}: ${out.FailedEntries?.map((e) => e.ErrorMessage).join('; ')}`);
      },
    },
  ];
}

/** The root-activity part: log group and role when the trail does not deliver to CloudWatch Logs, then the filter and the alarm. */
async function rootActions(ctx: StepContext, d: RootData, warnings: string[]): Promise<PlanAction[]> {
  const t = ctx.target;
  const actions: PlanAction[] = [];
  if (!d.trail) {
    warnings.push(
      'There is no multi-region trail, so root activity cannot be watched yet: fix monitoring.cloudtrail first (fix --yes does it before this step), then run this step again to add the root-activity alarm.',
    );
    return actions;
  }
  const trail = d.trail;
  let lg = d.logGroup;
  if (!lg) {
    const region = trail.homeRegion;
    lg = { name: LOG_GROUP, region };
    const existing = await logGroup(ctx, region, LOG_GROUP);
    if (!existing) {
      const params = { logGroupName: LOG_GROUP };
      actions.push({
        service: 'logs',
        operation: 'CreateLogGroup',
        region,
        params,
        summary: `Create the CloudWatch log group ${LOG_GROUP} in ${region} for the trail's events`,
        inverse: { service: 'logs', operation: 'DeleteLogGroup', region, params, summary: `Delete the log group ${LOG_GROUP} and the events in it` },
        async run(c) {
          await c.client(CloudWatchLogsClient, region).send(new CreateLogGroupCommand(params));
        },
      });
    }
    if (!existing?.retentionInDays) {
      const params = { logGroupName: LOG_GROUP, retentionInDays: LOG_RETENTION_DAYS };
      actions.push({
        service: 'logs',
        operation: 'PutRetentionPolicy',
        region,
        params,
        summary: `Keep the events in ${LOG_GROUP} for ${LOG_RETENTION_DAYS} days, then delete them (the S3 copy stays)`,
        inverse: { service: 'logs', operation: 'DeleteRetentionPolicy', region, params: { logGroupName: LOG_GROUP }, summary: `Keep the events in ${LOG_GROUP} forever` },
        async run(c) {
          await c.client(CloudWatchLogsClient, region).send(new PutRetentionPolicyCommand(params));
        },
      });
    }
    actions.push(...(await roleActions(ctx, LOGS_ROLE, 'cloudtrail.amazonaws.com', LOGS_POLICY, logsRolePolicy(t, region), `write the trail's events into ${LOG_GROUP}`)));
    const params = { Name: trail.arn, CloudWatchLogsLogGroupArn: logGroupArn(t, region), CloudWatchLogsRoleArn: roleArn(t, LOGS_ROLE) };
    actions.push({
      service: 'cloudtrail',
      operation: 'UpdateTrail',
      region,
      params,
      summary: `Make trail ${trail.name} also deliver its events to ${LOG_GROUP} (it keeps delivering to S3)`,
      inverse: { service: 'cloudtrail', operation: 'UpdateTrail', region, params: { Name: trail.arn, CloudWatchLogsLogGroupArn: '', CloudWatchLogsRoleArn: '' }, summary: `Stop trail ${trail.name} delivering to CloudWatch Logs` },
      async run(c) {
        await withRoleRetry(() => c.client(CloudTrailClient, region).send(new UpdateTrailCommand(params)));
      },
    });
  }
  const region = lg.region;
  let metric = d.metric;
  if (!metric) {
    metric = { ...ROOT_METRIC };
    const params = {
      logGroupName: lg.name,
      filterName: FILTER_NAME,
      filterPattern: ROOT_FILTER_PATTERN,
      metricTransformations: [{ metricName: ROOT_METRIC.name, metricNamespace: ROOT_METRIC.namespace, metricValue: '1' }],
    };
    const name = lg.name;
    actions.push({
      service: 'logs',
      operation: 'PutMetricFilter',
      region,
      params,
      summary: `Count every action of the root user in ${name} (metric ${ROOT_METRIC.namespace}/${ROOT_METRIC.name})`,
      inverse: { service: 'logs', operation: 'DeleteMetricFilter', region, params: { logGroupName: name, filterName: FILTER_NAME }, summary: `Delete the metric filter ${FILTER_NAME}` },
      async run(c) {
        await c.client(CloudWatchLogsClient, region).send(new PutMetricFilterCommand(params));
      },
    });
  }
  if (!d.alarmReady) {
    const params = {
      AlarmName: ALARM_NAME,
      AlarmDescription: 'The root user did something in this account (CIS root-usage alarm). Check who, and why.',
      MetricName: metric.name,
      Namespace: metric.namespace,
      Statistic: 'Sum' as const,
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold' as const,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicArn(t, region)],
    };
    actions.push({
      service: 'cloudwatch',
      operation: 'PutMetricAlarm',
      region,
      params,
      summary: `Alarm ${ALARM_NAME} in ${region}: email through ${TOPIC_NAME} whenever the root user does anything (within 5 minutes)`,
      inverse: { service: 'cloudwatch', operation: 'DeleteAlarms', region, params: { AlarmNames: [ALARM_NAME] }, summary: `Delete the alarm ${ALARM_NAME}` },
      async run(c) {
        await c.client(CloudWatchClient, region).send(new PutMetricAlarmCommand(params));
      },
    });
  }
  if (!trail.logging) warnings.push(`Trail ${trail.name} is not logging: the alarm sees nothing until monitoring.cloudtrail starts it.`);
  return actions;
}

const PRICED = new Set(['PutMetricAlarm', 'UpdateTrail']);

function planCost(actions: PlanAction[]): { scale: CostScale; detail: string } {
  if (actions.some((a) => PRICED.has(a.operation))) return { scale: meta.fix.costScale, detail: meta.fix.cost };
  return { scale: 'free', detail: 'SNS email is free for the first 1,000 messages a month, and EventBridge rules for events of AWS services cost nothing.' };
}

const inputs: StepInputs<AlertsInputs> = {
  schema: inputsSchema,
  requiredInAnswers: true,
  defaults: (findings) => ({ email: emailsIn(findings)[0] ?? '' }),
  async ask(asker, initial, findings) {
    const found = emailsIn(findings);
    if (found.length) asker.note(`Alerts go to ${found.join(', ')} now.`);
    asker.note(
      'AWS will send a confirmation email ("AWS Notification - Subscription Confirmation") to this address: someone must click its link, or no alert is delivered.',
    );
    const start = initial?.email?.trim() || found[0];
    const email = await asker.text({
      message: 'Email address for security alerts (a shared mailbox that someone reads)',
      ...(start ? { default: start } : {}),
      validate: validEmail,
      required: true,
    });
    return { email: email.trim() };
  },
};

const step: Step<AlertsInputs> = {
  meta,
  inputs,

  async check(ctx) {
    const home = ctx.target.homeRegion;
    const regions = alertRegions(await ctx.regions(), home);
    // A region that cannot be read is one finding of its own (the shared rule); the others are still judged.
    type Read = { rules: GuardDutyRule[] } | { err: unknown };
    const read = (r: string): Promise<Read> => guardDutyRules(ctx, r).then((found) => ({ rules: found }), (err: unknown) => ({ err }));
    const verdict = async (r: string, x: Read, homeOk: boolean): Promise<RegionVerdict> => {
      try {
        if ('err' in x) throw x.err;
        return await judgeRegion(ctx, r, x.rules, homeOk);
      } catch (err) {
        const resource = `arn:${ctx.target.partition}:events:${r}:${ctx.target.accountId}:rule/*`;
        return { finding: regionFailure(err, { region: r, resource, service: 'Amazon EventBridge', permissions: meta.permissions.check }), ok: false, emails: [] };
      }
    };
    const [rules, root] = await Promise.all([mapLimit(regions, REGION_CONCURRENCY, read), judgeRoot(ctx)]);
    const homeVerdict = await verdict(home, rules[0]!, false);
    const others = await mapLimit(regions.slice(1), REGION_CONCURRENCY, (r, i) => verdict(r, rules[i + 1]!, homeVerdict.ok));
    // The addresses already subscribed to our topic come first: they are the defaults of the next fix.
    const ours = (await subscriptions(ctx, home)).filter((s) => s.TopicArn === topicArn(ctx.target, home) && isEmail(s)).map((s) => s.Endpoint!);
    const emails = [...new Set([...ours, ...homeVerdict.emails, ...others.flatMap((o) => o.emails), ...((root.data?.emails as string[] | undefined) ?? [])])];
    return [homeVerdict, ...others].map((v) => v.finding).concat(root).map((f) => ({ ...f, data: { ...(f.data ?? {}), emails } }));
  },

  async plan(ctx, findings, given): Promise<Plan> {
    const email = emailOf(given);
    const t = ctx.target;
    const failing = findings.filter((f) => f.status === 'fail').map(dataOf);
    const rules = failing.filter((d): d is RuleData => d?.kind === 'guardduty');
    const root = failing.find((d): d is RootData => d?.kind === 'root');
    if (!rules.length && !root) return { actions: [] };
    const warnings: string[] = [];
    const actions: PlanAction[] = [];
    const topicRegions = new Set<string>();
    if (rules.length) topicRegions.add(t.homeRegion);
    if (root?.trail && root.needsTopic !== false) topicRegions.add(root.logGroup?.region ?? root.trail.homeRegion);
    for (const region of [...topicRegions].sort((a, b) => Number(b === t.homeRegion) - Number(a === t.homeRegion) || a.localeCompare(b)))
      actions.push(...(await topicActions(ctx, region, email, warnings)));
    const toPut = rules.filter((d) => !d.ready);
    if (toPut.some((d) => d.region !== t.homeRegion))
      actions.push(
        ...(await roleActions(ctx, FORWARDER_ROLE, 'events.amazonaws.com', FORWARDER_POLICY, forwarderPolicy(t, t.homeRegion), `put events on the default event bus of ${t.homeRegion}, nothing else`)),
      );
    for (const d of toPut) actions.push(...ruleActions(t, d));
    if (root) actions.push(...(await rootActions(ctx, root, warnings)));
    if (topicRegions.size > 1) warnings.push(`The root-activity alarm notifies a topic in its own region (the trail's), so ${TOPIC_NAME} is set up in ${[...topicRegions].join(' and ')}: each sends its own confirmation email.`);
    return { actions, ...(warnings.length ? { warnings } : {}), cost: planCost(actions) };
  },

  /** day-one scenario: an unfinished attempt at alerting: a topic nobody subscribed to, and a GuardDuty rule that sends findings to it. */
  async seed(ctx) {
    sandboxOnly(ctx);
    const region = ctx.target.homeRegion;
    const arn = (await ctx.client(SNSClient, region).send(new CreateTopicCommand({ Name: 'day-one-alerts' }))).TopicArn!;
    const events = ctx.client(EventBridgeClient, region);
    await events.send(new PutRuleCommand({ Name: 'day-one-guardduty', EventPattern: JSON.stringify({ source: ['aws.guardduty'] }), State: 'ENABLED' }));
    await events.send(new PutTargetsCommand({ Rule: 'day-one-guardduty', Targets: [{ Id: 'day-one-alerts', Arn: arn }] }));
  },
};

export default step;
