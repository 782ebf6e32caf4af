/**
 * data.kms-rotation undo on what moto cannot show: moto keeps no rotation period
 * (GetKeyRotationStatus never returns RotationPeriodInDays), so the drift case is stubbed.
 */
import { DisableKeyRotationCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { UndoEntry } from '../../src/engine/types.js';
import step from '../../steps/data/kms-rotation/index.js';
import { STUB_ACCOUNT, stubContext } from '../helpers/stub-context.js';

const kms = mockClient(KMSClient);
afterEach(() => kms.reset());

const KEY = `arn:aws:kms:us-east-1:${STUB_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const entry: UndoEntry = {
  index: 0,
  step: 'data.kms-rotation',
  at: '2026-12-01T10:00:00.000Z',
  service: 'kms',
  operation: 'EnableKeyRotation',
  region: 'us-east-1',
  params: { KeyId: KEY },
  inverse: { service: 'kms', operation: 'DisableKeyRotation', region: 'us-east-1', params: { KeyId: KEY }, summary: 'Turn automatic rotation off again' },
};

describe('data.kms-rotation undo (aws-sdk-client-mock stubs: moto keeps no rotation period)', () => {
  it('refuses a key whose rotation period was changed after the fix, and sends nothing', async () => {
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    const verdict = await step.undo!(stubContext(), entry);
    expect(verdict).toEqual({ kind: 'drifted', reason: expect.stringContaining('Now: 90 days; the fix wrote: 365 days.') });
    expect(kms.commandCalls(DisableKeyRotationCommand)).toHaveLength(0);
  });

  it('turns rotation off while the period is still the yearly one the fix set', async () => {
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    const verdict = await step.undo!(stubContext(), entry);
    expect(verdict.kind).toBe('undo');
    expect(verdict.kind === 'undo' && verdict.actions.map((a) => `${a.operation} ${JSON.stringify(a.params)}`)).toEqual([`DisableKeyRotation {"KeyId":"${KEY}"}`]);
  });
});
