import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { LOCALSTACK_IMAGE, SANDBOX_CREDENTIALS, SANDBOX_REGION, assertEmulatorEndpoint } from '../../src/sandbox/index.js';
import { dockerAvailable, isLocalStack, startLocalStack } from '../../src/sandbox/localstack.js';

// Decided once, before the tests are collected, so a skip is reported with its reason.
const docker = await dockerAvailable();
const reason = 'no Docker engine answers on this machine';
if (!docker) console.warn(`sandbox-localstack: the LocalStack end-to-end test is skipped: ${reason}.`);

describe('sandbox: LocalStack provider', () => {
  it('answers dockerAvailable() quickly', async () => {
    const started = Date.now();
    expect(typeof (await dockerAvailable())).toBe('boolean');
    expect(Date.now() - started).toBeLessThan(8000);
  }, 15_000);

  it.skipIf(!docker)(
    `starts ${LOCALSTACK_IMAGE}, answers STS GetCallerIdentity, and stops${docker ? '' : ` (skipped: ${reason})`}`,
    async () => {
      const ls = await startLocalStack();
      try {
        assertEmulatorEndpoint(ls.endpoint);
        expect(ls.containerId).toMatch(/^[0-9a-f]{12,}$/);
        expect(await isLocalStack(ls.endpoint)).toBe(true);
        const client = new STSClient({ endpoint: ls.endpoint, region: SANDBOX_REGION, credentials: { ...SANDBOX_CREDENTIALS }, maxAttempts: 1 });
        const who = await client.send(new GetCallerIdentityCommand({}));
        expect(who.Account).toMatch(/^\d{12}$/);
      } finally {
        await ls.stop();
      }
      expect(await isLocalStack(ls.endpoint)).toBe(false);
    },
    300_000,
  );
});
