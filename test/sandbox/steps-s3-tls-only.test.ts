import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/actions.js';
import { MutationBlockedError } from '../../src/aws/errors.js';
import type { RunContext } from '../../src/engine/context.js';
import { resolveInputs } from '../../src/engine/inputs.js';
import { applyPlan, checkStep, planStep } from '../../src/engine/runner.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import accountStep from '../../steps/data/s3-account-public-access/index.js';
import { APP_DATA_BUCKET, SHARED_BUCKET, WEBSITE_BUCKET, makeBucket } from '../../steps/data/_shared/bucket-fixtures.js';
import type { BucketFixture } from '../../steps/data/_shared/bucket-fixtures.js';
import bucketStep from '../../steps/data/s3-bucket-public-access/index.js';
import step from '../../steps/data/s3-tls-only/index.js';
import { insecureTransportDeny } from '../../src/aws/s3-tls.js';
import { resetMoto } from '../helpers/moto.js';
import { inSandbox, isReadRequest, makeSandboxContext, recordCheckAndPlan, runStepCases, ScriptedAsker, withChecked } from '../helpers/step-tester.js';
import { fixThenUndo } from '../helpers/undo.js';

const PUT = 's3:PutBucketPolicy';
const arn = (name: string) => `arn:aws:s3:::${name}`;

function buckets(...fixtures: BucketFixture[]) {
  return async (ctx: RunContext) => {
    for (const f of fixtures) await makeBucket(ctx, f);
  };
}

const tlsRule = (name: string, resource: string | string[] = [arn(name), `${arn(name)}/*`]) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: resource,
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

/** A policy written by hand: odd spacing, a lone-object Statement in one of them, conditions, NotAction, a Sid-less statement. */
function handWritten(name: string) {
  return {
    Version: '2012-10-17',
    Id: 'Hand-written',
    Statement: [
      {
        Sid: 'PartnerRead',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::111122223333:role/partner-reader'] },
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: `${arn(name)}/exports/*`,
        Condition: { StringEquals: { 's3:ExistingObjectTag/share': 'yes' }, NumericLessThan: { 's3:TlsVersion': 1.2 } },
      },
      { Effect: 'Deny', Principal: '*', NotAction: ['s3:GetObject'], Resource: `${arn(name)}/archive/*`, Condition: { StringNotEquals: { 'aws:PrincipalAccount': '123456789012' } } },
      { Sid: 'Logs', Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: `${arn(name)}/logs/*` },
    ],
  };
}

