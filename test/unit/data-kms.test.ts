/** The shared KMS key inventory's pure helpers: which keys are in scope, their names, and finding a key by any reference. */
import { describe, expect, it } from 'vitest';
import { arnAccount, arnRegion, findKey, isCustomerSymmetric, isRotatable, keyLabel } from '../../steps/data/_shared/kms.js';
import type { KmsKey, RegionKeys } from '../../steps/data/_shared/kms.js';

const ID = '11111111-2222-3333-4444-555555555555';
const ARN = `arn:aws:kms:us-east-1:123456789012:key/${ID}`;
const info = { keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', state: 'Enabled', origin: 'AWS_KMS', multiRegion: false };
const key = (over: Partial<KmsKey> = {}): KmsKey => ({ id: ID, arn: ARN, region: 'us-east-1', aliases: ['alias/app'], awsManaged: false, info: { ...info }, ...over });

describe('keys in scope', () => {
  it('an enabled symmetric customer key whose material KMS made can rotate', () => {
    expect(isRotatable(key())).toBe(true);
    expect(isCustomerSymmetric(key())).toBe(true);
  });

  it('AWS managed keys never, whatever their metadata says (moto calls them CUSTOMER)', () => {
    expect(isRotatable(key({ awsManaged: true, aliases: ['alias/aws/s3'] }))).toBe(false);
    expect(isCustomerSymmetric(key({ awsManaged: true }))).toBe(false);
  });

  it('not disabled, asymmetric, HMAC, imported or unreadable keys', () => {
    expect(isRotatable(key({ info: { ...info, state: 'Disabled' } }))).toBe(false);
    expect(isRotatable(key({ info: { ...info, state: 'PendingDeletion' } }))).toBe(false);
    expect(isRotatable(key({ info: { ...info, keySpec: 'RSA_2048' } }))).toBe(false);
    expect(isRotatable(key({ info: { ...info, keySpec: 'HMAC_256' } }))).toBe(false);
    expect(isRotatable(key({ info: { ...info, origin: 'EXTERNAL' } }))).toBe(false);
    expect(isCustomerSymmetric(key({ info: { ...info, origin: 'EXTERNAL' } }))).toBe(true);
    const { info: _dropped, ...unread } = key();
    expect(isRotatable({ ...unread, error: 'Access denied' })).toBe(false);
  });
});

describe('names and references', () => {
  it('a key is known by its own alias, else its id', () => {
    expect(keyLabel({ id: ID, aliases: ['alias/aws/s3', 'alias/mine'] })).toBe('alias/mine');
    expect(keyLabel({ id: ID, aliases: [] })).toBe(ID);
  });

  it('reads region and account from KMS ARNs only', () => {
    expect(arnRegion(ARN)).toBe('us-east-1');
    expect(arnAccount('arn:aws:kms:eu-west-1:210987654321:alias/x')).toBe('210987654321');
    expect(arnRegion('alias/x')).toBeUndefined();
    expect(arnRegion(ID)).toBeUndefined();
  });

  it('finds a key by id, key ARN, alias name or alias ARN, and nothing else', () => {
    const rk: RegionKeys = { region: 'us-east-1', keys: [key()], aliases: [{ name: 'alias/app', targetKeyId: ID }, { name: 'alias/aws/ebs' }] };
    for (const ref of [ID, ARN, 'alias/app', 'arn:aws:kms:us-east-1:123456789012:alias/app']) expect(findKey(rk, ref)?.arn, ref).toBe(ARN);
    expect(findKey(rk, 'alias/aws/ebs')).toBeUndefined();
    expect(findKey(rk, 'alias/other')).toBeUndefined();
    expect(findKey(rk, '99999999-2222-3333-4444-555555555555')).toBeUndefined();
  });
});

describe('data.kms-rotation plan', () => {
  it('fixes a multi-Region replica on its primary, in the primary’s region, once', async () => {
    const { default: rotation } = await import('../../steps/data/kms-rotation/index.js');
    const primary = 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    const replica = 'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    const finding = (arn: string, region: string) => ({
      status: 'fail' as const,
      resource: arn,
      region,
      message: '…',
      data: { keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab', arn, region, label: 'alias/global', rotateArn: primary, rotateRegion: 'us-east-1', rotationEnabled: false },
    });
    const plan = await rotation.plan({} as never, [finding(replica, 'eu-west-1'), finding(primary, 'us-east-1')], undefined);
    expect(plan.actions.map((a) => [a.operation, a.region, a.params.KeyId])).toEqual([['EnableKeyRotation', 'us-east-1', primary]]);
    expect(plan.actions[0]!.summary).toContain('the primary of alias/global, in us-east-1');
  });

  it('refuses to plan from findings that hold no key', async () => {
    const { default: rotation } = await import('../../steps/data/kms-rotation/index.js');
    await expect(rotation.plan({} as never, [{ status: 'fail', resource: 'x', region: 'us-east-1', message: '…' }], undefined)).rejects.toThrow(/check the step before planning/);
  });
});
