import { describe, expect, it } from 'vitest';
import { REPLACE_GUIDANCE, settingFinding, volumeLabel, volumesFinding } from '../../steps/resources/ebs-encryption/index.js';

const ctx = { target: { accountId: '123456789012', partition: 'aws', principalArn: '', isRoot: false, sandbox: true, homeRegion: 'us-east-1' } };

describe('resources.ebs-encryption findings', () => {
  it('the region setting: pass when on, fail with the region for the plan when off', () => {
    expect(settingFinding(ctx, 'eu-west-1', true, 0)).toMatchObject({ status: 'pass', resource: 'arn:aws:ec2:eu-west-1:123456789012:ebs-encryption-by-default' });
    expect(settingFinding(ctx, 'eu-west-1', false, 2)).toMatchObject({ status: 'fail', data: { region: 'eu-west-1', unencrypted: 2 } });
  });

  it('unencrypted volumes become one manual finding per region; encrypted ones are not listed', () => {
    expect(volumesFinding(ctx, 'us-east-1', [{ VolumeId: 'vol-1', Encrypted: true }])).toEqual([]);
    const [f] = volumesFinding(ctx, 'us-east-1', [
      { VolumeId: 'vol-2', Encrypted: false, Attachments: [{ InstanceId: 'i-1' }] },
      { VolumeId: 'vol-1', Encrypted: false, Tags: [{ Key: 'Name', Value: 'old' }] },
      { VolumeId: 'vol-3', Encrypted: true },
    ]);
    expect(f).toMatchObject({ status: 'manual', resource: 'arn:aws:ec2:us-east-1:123456789012:volume/*', data: { volumes: ['vol-1', 'vol-2'] } });
    expect(f!.message).toMatch(/^2 volumes in us-east-1 are not encrypted \(1 attached\): vol-1 \(old\) and vol-2 on i-1\./);
  });

  it('a single volume is the finding’s resource', () => {
    expect(volumesFinding(ctx, 'us-east-1', [{ VolumeId: 'vol-7', Encrypted: false }])[0]!.resource).toBe('vol-7');
    expect(volumeLabel({ VolumeId: 'vol-7' })).toBe('vol-7');
  });
});

describe('resources.ebs-encryption guidance', () => {
  it('sends a stopped instance to the detach-and-attach swap, and names Replace root volume for a running one (it needs one)', () => {
    expect(REPLACE_GUIDANCE).not.toMatch(/instance stopped \(EC2 console/);
    expect(REPLACE_GUIDANCE).toContain('Or let EC2 swap it on the running instance, which it restarts: Replace root volume');
  });
});
