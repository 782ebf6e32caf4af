import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateLoginProfileCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import { authorizationDetails, credentialReport, decodePolicyDocument, parseCredentialReport } from '../../steps/account/_shared/iam-data.js';
import { resetMoto } from '../helpers/moto.js';
import { makeSandboxContext } from '../helpers/step-tester.js';

beforeEach(async () => {
  await resetMoto();
});

describe('shared IAM reads', () => {
  it('reads the credential report once per run and parses users, passwords and keys', async () => {
    let calls = 0;
    const ctx = makeSandboxContext({
      onRequest: (_s, op) => {
        if (op === 'GetCredentialReport') calls++;
      },
    });
    ctx.factory.readOnly = false;
    const iam = ctx.client(IAMClient);
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'alice', Password: 'Correct-Horse-9!' }));
    await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    ctx.factory.readOnly = true;
    const [a, b] = await Promise.all([credentialReport(ctx), credentialReport(ctx)]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    const alice = a.find((r) => r.user === 'alice')!;
    expect(alice).toMatchObject({ passwordEnabled: true, mfaActive: false, isRoot: false });
    expect(alice.accessKeys[0]).toMatchObject({ slot: 1, active: true });
    expect(alice.accessKeys[0]!.lastRotated).toBeInstanceOf(Date);
    expect(a.find((r) => r.user === 'bob')).toMatchObject({ passwordEnabled: false });
  });

  it('reads users with their attached policies and the customer-managed policies', async () => {
    const ctx = makeSandboxContext();
    ctx.factory.readOnly = false;
    const iam = ctx.client(IAMClient);
    await iam.send(new CreateUserCommand({ UserName: 'carol' }));
    const policy = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'star', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }),
    );
    await iam.send(new AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: policy.Policy!.Arn! }));
    ctx.factory.readOnly = true;
    const details = await authorizationDetails(ctx);
    const carol = details.UserDetailList.find((u) => u.UserName === 'carol')!;
    expect(carol.AttachedManagedPolicies?.map((p) => p.PolicyName)).toEqual(['star']);
    const star = details.Policies.find((p) => p.PolicyName === 'star')!;
    const doc = decodePolicyDocument(star.PolicyVersionList?.find((v) => v.IsDefaultVersion)?.Document) as { Statement: unknown[] };
    expect(doc.Statement).toEqual([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    // AWS managed policies are filtered out (moto loads hundreds of them).
    expect(details.Policies.every((p) => !p.Arn?.startsWith('arn:aws:iam::aws:'))).toBe(true);
  });
});

describe('credential report parsing', () => {
  it('reads the root row and IAM placeholders', () => {
    const csv = [
      'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated',
      '<root_account>,arn:aws:iam::123456789012:root,2026-01-01T00:00:00+00:00,not_supported,2026-11-01T00:00:00+00:00,not_supported,not_supported,false,true,2026-02-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    ].join('\n');
    const [root] = parseCredentialReport(csv);
    expect(root).toMatchObject({ isRoot: true, mfaActive: false, passwordEnabled: false });
    expect(root!.passwordLastUsed?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(root!.accessKeys[0]).toMatchObject({ active: true, lastUsed: undefined });
    expect(root!.accessKeys[1]!.active).toBe(false);
  });
  it('refuses a report without its header', () => {
    expect(() => parseCredentialReport('a,b\n1,2')).toThrow(/header/);
  });
});
