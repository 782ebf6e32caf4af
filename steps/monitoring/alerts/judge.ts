/**
 * monitoring.alerts, judgement: what the check makes of what it read. Per region, whether a
 * GuardDuty rule delivers findings to a confirmed email address; for the account, whether root
 * activity is counted and alarmed on. The data the plan needs rides on each failing finding.
 */
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Finding, StepContext } from '../../../src/engine/step-kit.js';
import { bestMultiRegionTrail, trails } from '../_shared/trails.js';
import {
  ALARM_NAME,
  FORWARDER_ROLE,
  ROOT_METRIC,
  RULE_NAME,
  alarmArn,
  allowsPublish,
  coverageGap,
  defaultBusArn,
  firesOnOne,
  isRootFilter,
  parseLogGroupArn,
  parseTopicArn,
  roleArn,
  ruleArn,
  severityName,
  topicArn,
} from './pattern.js';
import type { GuardDutyRule } from './reads.js';
import { alarmsFor, isConfirmed, isEmail, logGroup, metricFilters, subscriptions, topicPolicy } from './reads.js';

/** What the plan needs from a GuardDuty finding. */
export interface RuleData {
  kind: 'guardduty';
  region: string;
  /** Our rule is in place (pattern, state, target): only the topic behind it may need work. */
  ready: boolean;
  /** Our rule as it was, for the undo. */
  existing?: { pattern: string; state: string };
  emails: string[];
}

/** What the plan needs from the root-activity finding. */
export interface RootData {
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

export type Data = RuleData | RootData;

export const dataOf = (f: Finding) => f.data as Data | undefined;

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

export interface RegionVerdict {
  finding: Finding;
  ok: boolean;
  emails: string[];
}

export async function judgeRegion(ctx: StepContext, region: string, rules: GuardDutyRule[], homeOk: boolean): Promise<RegionVerdict> {
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
export async function judgeRoot(ctx: StepContext): Promise<Finding> {
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