runStepCases(step, [
  {
    name: 'no buckets: passes with one finding',
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', resource: 'arn:aws:s3:::*', region: 'global' }],
  },
  {
    name: 'day-one seed: a policy without the rule gets it merged in',
    seed: (ctx) => step.seed!(ctx),
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'fail',
        resource: arn(APP_DATA_BUCKET),
        region: 'us-east-1',
        message: 'Bucket day-one-app-data (us-east-1) accepts requests over plain HTTP: its policy has no statement that refuses requests without TLS.',
      },
    ],
    expectOperations: [PUT],
    expectFindingsAfter: [{ status: 'pass', message: 'Bucket day-one-app-data (us-east-1) refuses requests without TLS.' }],
  },
  {
    name: 'a bucket without a policy gets one',
    seed: buckets({ name: 'ss-tls-none' }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: 'Bucket ss-tls-none (us-east-1) has no bucket policy, so it accepts requests over plain HTTP.' }],
    expectOperations: [PUT],
  },
  {
    name: 'a bucket with the rule passes and plans nothing',
    seed: buckets({ name: 'ss-tls-ok', policy: { Version: '2012-10-17', Statement: [tlsRule('ss-tls-ok')] } }),
    expectStatus: 'pass',
    expectFindings: [{ status: 'pass', resource: arn('ss-tls-ok') }],
  },
  {
    name: 'a rule for the objects only is not enough; a full one is added beside it',
    seed: buckets({ name: 'ss-tls-part', policy: { Version: '2012-10-17', Statement: [tlsRule('ss-tls-part', `${arn('ss-tls-part')}/*`)] } }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', message: expect.stringContaining('its policy refuses plain HTTP for its objects but not for the bucket itself') }],
    expectOperations: [PUT],
  },
  {
    name: 'a bucket policy that cannot be parsed is reported and left alone; the others are fixed',
    seed: buckets({ name: 'ss-tls-garbled', policy: '{"Version": "2012-10-17", "Statement": [ {"Effect": "Allow",' }, { name: 'ss-tls-plain' }),
    expectStatus: 'fail',
    expectFindings: [
      {
        status: 'error',
        resource: arn('ss-tls-garbled'),
        message: expect.stringMatching(/^Bucket ss-tls-garbled \(us-east-1\) could not be checked: its policy cannot be parsed \(it is not valid JSON .*\)\. The fix leaves it alone; repair the policy by hand\.$/),
      },
      { status: 'fail', resource: arn('ss-tls-plain') },
    ],
    expectOperations: [PUT],
    expectAfter: 'error',
    expectFindingsAfter: [{ status: 'error', resource: arn('ss-tls-garbled') }, { status: 'pass', resource: arn('ss-tls-plain') }],
  },
  {
    name: 'a website bucket is left alone under "all"; the others are fixed',
    seed: buckets({ name: 'ss-tls-site', website: true }, { name: 'ss-tls-data' }),
    expectStatus: 'fail',
    expectFindings: [
      { status: 'fail', resource: arn('ss-tls-data'), message: 'Bucket ss-tls-data (us-east-1) has no bucket policy, so it accepts requests over plain HTTP.' },
      { status: 'fail', resource: arn('ss-tls-site'), message: expect.stringContaining('It is set up as a static website: the website endpoint speaks only HTTP, so this rule would take the site down.') },
    ],
    expectOperations: [PUT],
    expectAfter: 'fail',
    expectFindingsAfter: [{ status: 'pass' }, { status: 'fail', resource: arn('ss-tls-site') }],
  },
  {
    name: 'the day-one website, named in the answers, gets the rule',
    seed: (ctx) => accountStep.seed!(ctx),
    inputs: { buckets: [WEBSITE_BUCKET] },
    expectStatus: 'fail',
    expectOperations: [PUT],
  },
  {
    name: 'a bucket in another region is read and fixed through that region',
    seed: buckets({ name: 'ss-tls-eu', region: 'eu-west-1', policy: handWritten('ss-tls-eu') }),
    expectStatus: 'fail',
    expectFindings: [{ status: 'fail', resource: arn('ss-tls-eu'), region: 'eu-west-1' }],
    expectOperations: [PUT],
  },
]);

