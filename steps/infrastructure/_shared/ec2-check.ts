/**
 * The check of an infrastructure step, region by region over the shared EC2 inventory reads
 * (src/aws/ec2-inventory.ts). A region whose reads fail becomes one finding about every resource
 * of the step's kind there, naming the reads it needs; the other regions still report.
 */
import type { InventoryKind } from '../../../src/aws/ec2-inventory.js';
import { READ_ACTION } from '../../../src/aws/ec2-inventory.js';
import type { Finding, StepContext } from '../../../src/engine/step-kit.js';
import { eachRegion } from '../../../src/engine/step-kit.js';

/** The EC2 resource types the infrastructure steps check, as their ARNs name them. */
export type Ec2ResourceType = 'security-group' | 'network-acl' | 'subnet';

/** `arn:aws:ec2:eu-west-1:123456789012:security-group/*`: every resource of one type in a region. */
export function everyInRegion(ctx: Pick<StepContext, 'target'>, region: string, type: Ec2ResourceType): string {
  return `arn:${ctx.target.partition}:ec2:${region}:${ctx.target.accountId}:${type}/*`;
}

/** The one finding of a region where nothing fails: a pass about every resource of `type` there. */
export function regionPass(ctx: Pick<StepContext, 'target'>, region: string, type: Ec2ResourceType, message: string): Finding {
  return { status: 'pass', resource: everyInRegion(ctx, region, type), region, message };
}

/**
 * `read(region)` for each of the run's regions, `concurrency` regions at a time; a region that
 * throws is reported against every `type` there, with the permissions of the `reads` it needs.
 */
export function eachEc2Region(
  ctx: Pick<StepContext, 'target' | 'regions'>,
  check: { type: Ec2ResourceType; reads: InventoryKind[]; concurrency: number },
  read: (region: string) => Promise<Finding[]>,
): Promise<Finding[]> {
  return eachRegion(
    ctx,
    read,
    (region) => ({ resource: everyInRegion(ctx, region, check.type), service: 'Amazon EC2', permissions: check.reads.map((k) => READ_ACTION[k]) }),
    check.concurrency,
  );
}
