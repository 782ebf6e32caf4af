/**
 * The year-one scenario: a lived-in account where "yes to everything" would break things in use.
 * For each judgement case, the default plan (what the wizard proposes, and what `fix --yes` does
 * with a step that needs no answers) leaves the thing in use alone, while the check still reports
 * it honestly and the plan still fixes the rest.
 */
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context.js';
import { checkStep, planStep, type CheckedStep } from '../../src/engine/runner.js';
import { seedScenario } from '../../src/engine/scenario.js';
import type { Plan } from '../../src/engine/types.js';
import { YEAR_ONE_CI_USER } from '../../steps/account/unused-credentials/year-one.js';
import { YEAR_ONE_PRIVATE, YEAR_ONE_WEBSITE } from '../../steps/data/s3-bucket-public-access/year-one.js';
import { YEAR_ONE_OFFICE_CIDR, YEAR_ONE_OFFICE_GROUP } from '../../steps/infrastructure/admin-ports/year-one.js';
import { YEAR_ONE_LEGACY_INSTANCE } from '../../steps/resources/ec2-imdsv2/year-one.js';
import { registry } from '../../steps/index.js';
import { resetMoto, useManagedPolicies } from '../helpers/moto.js';
import { makeSandboxContext } from '../helpers/step-tester.js';

useManagedPolicies();

let ctx: RunContext;

beforeAll(async () => {
  await resetMoto();
  ctx = makeSandboxContext();
  // The steps with a year-one part, and the account-wide block that judges the same buckets: the
  // other steps' day-one seeds add nothing to these cases and would double the test's time.
  const judged = registry.filter((e) => e.yearOne || e.meta.id === 'data.s3-account-public-access');
  const seeded = await seedScenario('year-one', ctx, judged);
  expect(seeded).toEqual(expect.arrayContaining(['data.s3-bucket-public-access', 'account.unused-credentials', 'resources.ec2-imdsv2', 'infrastructure.admin-ports']));
}, 300_000);

/** Check, then the plan from the step's defaults: what the wizard proposes and `fix --yes` applies without answers. */
async function defaultPlan(id: string): Promise<{ checked: CheckedStep; plan: Plan; text: string }> {
  const entry = registry.find((e) => e.meta.id === id)!;
  const checked = await checkStep(entry, ctx);
  const inputs = checked.step.inputs?.defaults(checked.result.findings);
  const plan = await planStep(checked, ctx, inputs);
  return { checked, plan, text: JSON.stringify(plan.actions.map((a) => ({ summary: a.summary, params: a.params }))) };
}

describe('year-one: the default plan keeps what is in use working', () => {
  it('the public website bucket stays public: blocks go on the other buckets only, the account-wide block waits', async () => {
    const bucket = await defaultPlan('data.s3-bucket-public-access');
    expect(bucket.checked.result.findings).toContainEqual(expect.objectContaining({ status: 'fail', message: expect.stringContaining(YEAR_ONE_WEBSITE) }));
    expect(bucket.text, 'the private bucket still gets its block').toContain(YEAR_ONE_PRIVATE);
    expect(bucket.text).not.toContain(YEAR_ONE_WEBSITE);

    const account = await defaultPlan('data.s3-account-public-access');
    expect(account.plan.actions).toEqual([]);
    expect(account.plan.guidance).toContain(YEAR_ONE_WEBSITE);
  });

  it('the deploy key used every day is reported for its age, and not deactivated', async () => {
    const { checked, text } = await defaultPlan('account.unused-credentials');
    const finding = checked.result.findings.find((f) => f.message.includes(YEAR_ONE_CI_USER));
    expect(finding?.message, 'the key is named, with its last use').toMatch(/last used on/);
    expect(text).not.toContain(YEAR_ONE_CI_USER);
  });

  it('the instance that still calls IMDSv1 is reported and left as it is; the warning says how to name it', async () => {
    const ec2 = ctx.client(EC2Client);
    const all = (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: [YEAR_ONE_LEGACY_INSTANCE] }] }))).Reservations ?? [];
    const id = all.flatMap((r) => r.Instances ?? []).find((i) => i.State?.Name === 'running')!.InstanceId!;
    const { checked, plan, text } = await defaultPlan('resources.ec2-imdsv2');
    expect(checked.result.findings).toContainEqual(expect.objectContaining({ status: 'fail', resource: expect.stringContaining(id) }));
    expect(text).not.toContain(id);
    expect(plan.warnings?.join('\n')).toContain(id);
  });

  it('SSH from the office range passes and is untouched; the group open to the world is fixed', async () => {
    const ec2 = ctx.client(EC2Client);
    const office = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [YEAR_ONE_OFFICE_GROUP] }] }))).SecurityGroups![0]!;
    expect(office.IpPermissions?.[0]?.IpRanges?.[0]?.CidrIp).toBe(YEAR_ONE_OFFICE_CIDR);
    const { checked, plan, text } = await defaultPlan('infrastructure.admin-ports');
    expect(checked.result.findings.filter((f) => f.status === 'fail' && f.resource.includes(office.GroupId!))).toEqual([]);
    expect(plan.actions.length, 'the world-open group is still fixed').toBeGreaterThan(0);
    expect(text).not.toContain(office.GroupId!);
  });
});