async function policyText(ctx: RunContext, bucket: string, region = 'us-east-1'): Promise<string | null> {
  try {
    return (await ctx.client(S3Client, region).send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null;
  } catch {
    return null;
  }
}

async function applyAll(ctx: RunContext, plan: Awaited<ReturnType<typeof planStep>>) {
  const journal: JournalEntry[] = [];
  const result = await applyPlan(step.meta.id, plan, ctx, (e) => {
    journal.push(e);
  });
  return { result, journal };
}

describe('data.s3-tls-only: what is there is kept', () => {
  it('every other statement of a bucket policy is unchanged', async () => {
    const original = JSON.stringify(handWritten('ss-keep'), null, 3);
    await withChecked(step, { seed: buckets({ name: 'ss-keep', policy: original }) }, async (ctx, checked) => {
      const { result } = await applyAll(ctx, await planStep(checked, ctx, undefined));
      expect(result.ok).toBe(true);
      const after = JSON.parse((await policyText(ctx, 'ss-keep'))!);
      const before = JSON.parse(original);
      expect(after.Statement.slice(0, before.Statement.length)).toStrictEqual(before.Statement);
      expect(after.Statement.slice(before.Statement.length)).toStrictEqual([insecureTransportDeny(arn('ss-keep'))]);
      expect(after.Version).toBe(before.Version);
      expect(after.Id).toBe(before.Id);
    });
  });

  it('a bucket policy that cannot be parsed is not overwritten', async () => {
    const garbled = '{"Version": "2012-10-17", "Statement": [ {"Effect": "Allow", "Principal": "*"';
    await withChecked(step, { seed: buckets({ name: 'ss-garbled', policy: garbled }) }, async (ctx, checked) => {
      expect(checked.result.status).toBe('error');
      const plan = await planStep(checked, ctx, { buckets: ['ss-garbled'] });
      expect(plan.actions).toEqual([]);
      await applyAll(ctx, plan);
      expect(await policyText(ctx, 'ss-garbled')).toBe(garbled);
    });
  });

  it('the plan shows the policy before (in the undo) and after (in the call), and the undo restores the text exactly', async () => {
    const original = JSON.stringify(handWritten('ss-undo'), null, 1) + '\n';
    await withChecked(step, { seed: buckets({ name: 'ss-undo', region: 'eu-west-1', policy: original }) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      const [action] = plan.actions;
      expect(action).toMatchObject({
        service: 's3',
        operation: 'PutBucketPolicy',
        region: 'eu-west-1',
        summary: 'Add a Deny for requests without TLS to the policy of bucket ss-undo (eu-west-1), keeping its 3 existing statements as they are',
        inverse: { service: 's3', operation: 'PutBucketPolicy', region: 'eu-west-1', params: { Bucket: 'ss-undo', Policy: original } },
      });
      expect(action!.destructive).toBeUndefined();
      const after = action!.params.Policy as string;
      await applyAll(ctx, plan);
      expect(await policyText(ctx, 'ss-undo', 'eu-west-1')).toBe(after);
      ctx.factory.readOnly = false;
      await ctx.client(S3Client, 'eu-west-1').send(new PutBucketPolicyCommand(action!.inverse!.params as { Bucket: string; Policy: string }));
      expect(await policyText(ctx, 'ss-undo', 'eu-west-1')).toBe(original);
    });
  });

  it('the undo of a first policy deletes it', async () => {
    await withChecked(step, { seed: buckets({ name: 'ss-first' }) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions[0]!.inverse).toMatchObject({ operation: 'DeleteBucketPolicy', params: { Bucket: 'ss-first' } });
      await applyAll(ctx, plan);
      ctx.factory.readOnly = false;
      await ctx.client(S3Client).send(new DeleteBucketPolicyCommand({ Bucket: 'ss-first' }));
      ctx.invalidate();
      expect((await checkStep({ meta: step.meta, load: async () => step }, ctx)).result.findings).toEqual(checked.result.findings);
    });
  });

  it('a policy edited after the plan was made is not overwritten', async () => {
    await withChecked(step, { seed: buckets({ name: 'ss-race', policy: handWritten('ss-race') }) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      const edited = JSON.stringify({ Version: '2012-10-17', Statement: [handWritten('ss-race').Statement[2]] });
      ctx.factory.readOnly = false;
      await ctx.client(S3Client).send(new PutBucketPolicyCommand({ Bucket: 'ss-race', Policy: edited }));
      const { result, journal } = await applyAll(ctx, plan);
      expect(result.ok).toBe(false);
      expect(journal[0]).toMatchObject({ result: 'failed', error: expect.stringContaining('changed after the plan was made; nothing was written') });
      expect(await policyText(ctx, 'ss-race')).toBe(edited);
    });
  });

  it('a public policy is kept too, with a warning that Block Public Access may refuse the new one', async () => {
    await withChecked(step, { seed: (c) => bucketStep.seed!(c) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions).toHaveLength(1);
      expect(plan.warnings).toEqual([
        expect.stringMatching(/^Bucket day-one-shared-files \(us-east-1\)'s policy still grants public access \(statement 1 \("ShareDownloads"\) allows anyone s3:GetObject\)\. .*BlockPublicPolicy/),
      ]);
    });
  });
});

