/**
 * monitoring.alerts, undo: each change the fix made, reversed from what was recorded before it,
 * only while the resource is as the fix left it (else `drifted`, and the newer change stays).
 * Newest first, so the alarm, filter, trail delivery, rule targets and subscription go before the
 * log group, roles, rules and topic they hang on. The trail's CloudWatch Logs delivery is undone
 * here, before monitoring.cloudtrail's undo may delete the trail (which it refuses while the trail
 * delivers to CloudWatch Logs).
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListTargetsByRuleCommand, EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { SNSClient, UnsubscribeCommand } from '@aws-sdk/client-sns';
import type { StepContext, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { drifted, errorCode, nothingToUndo, recordedInverse, sameJson, undoWith } from '../../../src/engine/step-kit.js';
import { trails } from '../_shared/trails.js';
import { logGroup, metricFilters, roleState, subscriptions, topicPolicy } from './reads.js';

type P = Record<string, unknown>;

const isNotFound = (err: unknown) => ['NoSuchEntity', 'NoSuchEntityException', 'ResourceNotFoundException', 'NotFound', 'NotFoundException'].includes(errorCode(err));

async function undoTopic(ctx: StepContext, entry: UndoEntry, p: P): Promise<UndoVerdict> {
  const arn = String(p.TopicArn ?? '');
  const region = entry.region;
  switch (entry.operation) {
    case 'CreateTopic': {
      const topic = entry.inverse ? String((entry.inverse.params as P).TopicArn) : '';
      if (!(await topicPolicy(ctx, topic, region))) return nothingToUndo(`The topic ${topic} no longer exists.`);
      // The fix subscribes one address at most: another subscription was added since.
      const subs = (await subscriptions(ctx, region)).filter((s) => s.TopicArn === topic);
      if (subs.length > 1) return drifted(`The subscriptions of topic ${topic}`, { now: subs.map((s) => s.Endpoint), wrote: 'one subscription at most' });
      return undoWith(recordedInverse(entry, { summary: `Delete the topic ${topic} (and its subscription)` }));
    }
    case 'SetTopicAttributes': {
      const state = await topicPolicy(ctx, arn, region);
      if (!state) return nothingToUndo(`The topic ${arn} no longer exists.`);
      const now = state.policy ? (JSON.parse(state.policy) as unknown) : null;
      const wrote = JSON.parse(String(p.AttributeValue)) as unknown;
      if (!sameJson(now, wrote)) return drifted(`The access policy of topic ${arn}`);
      if (entry.inverse) return undoWith(recordedInverse(entry));
      if ((entry.output as { withNewTopic?: boolean } | undefined)?.withNewTopic) return nothingToUndo(`The access policy of ${arn}, made with the topic, goes with it.`);
      return { kind: 'irreversible', reason: `The topic ${arn} showed no access policy before the fix, so there is none to put back.` };
    }
    case 'Subscribe': {
      const sub = String((entry.output as { SubscriptionArn?: string } | undefined)?.SubscriptionArn ?? '');
      if (!sub.startsWith('arn:'))
        return nothingToUndo(`The subscription of ${String(p.Endpoint)} was waiting for confirmation; AWS drops an unconfirmed one after 3 days, and with its topic.`);
      const found = (await subscriptions(ctx, region)).find((s) => s.SubscriptionArn === sub);
      if (!found) return nothingToUndo(`The subscription ${sub} no longer exists.`);
      const params = { SubscriptionArn: sub };
      return undoWith({
        service: 'sns',
        operation: 'Unsubscribe',
        region,
        params,
        summary: `Unsubscribe ${String(p.Endpoint)} from ${arn}`,
        async run(c) {
          await c.client(SNSClient, region).send(new UnsubscribeCommand(params));
        },
      });
    }
  }
  return nothingToUndo(`${entry.operation} is not a change this step makes.`);
}

async function undoRole(ctx: StepContext, entry: UndoEntry, p: P): Promise<UndoVerdict> {
  const name = String(p.RoleName);
  const iam = ctx.client(IAMClient);
  if (entry.operation === 'PutRolePolicy') {
    const state = await roleState(ctx, name, String(p.PolicyName));
    if (!state.exists || state.policy === undefined) return nothingToUndo(`The inline policy ${String(p.PolicyName)} of ${name} no longer exists.`);
    if (!sameJson(state.policy, JSON.parse(String(p.PolicyDocument)))) return drifted(`The inline policy ${String(p.PolicyName)} of ${name}`);
    return undoWith(recordedInverse(entry));
  }
  let trust: unknown;
  try {
    const doc = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.AssumeRolePolicyDocument;
    trust = doc ? (JSON.parse(decodeURIComponent(doc)) as unknown) : null;
  } catch (err) {
    if (isNotFound(err)) return nothingToUndo(`The role ${name} no longer exists.`);
    throw err;
  }
  if (!sameJson(trust, JSON.parse(String(p.AssumeRolePolicyDocument)))) return drifted(`Who may assume the role ${name}`);
  // The fix gives it one inline policy (undone before this, newest first); anything else was added since.
  const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? [];
  const attached = ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ?? []).map((a) => a.PolicyName);
  const others = [...inline.filter((n) => !n.startsWith('secure-start-')), ...attached];
  if (others.length) return drifted(`The policies of role ${name}`, { now: [...inline, ...attached], wrote: 'its one inline policy' });
  return undoWith(recordedInverse(entry));
}

async function undoRule(ctx: StepContext, entry: UndoEntry, p: P): Promise<UndoVerdict> {
  const region = entry.region;
  const events = ctx.client(EventBridgeClient, region);
  const ruleName = String(p.Name ?? p.Rule);
  const rule = ((await events.send(new ListRulesCommand({ NamePrefix: ruleName }))).Rules ?? []).find((r) => r.Name === ruleName);
  if (!rule) return nothingToUndo(`The rule ${ruleName} in ${region} no longer exists.`);
  const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: ruleName }))).Targets ?? [];
  if (entry.operation === 'PutTargets') {
    const wrote = (p.Targets as { Id: string; Arn: string; RoleArn?: string }[])[0]!;
    const now = targets.find((t) => t.Id === wrote.Id);
    if (!now) return nothingToUndo(`The target ${wrote.Id} of ${ruleName} in ${region} is gone already.`);
    if (!sameJson({ Arn: now.Arn, RoleArn: now.RoleArn ?? null }, { Arn: wrote.Arn, RoleArn: wrote.RoleArn ?? null }))
      return drifted(`The target ${wrote.Id} of rule ${ruleName} in ${region}`, { now: now.Arn, wrote: wrote.Arn });
    return undoWith(recordedInverse(entry));
  }
  const now = { EventPattern: JSON.parse(rule.EventPattern ?? 'null') as unknown, State: rule.State };
  const wrote = { EventPattern: JSON.parse(String(p.EventPattern)) as unknown, State: p.State };
  if (!sameJson(now, wrote)) return drifted(`Rule ${ruleName} in ${region}`, { now, wrote });
  if (entry.inverse?.operation === 'DeleteRule') {
    // Our own target is removed first (newest first); a target someone added would make AWS refuse.
    const theirs = targets.filter((t) => !t.Id?.startsWith('secure-start-'));
    if (theirs.length) return drifted(`The targets of rule ${ruleName} in ${region}`, { now: theirs.map((t) => t.Arn), wrote: 'one target of secure-start' });
  }
  return undoWith(recordedInverse(entry));
}

async function undoLogs(ctx: StepContext, entry: UndoEntry, p: P): Promise<UndoVerdict> {
  const region = entry.region;
  const name = String(p.logGroupName);
  const group = await logGroup(ctx, region, name);
  if (!group) return nothingToUndo(`The log group ${name} in ${region} no longer exists.`);
  switch (entry.operation) {
    case 'CreateLogGroup': {
      const filters = (await metricFilters(ctx, region, name)).filter((f) => !f.filterName?.startsWith('secure-start-'));
      if (filters.length) return drifted(`The metric filters of log group ${name}`, { now: filters.map((f) => f.filterName), wrote: 'none of another tool' });
      const streams = (await ctx.client(CloudWatchLogsClient, region).send(new DescribeLogStreamsCommand({ logGroupName: name, limit: 1 }))).logStreams ?? [];
      const action = recordedInverse(entry, {
        summary: streams.length ? `Delete the log group ${name} in ${region} and the trail events in it (the S3 copy stays)` : `Delete the empty log group ${name} in ${region}`,
        destructive: streams.length > 0,
      });
      return streams.length
        ? { kind: 'undo', actions: [action], warnings: [`The log group ${name} holds events: it is deleted with them only if you choose to (default No).`] }
        : undoWith(action);
    }
    case 'PutRetentionPolicy':
      if (group.retentionInDays !== p.retentionInDays) return drifted(`The retention of log group ${name}`, { now: group.retentionInDays ?? 'forever', wrote: p.retentionInDays });
      return undoWith(recordedInverse(entry));
    case 'PutMetricFilter': {
      const f = (await metricFilters(ctx, region, name)).find((x) => x.filterName === p.filterName);
      if (!f) return nothingToUndo(`The metric filter ${String(p.filterName)} no longer exists.`);
      const mt = (x: { metricName?: string; metricNamespace?: string; metricValue?: string }[] | undefined) => (x ?? []).map((m) => [m.metricName, m.metricNamespace, m.metricValue]);
      const now = { pattern: f.filterPattern, metrics: mt(f.metricTransformations) };
      const wrote = { pattern: p.filterPattern, metrics: mt(p.metricTransformations as never) };
      if (!sameJson(now, wrote)) return drifted(`The metric filter ${String(p.filterName)}`, { now, wrote });
      return undoWith(recordedInverse(entry));
    }
  }
  return nothingToUndo(`${entry.operation} is not a change this step makes.`);
}

async function undoAlarm(ctx: StepContext, entry: UndoEntry, p: P): Promise<UndoVerdict> {
  const name = String(p.AlarmName);
  const alarm = ((await ctx.client(CloudWatchClient, entry.region).send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms ?? [])[0];
  if (!alarm) return nothingToUndo(`The alarm ${name} in ${entry.region} no longer exists.`);
  if (!entry.inverse) return { kind: 'irreversible', reason: `The alarm ${name} was there before the fix, and its earlier settings were not recorded.` };
  const pick = (a: P) => ({ MetricName: a.MetricName, Namespace: a.Namespace, Threshold: a.Threshold, ComparisonOperator: a.ComparisonOperator, AlarmActions: a.AlarmActions ?? [] });
  const now = pick(alarm as P);
  const wrote = pick(p);
  if (!sameJson(now, wrote)) return drifted(`The alarm ${name} in ${entry.region}`, { now, wrote });
  return undoWith(recordedInverse(entry));
}

async function undoTrailDelivery(ctx: StepContext, entry: UndoEntry, p: P): Promise<UndoVerdict> {
  const ref = String(p.Name);
  const t = (await trails(ctx)).find((x) => x.arn === ref || x.name === ref);
  if (!t) return nothingToUndo(`The trail ${ref} no longer exists.`);
  if (!t.logGroupArn) return nothingToUndo(`Trail ${t.name} no longer delivers to CloudWatch Logs.`);
  if (t.logGroupArn !== p.CloudWatchLogsLogGroupArn) return drifted(`The CloudWatch Logs delivery of trail ${t.name}`, { now: t.logGroupArn, wrote: p.CloudWatchLogsLogGroupArn });
  return undoWith(recordedInverse(entry));
}

/** The step's `undo` (types.ts, Step.undo). */
export async function undoAlerts(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const p = entry.params as P;
  switch (entry.service) {
    case 'sns':
      return undoTopic(ctx, entry, p);
    case 'iam':
      return undoRole(ctx, entry, p);
    case 'events':
      return undoRule(ctx, entry, p);
    case 'logs':
      return undoLogs(ctx, entry, p);
    case 'cloudwatch':
      return undoAlarm(ctx, entry, p);
    case 'cloudtrail':
      return undoTrailDelivery(ctx, entry, p);
  }
  return nothingToUndo(`${entry.operation} is not a change this step makes.`);
}
