/**
 * year-one scenario: an old application server whose software still reads instance metadata
 * without a token (IMDSv1): CloudWatch counted its calls in the last day. Requiring IMDSv2 on it
 * would cut the application off from its credentials, so the fix leaves it alone unless named.
 */
import { PutMetricDataCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import { launchDayOne } from '../_shared/instances.js';

export const YEAR_ONE_LEGACY_INSTANCE = 'year-one-legacy-app';

export async function seedYearOne(ctx: StepContext): Promise<void> {
  sandboxOnly(ctx);
  const { instance } = await launchDayOne(ctx, YEAR_ONE_LEGACY_INSTANCE, { httpTokens: 'optional' });
  // EC2 publishes MetadataNoToken itself; the emulator does not, so the scenario records an hour's calls.
  await ctx.client(CloudWatchClient, ctx.target.homeRegion).send(
    new PutMetricDataCommand({
      Namespace: 'AWS/EC2',
      MetricData: [
        {
          MetricName: 'MetadataNoToken',
          Dimensions: [{ Name: 'InstanceId', Value: instance.InstanceId! }],
          Value: 240,
          Unit: 'Count',
          Timestamp: new Date(Date.now() - 3_600_000),
        },
      ],
    }),
  );
}
