/**
 * Which instances made IMDSv1 calls lately: the CloudWatch metric `MetadataNoToken` (namespace
 * AWS/EC2, dimension InstanceId) counts the metadata requests made without a session token, the
 * ones that stop working once IMDSv2 is required. Read with GetMetricData, up to 500 instances per
 * call (its limit of queries per request), so 1,000 instances cost two calls, not 1,000.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { StepContext } from '../../../src/engine/step-kit.js';

/** GetMetricData's limit of queries per request. */
export const QUERIES_PER_CALL = 500;
/** How far back the check looks. */
export const LOOKBACK_DAYS = 14;
const DAY = 86_400;

/** The queries for one batch of instances: `m<n>` is the n-th instance of the batch. */
export function metricQueries(instanceIds: readonly string[]): MetricDataQuery[] {
  return instanceIds.map((id, n) => ({
    Id: `m${n}`,
    MetricStat: {
      Metric: { Namespace: 'AWS/EC2', MetricName: 'MetadataNoToken', Dimensions: [{ Name: 'InstanceId', Value: id }] },
      Period: DAY,
      Stat: 'Sum',
    },
    ReturnData: true,
  }));
}

export function batches<T>(items: readonly T[], size = QUERIES_PER_CALL): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * IMDSv1 calls per instance over the last LOOKBACK_DAYS days (0 when the metric has no data point).
 * Throws what CloudWatch throws: the caller decides what an unread metric means.
 */
export async function imdsv1Calls(ctx: Pick<StepContext, 'client'>, region: string, instanceIds: readonly string[], now = new Date()): Promise<Map<string, number>> {
  const out = new Map<string, number>(instanceIds.map((id) => [id, 0]));
  if (!instanceIds.length) return out;
  const cw = ctx.client(CloudWatchClient, region);
  const end = new Date(Math.ceil(now.getTime() / 60_000) * 60_000);
  const start = new Date(end.getTime() - LOOKBACK_DAYS * DAY * 1000);
  for (const batch of batches(instanceIds)) {
    let NextToken: string | undefined;
    do {
      const page = await cw.send(new GetMetricDataCommand({ MetricDataQueries: metricQueries(batch), StartTime: start, EndTime: end, NextToken }));
      for (const r of page.MetricDataResults ?? []) {
        const id = batch[Number((r.Id ?? '').slice(1))];
        if (id === undefined) continue;
        out.set(id, (out.get(id) ?? 0) + (r.Values ?? []).reduce((a, b) => a + b, 0));
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return out;
}
