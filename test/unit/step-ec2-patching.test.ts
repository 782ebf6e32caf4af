import { describe, expect, it } from 'vitest';
import { guidance, instanceFinding, ssmCorePolicyArn } from '../../steps/resources/ec2-patching/index.js';
import { profileNameOf, someOf } from '../../steps/resources/_shared/compute.js';

const inst = (extra: object = {}) => ({ InstanceId: 'i-1', Tags: [{ Key: 'Name', Value: 'web' }], ...extra });

describe('the finding for a running instance', () => {
  it('passes only when the agent is online', () => {
    expect(instanceFinding(inst(), { InstanceId: 'i-1', PingStatus: 'Online', AgentVersion: '3.3' }, 'eu-west-1')).toMatchObject({ status: 'pass', resource: 'i-1 (web)', region: 'eu-west-1' });
    const lost = instanceFinding(inst({ IamInstanceProfile: { Arn: 'arn:aws:iam::1:instance-profile/app' } }), { InstanceId: 'i-1', PingStatus: 'Inactive' }, 'eu-west-1');
    expect(lost).toMatchObject({ status: 'fail', data: { instanceId: 'i-1', ping: 'Inactive', profileArn: 'arn:aws:iam::1:instance-profile/app' } });
    expect(lost.message).toContain('registered once but is Inactive now');
  });

  it('says why an unknown instance is unmanaged: no profile, or an agent that never registered', () => {
    expect(instanceFinding(inst(), undefined, 'us-east-1').message).toContain('it has no instance profile, so its agent has no credentials');
    const withProfile = instanceFinding(inst({ IamInstanceProfile: { Arn: 'arn:aws:iam::1:instance-profile/p/app' } }), undefined, 'us-east-1');
    expect(withProfile.message).toContain('its agent has never registered');
    expect(withProfile.data).toEqual({ instanceId: 'i-1', region: 'us-east-1', label: 'i-1 (web)', profileArn: 'arn:aws:iam::1:instance-profile/p/app' });
  });
});

describe('helpers', () => {
  it('names the policy in the partition and the profile from its ARN (paths included)', () => {
    expect(ssmCorePolicyArn('aws-cn')).toBe('arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore');
    expect(profileNameOf('arn:aws:iam::1:instance-profile/team/app')).toBe('app');
  });

  it('lists a few names and counts the rest', () => {
    expect(someOf(['a'])).toBe('a');
    expect(someOf(['a', 'b', 'c'])).toBe('a, b and c');
    expect(someOf(['a', 'b', 'c', 'd'], 2)).toBe('a, b and 2 more');
  });

  it('guidance covers each kind of unmanaged instance it is given, and always the agent, network and patching', () => {
    const d = { instanceId: 'i-9', region: 'us-east-1', label: 'i-9' };
    const text = guidance({ noProfile: [d], registered: [], roleReady: [], emptyProfile: [] });
    expect(text).toContain('**No instance profile:** i-9 (us-east-1)');
    expect(text).not.toContain('Registered, but');
    expect(text).toMatch(/SSM Agent[\s\S]*ec2messages[\s\S]*patch policy/);
  });
});
