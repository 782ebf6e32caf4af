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
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import type { Finding, Plan, Step, StepInputs } from '../../../src/engine/step-kit.js';
import { mapLimit, regionFailure, sandboxOnly, validEmail, zodCheck } from '../../../src/engine/step-kit.js';
import meta from './meta.js';
import { topicArn } from './pattern.js';
import type { GuardDutyRule } from './reads.js';
import { guardDutyRules, isEmail, subscriptions } from './reads.js';
import type { RegionVerdict } from './judge.js';
import { judgeRegion, judgeRoot } from './judge.js';
import { planAlerts } from './plan.js';
import { undoAlerts } from './undo.js';

export interface AlertsInputs {
  email: string;
}

const inputsSchema = z.strictObject({ email: zodCheck(validEmail) });

/** How many regions are read at once. */
const REGION_CONCURRENCY = 4;

/** The regions with a GuardDuty rule: the home region (where alerts are delivered) and every region of the run. */
export function alertRegions(regions: string[], home: string): string[] {
  return [home, ...regions.filter((r) => r !== home)];
}

/** Email addresses the check saw on our topic and on the topics of rules and alarms, ours first. */
function emailsIn(findings: Finding[]): string[] {
  return [...new Set(findings.flatMap((f) => (Array.isArray(f.data?.emails) ? (f.data.emails as string[]) : [])))];
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
  undo: undoAlerts,

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

  plan(ctx, findings, given): Promise<Plan> {
    return planAlerts(ctx, findings, given);
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
