/**
 * What a fix costs, as the person sees it before confirming: an order of magnitude per month
 * (free, cents, dollars) and the prices behind it. Pure.
 */
import type { CostScale, Plan, StepMeta } from './types.js';

/** How each order of magnitude reads before a confirmation. */
export const COST_LABEL: Record<CostScale, string> = {
  free: 'free',
  cents: 'cents a month (order of magnitude)',
  dollars: 'dollars a month (order of magnitude)',
};

/**
 * The cost a plan names before its confirmation: the plan's own estimate when it has one, else the
 * step's. A plan that costs something is `paid`, and its confirmation defaults to No.
 */
export function planCost(meta: StepMeta, plan: Plan): { scale: CostScale; detail: string; paid: boolean } {
  if (plan.cost) return { ...plan.cost, paid: plan.cost.scale !== 'free' };
  return { scale: meta.fix.costScale, detail: meta.fix.cost, paid: meta.fix.paid };
}

