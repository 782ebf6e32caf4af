/**
 * The reads of monitoring.alerts, each shared for the run: SNS subscriptions per region, topic
 * policies, EventBridge rules and their targets per region, the log group, metric filters and
 * alarms of the trail, and our IAM roles. Read-only.
 */
import { CloudWatchClient, DescribeAlarmsForMetricCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, paginateDescribeLogGroups, paginateDescribeMetricFilters } from '@aws-sdk/client-cloudwatch-logs';
import type { LogGroup, MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import type { Rule, Target } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetTopicAttributesCommand, paginateListSubscriptions, SNSClient } from '@aws-sdk/client-sns';
import type { Subscription } from '@aws-sdk/client-sns';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { errorCode } from '../../../src/engine/step-kit.js';
import type { Coverage } from './pattern.js';
import { guardDutyCoverage } from './pattern.js';

/** Every subscription of the region's topics (one paginated list call). */
export function subscriptions(ctx: StepContext, region: string): Promise<Subscription[]> {
  return ctx.shared(`sns:subscriptions:${region}`, async () => {
    const out: Subscription[] = [];
    for await (const page of paginateListSubscriptions({ client: ctx.client(SNSClient, region) }, {})) out.push(...(page.Subscriptions ?? []));
    return out;
  });
}

/** A topic's access policy; `null` when the topic does not exist. */
export function topicPolicy(ctx: StepContext, arn: string, region: string): Promise<{ policy: string | null } | null> {
  return ctx.shared(`sns:topic:${arn}`, async () => {
    try {
      const attrs = (await ctx.client(SNSClient, region).send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
      return { policy: attrs.Policy ?? null };
    } catch (err) {
      if (errorCode(err) === 'NotFound' || errorCode(err) === 'NotFoundException') return null;
      throw err;
    }
  });
}

/** An email subscription is confirmed once it has an ARN; until then AWS shows "PendingConfirmation". */
export const isConfirmed = (s: Subscription) => (s.SubscriptionArn ?? '').startsWith('arn:');
export const isEmail = (s: Subscription) => s.Protocol === 'email' || s.Protocol === 'email-json';

export interface GuardDutyRule {
  rule: Rule;
  coverage: Exclude<Coverage, { kind: 'unrelated' }>;
  targets: Target[];
}

async function allRules(events: EventBridgeClient): Promise<Rule[]> {
  const out: Rule[] = [];
  let token: string | undefined;
  do {
    const page = await events.send(new ListRulesCommand({ ...(token ? { NextToken: token } : {}) }));
    out.push(...(page.Rules ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

async function allTargets(events: EventBridgeClient, rule: string): Promise<Target[]> {
  const out: Target[] = [];
  let token: string | undefined;
  do {
    const page = await events.send(new ListTargetsByRuleCommand({ Rule: rule, ...(token ? { NextToken: token } : {}) }));
    out.push(...(page.Targets ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

/** The default bus's rules in `region` whose pattern matches GuardDuty findings, with their targets. */
export function guardDutyRules(ctx: StepContext, region: string): Promise<GuardDutyRule[]> {
  return ctx.shared(`events:guardduty-rules:${region}`, async () => {
    const events = ctx.client(EventBridgeClient, region);
    const where = { account: ctx.target.accountId, region };
    const candidates = (await allRules(events))
      .map((rule) => ({ rule, coverage: guardDutyCoverage(rule.EventPattern, where) }))
      .filter((r): r is { rule: Rule; coverage: GuardDutyRule['coverage'] } => r.coverage.kind !== 'unrelated' && Boolean(r.rule.Name));
    candidates.sort((a, b) => a.rule.Name!.localeCompare(b.rule.Name!));
    const out: GuardDutyRule[] = [];
    for (const c of candidates) out.push({ ...c, targets: await allTargets(events, c.rule.Name!) });
    return out;
  });
}

/** The log group `name` in `region`, or undefined when it does not exist. */
export async function logGroup(ctx: StepContext, region: string, name: string): Promise<LogGroup | undefined> {
  const client = ctx.client(CloudWatchLogsClient, region);
  for await (const page of paginateDescribeLogGroups({ client }, { logGroupNamePrefix: name }))
    for (const g of page.logGroups ?? []) if (g.logGroupName === name) return g;
  return undefined;
}

export async function metricFilters(ctx: StepContext, region: string, name: string): Promise<MetricFilter[]> {
  const client = ctx.client(CloudWatchLogsClient, region);
  const out: MetricFilter[] = [];
  try {
    for await (const page of paginateDescribeMetricFilters({ client }, { logGroupName: name })) out.push(...(page.metricFilters ?? []));
  } catch (err) {
    if (errorCode(err) === 'ResourceNotFoundException') return [];
    throw err;
  }
  return out;
}

export async function alarmsFor(ctx: StepContext, region: string, metric: { name: string; namespace: string }): Promise<MetricAlarm[]> {
  const out = await ctx.client(CloudWatchClient, region).send(new DescribeAlarmsForMetricCommand({ MetricName: metric.name, Namespace: metric.namespace }));
  return out.MetricAlarms ?? [];
}

/** Whether a role exists, and its inline policy `policyName` (parsed), when it does. */
export async function roleState(ctx: StepContext, roleName: string, policyName: string): Promise<{ exists: boolean; policy: unknown }> {
  const iam = ctx.client(IAMClient);
  try {
    await iam.send(new GetRoleCommand({ RoleName: roleName }));
  } catch (err) {
    if (errorCode(err) === 'NoSuchEntity' || errorCode(err) === 'NoSuchEntityException') return { exists: false, policy: undefined };
    throw err;
  }
  try {
    const doc = (await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }))).PolicyDocument;
    return { exists: true, policy: doc ? (JSON.parse(decodeURIComponent(doc)) as unknown) : undefined };
  } catch (err) {
    if (errorCode(err) === 'NoSuchEntity' || errorCode(err) === 'NoSuchEntityException') return { exists: true, policy: undefined };
    throw err;
  }
}
