/**
 * infrastructure.ddos-protection: the account's DDoS posture is a decision. Every account has
 * Shield Standard, free and always on; Shield Advanced adds attack response, cost protection and
 * WAF at about USD 3,000 a month with a one-year commitment. One read, shield DescribeSubscription:
 * ResourceNotFoundException means no Advanced subscription, so Standard.
 *
 * Advice only, and the tool never subscribes: a one-year commitment is not something to start
 * from a script. Without Advanced the step is `manual` until the person decides; the decision
 * (a skip with a reason, or `"decision": "accept"` in the answers file) is recorded and shown by
 * later checks as `skipped`.
 */
import { DescribeSubscriptionCommand, ShieldClient } from '@aws-sdk/client-shield';
import type { Subscription } from '@aws-sdk/client-shield';
import type { Finding, Plan, Step, StepContext } from '../../../src/engine/step-kit.js';
import { describeError, errorCode, regionFailureStatus } from '../../../src/engine/step-kit.js';
import meta from './meta.js';

/** Shield's API lives in us-east-1 for the commercial partition. */
export function shieldRegion(partition: string, homeRegion: string): string {
  return partition === 'aws' ? 'us-east-1' : homeRegion;
}

export const ADVANCED_MONTHLY_USD = 3000;

const day = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);

/** The finding for what DescribeSubscription said (pure): a subscription, or none. */
export function subscriptionFinding(sub: Subscription | undefined, resource: string): Finding {
  if (!sub)
    return {
      status: 'manual',
      resource,
      region: 'global',
      message:
        'This account has Shield Standard (free, always on: it absorbs common network-layer floods against CloudFront, Route 53 and load balancers) and no Shield Advanced. ' +
        `Decide whether Standard is enough (Advanced costs about $${ADVANCED_MONTHLY_USD.toLocaleString('en-US')} a month with a one-year commitment), and record that decision.`,
    };
  const end = day(sub.EndTime);
  const renew = sub.AutoRenew ? ` (auto-renew ${String(sub.AutoRenew).toLowerCase()})` : '';
  const ended = sub.EndTime && sub.EndTime.getTime() < Date.now();
  if (ended)
    return {
      status: 'manual',
      resource,
      region: 'global',
      message: `The Shield Advanced subscription ended on ${end}: the account is back to Shield Standard. Decide whether that is enough, and record the decision.`,
    };
  return {
    status: 'pass',
    resource,
    region: 'global',
    message:
      `Shield Advanced is subscribed${day(sub.StartTime) ? ` since ${day(sub.StartTime)}` : ''}${end ? `, committed until ${end}` : ''}${renew}. ` +
      'Check that the resources that face the internet (load balancers, CloudFront, Elastic IPs, Route 53 zones) are added as protections: only those are covered.',
  };
}

async function readSubscription(ctx: StepContext): Promise<Subscription | undefined> {
  try {
    const out = await ctx.client(ShieldClient, shieldRegion(ctx.target.partition, ctx.target.homeRegion)).send(new DescribeSubscriptionCommand({}));
    return out.Subscription;
  } catch (err) {
    if (errorCode(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

export const GUIDANCE = `**Shield Standard** is on for every AWS account at no charge. It protects the AWS edge and regional services against the common network and transport-layer floods (SYN floods, UDP reflection) without anything to configure. It does not watch your application's own traffic, and nobody at AWS responds to an attack on you in particular.

**Shield Advanced** costs about $${ADVANCED_MONTHLY_USD.toLocaleString('en-US')} a month per organization (all accounts under one payer share one fee), with a **one-year commitment**, plus a data-transfer fee on the protected resources' traffic out. It adds: the Shield Response Team during an attack, credits for the scaling charges an attack causes, application-layer (HTTP flood) mitigation through AWS WAF at no extra WAF charge for protected resources, and attack reports.

**When it is worth it.** A revenue-critical site facing the internet, where an hour offline costs more than the subscription; a history of attacks; a contract that requires it. For a new account, Standard plus good habits is the usual answer: put public endpoints behind CloudFront or a load balancer, keep security groups tight, add AWS WAF rate-based rules on the public endpoints (a few dollars a month), and set a billing alarm so an attack's scaling costs are noticed.

**Deciding.** If Standard is enough, skip this step with your reason (for example "Standard is enough: no public workload yet, review in a year"); later checks show it as accepted, with the reason and the date. To subscribe, use the console (WAF & Shield › Shield Advanced): this tool never subscribes.`;

const step: Step = {
  meta,

  async check(ctx) {
    const resource = `arn:${ctx.target.partition}:shield::${ctx.target.accountId}:subscription`;
    try {
      return [subscriptionFinding(await readSubscription(ctx), resource)];
    } catch (err) {
      const status = regionFailureStatus(err, { region: 'global' });
      const why = describeError(err, { permissions: ['shield:DescribeSubscription'] });
      return [{ status, resource, region: 'global', message: status === 'unsupported' ? `AWS Shield: the endpoint says it does not offer this API. ${why}` : `AWS Shield could not be read: ${why}` }];
    }
  },

  async plan(_ctx, findings): Promise<Plan> {
    if (!findings.some((f) => f.status === 'manual')) return { actions: [] };
    return {
      actions: [],
      guidance: GUIDANCE,
      cost: {
        scale: 'dollars',
        detail: `Nothing is created by this tool. Shield Standard: free. Shield Advanced, if you subscribe yourself: about $${ADVANCED_MONTHLY_USD.toLocaleString('en-US')} a month for at least a year, plus data transfer out of protected resources.`,
      },
    };
  },
};

export default step;
