/**
 * infrastructure.ddos-protection on the paths moto cannot reach: moto's DescribeSubscription answer
 * after CreateSubscription cannot be parsed by the SDK, so an active Shield Advanced subscription
 * is stubbed at the SDK level (aws-sdk-client-mock), as every test name says.
 */
import { DescribeSubscriptionCommand, ResourceNotFoundException, ShieldClient } from '@aws-sdk/client-shield';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientFactory } from '../../src/aws/factory.js';
import { RunContext } from '../../src/engine/context.js';
import { checkStep } from '../../src/engine/runner.js';
import step from '../../steps/infrastructure/ddos-protection/index.js';

const STUB = '(SDK stub: moto cannot describe a subscription)';
const shield = mockClient(ShieldClient);
const entry = { meta: step.meta, load: async () => step };

function context(): RunContext {
  const factory = new ClientFactory({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's' }, maxAttempts: 1, userAgent: 'secure-start-test' });
  return new RunContext(
    { accountId: '111122223333', principalArn: 'arn:aws:iam::111122223333:user/alice', isRoot: false, sandbox: false, partition: 'aws', homeRegion: 'eu-west-1' },
    factory,
    async () => ['eu-west-1'],
  );
}

beforeEach(() => shield.reset());
afterAll(() => shield.restore());

describe('infrastructure.ddos-protection', () => {
  it(`an active Shield Advanced subscription passes, naming its commitment ${STUB}`, async () => {
    shield.on(DescribeSubscriptionCommand).resolves({
      Subscription: { StartTime: new Date('2026-01-10T00:00:00Z'), EndTime: new Date('2099-01-10T00:00:00Z'), AutoRenew: 'ENABLED', SubscriptionLimits: undefined },
    });
    const { result } = await checkStep(entry, context());
    expect(result.status).toBe('pass');
    expect(result.findings[0]!.message).toMatch(/^Shield Advanced is subscribed since 2026-01-10, committed until 2099-01-10 \(auto-renew enabled\)\. Check that the resources/);
    // Shield's API is in us-east-1, whatever the home region.
    expect(await shield.call(0).thisValue.config.region()).toBe('us-east-1');
  });

  it(`ResourceNotFound means Shield Standard only: manual, a decision ${STUB}`, async () => {
    shield.on(DescribeSubscriptionCommand).rejects(new ResourceNotFoundException({ message: 'no subscription', $metadata: {} }));
    const { result } = await checkStep(entry, context());
    expect(result.status).toBe('manual');
  });

  it(`access denied is an error naming shield:DescribeSubscription, never a pass ${STUB}`, async () => {
    const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    shield.on(DescribeSubscriptionCommand).rejects(denied);
    const { result } = await checkStep(entry, context());
    expect(result.status).toBe('error');
    expect(result.findings[0]!.message).toMatch(/^AWS Shield could not be read: .*shield:DescribeSubscription/);
  });
});
