/**
 * A class in one moto: an organization in the default account, an account per learner, and the
 * learner's role assumed by name (`--learner`). Measured here: calls made with the assumed
 * credentials stay in the learner's account, and the scenario's fixture buckets (bucket names are
 * global in moto too) seed into every learner's account without colliding.
 */
import { CreateUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { callerIdentity } from '../../src/aws/identity.js';
import { RunContext } from '../../src/engine/context.js';
import { UserError } from '../../src/engine/errors.js';
import { checkStep } from '../../src/engine/runner.js';
import { findLearnerAccount, learnerFactory } from '../../src/engine/org.js';
import { seedScenario } from '../../src/engine/scenario.js';
import { closeLearnerAccount, createLearnerAccount, ensureOrganization } from '../../src/sandbox/classroom.js';
import { registry } from '../../steps/index.js';
import { resetMoto } from '../helpers/moto.js';
import { makeSandboxContext, SANDBOX_ACCOUNT_ID } from '../helpers/sandbox.js';

const s3Encryption = registry.filter((e) => e.meta.id === 'data.s3-encryption');

describe('a class in one emulator', () => {
  afterAll(() => resetMoto());

  it('gives each learner an account of their own: what one learner makes, the others and the default account do not see', async () => {
    await resetMoto();
    const admin = makeSandboxContext();
    try {
      admin.factory.readOnly = false;
      await ensureOrganization(admin.factory);
      const ana = await createLearnerAccount(admin.factory, 'ana');
      const ben = await createLearnerAccount(admin.factory, 'ben');
      admin.factory.readOnly = true;
      expect(new Set([ana, ben, SANDBOX_ACCOUNT_ID]).size).toBe(3);

      const asAna = await learnerFactory(admin.factory, 'aws', 'ana');
      const asBen = await learnerFactory(admin.factory, 'aws', 'ben');
      try {
        expect(asAna.account).toEqual({ id: ana, name: 'ana', status: 'ACTIVE' });
        expect((await callerIdentity(asAna.factory)).principalArn).toMatch(new RegExp(`^arn:aws:sts::${ana}:assumed-role/OrganizationAccountAccessRole/`));
        asAna.factory.readOnly = false;
        await asAna.factory.client(IAMClient).send(new CreateUserCommand({ UserName: 'ana-made-this' }));
        const users = async (f: typeof admin.factory) => ((await f.client(IAMClient).send(new ListUsersCommand({}))).Users ?? []).map((u) => u.UserName);
        expect(await users(asAna.factory)).toContain('ana-made-this');
        expect(await users(asBen.factory)).not.toContain('ana-made-this');
        expect(await users(admin.factory)).not.toContain('ana-made-this');

        // The scenario's buckets: each learner gets a copy named with their account id, and sees only theirs.
        const ctxOf = (f: typeof admin.factory, accountId: string) => new RunContext({ ...admin.target, accountId }, f, async () => ['us-east-1']);
        await seedScenario('day-one', ctxOf(asAna.factory, ana), s3Encryption);
        await seedScenario('day-one', ctxOf(asBen.factory, ben), s3Encryption);
        const buckets = async (f: typeof admin.factory) => ((await f.client(S3Client).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
        expect(await buckets(asAna.factory)).toEqual([`day-one-no-default-encryption-${ana}`]);
        expect(await buckets(asBen.factory)).toEqual([`day-one-no-default-encryption-${ben}`]);
        const checked = await checkStep(s3Encryption[0]!, ctxOf(asBen.factory, ben));
        expect(checked.result.status).toBe('fail');
        expect(checked.result.findings.map((f) => f.message).join(' ')).toContain(`day-one-no-default-encryption-${ben}`);
      } finally {
        asAna.factory.destroy();
        asBen.factory.destroy();
      }
    } finally {
      admin.factory.destroy();
    }
  });

  it('a learner name resolves to the active account of that name; a closed account no longer does; an unknown name lists the learners', async () => {
    await resetMoto();
    const admin = makeSandboxContext();
    try {
      admin.factory.readOnly = false;
      await ensureOrganization(admin.factory);
      const first = await createLearnerAccount(admin.factory, 'ana');
      await createLearnerAccount(admin.factory, 'ben');
      await closeLearnerAccount(admin.factory, first);
      // Closing twice (a reset that stopped half-way, run again) is not an error.
      await closeLearnerAccount(admin.factory, first);
      const second = await createLearnerAccount(admin.factory, 'ana');
      admin.factory.readOnly = true;
      expect((await findLearnerAccount(admin.factory, 'ana')).id).toBe(second);
      const unknown = await findLearnerAccount(admin.factory, 'zoe', SANDBOX_ACCOUNT_ID).catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(UserError);
      expect((unknown as UserError).message).toBe('No learner "zoe" in this sandbox.');
      expect((unknown as UserError).hint).toBe('Learners here: ana, ben.');
    } finally {
      admin.factory.destroy();
    }
  });

  it('an emulator without a class: --learner is refused with how to start one', async () => {
    await resetMoto();
    const admin = makeSandboxContext();
    try {
      const err = await findLearnerAccount(admin.factory, 'ana').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(/^This sandbox has no class/);
      expect((err as UserError).hint).toMatch(/sandbox start --learners N/);
    } finally {
      admin.factory.destroy();
    }
  });
});