describe('data.s3-tls-only: a plan leaves out what S3 would refuse', () => {
  const publicRead = (name: string) => ({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Anyone', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${arn(name)}/*` }],
  });
  const blockAll = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

  it('a public policy on a bucket whose Block Public Access blocks public policies is not rewritten, and the plan says why', async () => {
    await withChecked(step, { seed: buckets({ name: 'ss-blocked', policy: publicRead('ss-blocked'), block: blockAll }, { name: 'ss-open', policy: publicRead('ss-open') }, { name: 'ss-private' }) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      expect(plan.actions.map((a) => a.params.Bucket)).toEqual(['ss-open', 'ss-private']);
      expect(plan.warnings).toEqual([
        expect.stringMatching(/^Bucket ss-blocked \(us-east-1\) is left as it is: its policy still grants public access .*is on for the bucket, so S3 would refuse/),
        expect.stringMatching(/^Bucket ss-open \(us-east-1\)'s policy still grants public access .*Once Block Public Access/),
      ]);
    });
  });

  it('is built from the state after the earlier steps: once the account block is on, the public-policy bucket is left out', async () => {
    await withChecked(step, { seed: buckets({ name: 'ss-later', policy: publicRead('ss-later') }) }, async (ctx) => {
      const before = await planStep(await checkStep({ meta: step.meta, load: async () => step }, ctx), ctx, undefined);
      expect(before.actions).toHaveLength(1);
      // An earlier step of the same run turns the account's block on (its apply forgets the shared reads).
      const checkedAccount = await checkStep({ meta: accountStep.meta, load: async () => accountStep }, ctx);
      const accountPlan = await planStep(checkedAccount, ctx, { publicBucketsToClose: ['ss-later'] });
      expect((await applyPlan(accountStep.meta.id, accountPlan, ctx, () => undefined)).ok).toBe(true);
      const after = await planStep(await checkStep({ meta: step.meta, load: async () => step }, ctx), ctx, undefined);
      expect(after.actions).toEqual([]);
      expect(after.warnings!.join(' ')).toMatch(/ss-later .*is left as it is: .*is on for the account/);
    });
  });
});

describe('data.s3-tls-only: websites are asked about', () => {
  it('the wizard asks per website bucket (default No) and once for the others (default Yes)', async () => {
    await withChecked(step, { seed: buckets({ name: 'ss-ask-site', website: true }, { name: 'ss-ask-a' }, { name: 'ss-ask-b' }) }, async (ctx, checked) => {
      const findings = checked.result.findings;
      const asker = new ScriptedAsker([{ confirm: null }, { confirm: null }]);
      const answer = await step.inputs!.ask(asker, step.inputs!.defaults(findings), findings);
      expect(asker.asked.map((q) => [q.message, q.default])).toEqual([
        [expect.stringMatching(/^Bucket ss-ask-site \(us-east-1\) serves a static website, and its website endpoint speaks only HTTP: the TLS-only rule takes the site down\. Add it anyway\?$/), false],
        ['Add the TLS-only rule to the other buckets: ss-ask-a (us-east-1), ss-ask-b (us-east-1)?', true],
      ]);
      expect(answer).toEqual({ buckets: 'all' });
      const yes = await step.inputs!.ask(new ScriptedAsker([{ confirm: true }, { confirm: null }]), answer, findings);
      expect(yes).toEqual({ buckets: ['ss-ask-site', 'ss-ask-a', 'ss-ask-b'] });
      const plan = await planStep(checked, ctx, yes);
      expect(plan.actions.filter((a) => a.destructive).map((a) => a.params.Bucket)).toEqual(['ss-ask-site']);
      expect(plan.warnings).toEqual([expect.stringContaining('Bucket ss-ask-site (us-east-1) serves a static website over HTTP')]);
    });
  });

  it('without a website, the wizard asks nothing', async () => {
    await withChecked(step, { seed: buckets({ name: 'ss-quiet' }) }, async (ctx, checked) => {
      const asker = new ScriptedAsker([]);
      expect(await step.inputs!.ask(asker, { buckets: 'all' }, checked.result.findings)).toEqual({ buckets: 'all' });
      expect(asker.asked).toEqual([]);
    });
  });
});

describe('data.s3-tls-only: permissions, reads and guards', () => {
  it('declares every call, reads each policy once, and asks about websites only for the buckets it would change', async () => {
    const { plan, sent, recorded } = await recordCheckAndPlan(step, {
      seed: buckets({ name: 'ss-read-a' }, { name: 'ss-read-b', policy: { Version: '2012-10-17', Statement: [tlsRule('ss-read-b')] } }),
    });
    expect(plan.actions).toHaveLength(1);
    const count = (op: string) => sent.filter((s) => s === op).length;
    expect([count('S3:ListBuckets'), count('S3:GetBucketLocation'), count('S3:GetBucketPolicy'), count('S3:GetBucketWebsite')]).toEqual([1, 2, 2, 1]);
    for (const s of new Set(sent)) {
      const [service, operation] = s.split(':') as [string, string];
      expect(step.meta.permissions.check).toContain(iamActionFor(service, operation));
    }
    for (const a of plan.actions) expect(step.meta.permissions.fix).toContain(iamActionFor(a.service, a.operation));
    expect(recorded.filter((r) => !isReadRequest(r))).toEqual([]);
  });

  it('the read-only guard refuses the planned change while a check or plan runs', async () => {
    await withChecked(step, { seed: buckets({ name: 'ss-guard' }) }, async (ctx, checked) => {
      const plan = await planStep(checked, ctx, undefined);
      await expect(plan.actions[0]!.run(ctx)).rejects.toBeInstanceOf(MutationBlockedError);
    });
  });

});

describe('the three S3 access steps on the day-one account, in guide order, as fix --yes runs them', () => {
  it('each fails; the answers file names the public buckets and the website; the TLS rule goes only where S3 would take it; every statement is kept', async () => {
    await resetMoto();
    const ctx = makeSandboxContext();
    const steps = [accountStep, bucketStep, step];
    try {
      ctx.factory.readOnly = false;
      for (const s of steps) await s.seed!(ctx);
      ctx.factory.readOnly = true;
      ctx.invalidate();
      const before = new Map<string, string | null>();
      for (const b of [APP_DATA_BUCKET, SHARED_BUCKET, WEBSITE_BUCKET]) before.set(b, await policyText(ctx, b));

      const answers: Record<string, unknown> = {
        'data.s3-account-public-access': { publicBucketsToClose: [SHARED_BUCKET, WEBSITE_BUCKET] },
        // With the account-wide block on, no bucket is public any more: "all" covers them.
        'data.s3-bucket-public-access': { buckets: 'all' },
        'data.s3-tls-only': { buckets: [APP_DATA_BUCKET, SHARED_BUCKET, WEBSITE_BUCKET] },
      };
      for (const s of steps) {
        const entry = { meta: s.meta, load: async () => s };
        const checked = await checkStep(entry, ctx);
        expect(checked.result.status, s.meta.id).toBe('fail');
        const inputs = resolveInputs(s, checked.result.findings, answers[s.meta.id]);
        if (!inputs.ok) throw new Error(inputs.message);
        const plan = await planStep(checked, ctx, inputs.inputs);
        const applied = await applyPlan(s.meta.id, plan, ctx, () => undefined);
        expect(applied.error ?? 'ok', s.meta.id).toBe('ok');
      }
      for (const s of [accountStep, bucketStep]) expect((await checkStep({ meta: s.meta, load: async () => s }, ctx)).result.status, s.meta.id).toBe('pass');
      // The public buckets' policies still hold their public grants, and with Block Public Access on, S3 refuses any
      // policy that keeps one: the TLS plan leaves them out (and says so) rather than send a call that would fail.
      const tls = await checkStep({ meta: step.meta, load: async () => step }, ctx);
      const failing = tls.result.findings.filter((f) => f.status === 'fail').map((f) => f.resource).sort();
      // (The website is public through its ACL, not its policy: its policy takes the rule.)
      expect(failing).toEqual([arn(SHARED_BUCKET)]);
      const rest = await planStep(tls, ctx, answers['data.s3-tls-only']);
      expect(rest.actions).toEqual([]);
      expect(rest.warnings!.filter((w) => /is left as it is: its policy still grants public access/.test(w))).toEqual([expect.stringContaining(SHARED_BUCKET)]);
      for (const [b, text] of before) {
        const after = JSON.parse((await policyText(ctx, b))!);
        const kept = text === null ? [] : JSON.parse(text).Statement;
        expect(after.Statement.slice(0, kept.length), b).toStrictEqual(kept);
        expect(after.Statement).toHaveLength(b === SHARED_BUCKET ? kept.length : kept.length + 1);
      }
    } finally {
      ctx.factory.destroy();
    }
  });
});

describe('data.s3-tls-only: undo', () => {
  const entry = { meta: step.meta, load: async () => step };

  it('puts back a hand-written policy byte for byte, and deletes a policy the fix made first', async () => {
    const original = JSON.stringify(handWritten('ss-undo-hand'), null, 1) + '\n';
    await inSandbox({ seed: buckets({ name: 'ss-undo-hand', policy: original }, { name: 'ss-undo-bare' }) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { buckets: 'all' });
      expect(run.items.map((i) => i.kind)).toEqual(['undo', 'undo']);
      expect(await policyText(ctx, 'ss-undo-hand', 'us-east-1')).toBe(original);
      expect(await policyText(ctx, 'ss-undo-bare', 'us-east-1')).toBeNull();
      expect(run.afterUndo).toEqual(run.before);
    });
  });

  it('refuses when someone edited the policy after the fix, and keeps their edit', async () => {
    const edited = JSON.stringify({ Version: '2012-10-17', Statement: [tlsRule('ss-undo-edit'), { Sid: 'Mine', Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: arn('ss-undo-edit') }] });
    await inSandbox({ seed: buckets({ name: 'ss-undo-edit' }) }, async (ctx) => {
      const run = await fixThenUndo(entry, ctx, { buckets: 'all' }, {
        between: (c) => c.client(S3Client).send(new PutBucketPolicyCommand({ Bucket: 'ss-undo-edit', Policy: edited })).then(() => undefined),
      });
      expect(run.items).toEqual([expect.objectContaining({ kind: 'drifted', reason: expect.stringContaining('The policy of bucket ss-undo-edit changed after the fix') })]);
      expect(await policyText(ctx, 'ss-undo-edit', 'us-east-1')).toBe(edited);
    });
  });
});
