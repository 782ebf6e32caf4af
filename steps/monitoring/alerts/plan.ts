/**
 * monitoring.alerts, plan: the actions that close what the check found (the topic and its email
 * subscription, the forwarder role, a GuardDuty rule per region, and for root activity the log
 * group, CloudTrail's role, the metric filter and the alarm), each with its inverse, and the cost.
 */
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, PutMetricFilterCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudTrailClient, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, GetTopicAttributesCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { CostScale, Finding, Plan, PlanAction, StepContext } from '../../../src/engine/step-kit.js';
import { errorCode, validEmail } from '../../../src/engine/step-kit.js';
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
  defaultBusArn,
  forwarderPolicy,
  logGroupArn,
  logsRolePolicy,
  mergeTopicPolicy,
  roleArn,
  topicArn,
  trustPolicy,
} from './pattern.js';
import { alarmsFor, isConfirmed, isEmail, logGroup, roleState, subscriptions, topicPolicy } from './reads.js';
import type { RootData, RuleData } from './judge.js';
import { dataOf } from './judge.js';

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
        : state
          ? { irreversible: `the topic ${TOPIC_NAME} showed no access policy before, so there is none to put back` }
          : {}),
      async run(c) {
        const sns = c.client(SNSClient, region);
        if (state) {
          const now = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes?.Policy ?? null;
          if (now !== before) throw new Error(`The access policy of topic ${TOPIC_NAME} changed after the plan was made; nothing was written. Check the step again.`);
        }
        await sns.send(new SetTopicAttributesCommand(params));
        // For the undo: the policy of a topic made in this fix goes with the topic.
        return { output: { withNewTopic: !state } };
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
      inverse:
        state.policy === undefined
          ? { service: 'iam', operation: 'DeleteRolePolicy', region: 'global', params: { RoleName: name, PolicyName: policyName }, summary: `Remove the inline policy ${policyName} of ${name}` }
          : { service: 'iam', operation: 'PutRolePolicy', region: 'global', params: { RoleName: name, PolicyName: policyName, PolicyDocument: JSON.stringify(state.policy) }, summary: `Put back the previous inline policy ${policyName} of ${name}` },
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
    // An alarm of our name that is there already is overwritten: its settings are not recorded, so undo cannot put them back.
    const earlier = (await alarmsFor(ctx, region, metric)).some((a) => a.AlarmName === ALARM_NAME);
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
      ...(earlier
        ? { irreversible: `the alarm ${ALARM_NAME} is there already, and its earlier settings are not recorded` }
        : { inverse: { service: 'cloudwatch', operation: 'DeleteAlarms', region, params: { AlarmNames: [ALARM_NAME] }, summary: `Delete the alarm ${ALARM_NAME}` } }),
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

/** The plan of the step: what is missing for the failing findings, with the email of the inputs. */
export async function planAlerts(ctx: StepContext, findings: Finding[], given: unknown): Promise<Plan> {
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
}
