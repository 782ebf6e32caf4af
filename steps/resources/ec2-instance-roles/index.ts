/**
 * resources.ec2-instance-roles: every running instance has an instance profile (an IAM role), so
 * software on it gets short-lived credentials from the metadata service instead of access keys
 * stored on disk (CIS 2.16).
 *
 * Per region the shared instance read; once, the account's instance profiles (for the wizard's
 * choice). The fix attaches the profile the person picks (AssociateIamInstanceProfile), or first
 * creates the minimal one, `secure-start-ec2-ssm`: a role EC2 may assume with only the AWS managed
 * policy AmazonSSMManagedInstanceCore (what Session Manager and patching need), in a profile of
 * the same name. Which role an instance gets is a person's decision: `fix --yes` needs it named in
 * the answers file.
 */
import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DisassociateIamInstanceProfileCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Instance } from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  paginateListInstanceProfiles,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import type { Finding, Plan, PlanAction, Step, StepContext, StepInputs, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import {
  describeError,
  drifted,
  errorCode,
  errorKind,
  formatZodError,
  irreversible,
  mapLimit,
  nothingToUndo,
  plural,
  recordedInverse,
  regionFailure,
  sameJson,
  sandboxOnly,
  undoWith,
} from '../../../src/engine/step-kit.js';
import {
  REGION_CONCURRENCY,
  instanceArn,
  instanceLabel,
  instancesArn,
  instanceSelectionSchema,
  isRunning,
  launchDayOne,
  listed,
  liveInstances,
  selectsInstance,
} from '../_shared/instances.js';
import type { InstanceSelection } from '../_shared/instances.js';
import meta from './meta.js';

/** The role and instance profile the fix creates when the person wants a new one. */
export const SSM_PROFILE = 'secure-start-ec2-ssm';
export const SSM_POLICY = 'AmazonSSMManagedInstanceCore';
/** The day-one instance without a role. */
export const DAY_ONE_INSTANCE = 'day-one-no-role';

export const EC2_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

const profileName = z
  .string()
  .trim()
  .min(1, 'name the instance profile to attach (secure-start-ec2-ssm: the tool creates a minimal one)')
  .max(128, 'an instance profile name has at most 128 characters')
  // `*`: a blank name is reported once, by `min`, not a second time as a bad character.
  .regex(/^[\w+=,.@-]*$/, 'an instance profile name holds letters, digits and + = , . @ _ -');

export const inputSchema = z.strictObject({
  /** The instance profile to attach: an existing one, or `secure-start-ec2-ssm` (created when missing). */
  instanceProfile: profileName,
  /** `"all"`: every running instance without a profile; or exactly the instance ids listed. */
  instances: instanceSelectionSchema.default('all'),
});
export type InstanceRolesInputs = z.infer<typeof inputSchema>;

const instanceData = z.object({ region: z.string(), instanceId: z.string(), label: z.string(), profiles: z.array(z.string()).optional() });
type InstanceData = z.infer<typeof instanceData>;

const profileNameOf = (arn: string | undefined) => arn?.split('/').pop() ?? arn ?? '?';

export function instanceFinding(ctx: Pick<StepContext, 'target'>, region: string, i: Instance, profiles?: string[]): Finding {
  const id = i.InstanceId!;
  const label = instanceLabel(i);
  const base = { resource: instanceArn(ctx, region, id), region };
  const arn = i.IamInstanceProfile?.Arn;
  if (arn) return { ...base, status: 'pass', message: `Instance ${label} in ${region} runs with instance profile ${profileNameOf(arn)}.` };
  const data: InstanceData = { region, instanceId: id, label, ...(profiles ? { profiles } : {}) };
  return {
    ...base,
    status: 'fail',
    message: `Instance ${label} in ${region} runs without an instance profile: software on it that calls AWS needs keys stored on the instance.`,
    data,
  };
}

async function regionInstances(ctx: StepContext, region: string): Promise<Instance[] | Finding> {
  try {
    return (await liveInstances(ctx, region)).filter(isRunning);
  } catch (err) {
    return regionFailure(err, { region, resource: instancesArn(ctx, region), service: 'Amazon EC2', permissions: ['ec2:DescribeInstances'] });
  }
}

/** The names of the account's instance profiles, for the wizard's choice; undefined when they cannot be listed. */
async function profileNames(ctx: StepContext): Promise<string[] | undefined> {
  try {
    const names: string[] = [];
    for await (const page of paginateListInstanceProfiles({ client: ctx.client(IAMClient) }, {}))
      for (const p of page.InstanceProfiles ?? []) if (p.InstanceProfileName) names.push(p.InstanceProfileName);
    return names.sort();
  } catch (err) {
    if (errorKind(err) === 'blocked') throw err;
    return undefined;
  }
}

function found(findings: Finding[]): InstanceData[] {
  return findings.filter((f) => f.status === 'fail' && f.data).map((f) => instanceData.parse(f.data));
}

/** A blank profile (the template's, or a preview before anyone chose) plans the wizard's default choice. */
function parseInputs(given: unknown): InstanceRolesInputs {
  const g = (given ?? {}) as Partial<InstanceRolesInputs>;
  const parsed = inputSchema.safeParse(g.instanceProfile?.trim() ? g : { ...g, instanceProfile: SSM_PROFILE });
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** The profile as IAM has it: its role, or undefined when there is no such profile. */
async function readProfile(ctx: StepContext, name: string): Promise<{ roles: string[] } | undefined> {
  try {
    const out = await ctx.client(IAMClient).send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
    return { roles: (out.InstanceProfile?.Roles ?? []).map((r) => r.RoleName!).filter(Boolean) };
  } catch (err) {
    if (errorCode(err) === 'NoSuchEntity') return undefined;
    throw err;
  }
}

function createActions(ctx: StepContext): PlanAction[] {
  const iam = (c: StepContext) => c.client(IAMClient);
  const policyArn = `arn:${ctx.target.partition}:iam::aws:policy/${SSM_POLICY}`;
  const role = {
    RoleName: SSM_PROFILE,
    AssumeRolePolicyDocument: JSON.stringify(EC2_TRUST_POLICY),
    Description: 'Made by secure-start: lets EC2 instances use Systems Manager (Session Manager, patching) and nothing else',
  };
  const attach = { RoleName: SSM_PROFILE, PolicyArn: policyArn };
  const profile = { InstanceProfileName: SSM_PROFILE };
  const add = { InstanceProfileName: SSM_PROFILE, RoleName: SSM_PROFILE };
  return [
    {
      service: 'iam',
      operation: 'CreateRole',
      region: 'global',
      params: role,
      summary: `Create the role ${SSM_PROFILE}, which only EC2 instances can assume`,
      inverse: { service: 'iam', operation: 'DeleteRole', region: 'global', params: { RoleName: SSM_PROFILE }, summary: `Delete the role ${SSM_PROFILE}` },
      run: async (c) => void (await iam(c).send(new CreateRoleCommand(role))),
    },
    {
      service: 'iam',
      operation: 'AttachRolePolicy',
      region: 'global',
      params: attach,
      summary: `Give the role ${SSM_PROFILE} the AWS managed policy ${SSM_POLICY} (Systems Manager only)`,
      inverse: { service: 'iam', operation: 'DetachRolePolicy', region: 'global', params: attach, summary: `Detach ${SSM_POLICY} from ${SSM_PROFILE}` },
      run: async (c) => void (await iam(c).send(new AttachRolePolicyCommand(attach))),
    },
    {
      service: 'iam',
      operation: 'CreateInstanceProfile',
      region: 'global',
      params: profile,
      summary: `Create the instance profile ${SSM_PROFILE}`,
      inverse: { service: 'iam', operation: 'DeleteInstanceProfile', region: 'global', params: profile, summary: `Delete the instance profile ${SSM_PROFILE}` },
      run: async (c) => void (await iam(c).send(new CreateInstanceProfileCommand(profile))),
    },
    {
      service: 'iam',
      operation: 'AddRoleToInstanceProfile',
      region: 'global',
      params: add,
      summary: `Put the role ${SSM_PROFILE} in the instance profile ${SSM_PROFILE}`,
      inverse: { service: 'iam', operation: 'RemoveRoleFromInstanceProfile', region: 'global', params: add, summary: `Take the role out of the instance profile ${SSM_PROFILE}` },
      run: async (c) => void (await iam(c).send(new AddRoleToInstanceProfileCommand(add))),
    },
  ];
}

/** A new instance profile takes a few seconds to reach EC2: AssociateIamInstanceProfile is retried meanwhile. */
export const PROPAGATION = { attempts: 8, delayMs: 2_000 };

const notYetVisible = (err: unknown) => errorCode(err) === 'InvalidParameterValue' && /instance profile/i.test(String((err as Error).message));

function associateAction(d: InstanceData, profile: string): PlanAction {
  const params = { InstanceId: d.instanceId, IamInstanceProfile: { Name: profile } };
  const inverseParams: { AssociationId: string } = { AssociationId: '(the association this call creates)' };
  return {
    service: 'ec2',
    operation: 'AssociateIamInstanceProfile',
    region: d.region,
    params,
    summary: `Attach the instance profile ${profile} to instance ${d.label} in ${d.region}`,
    inverse: {
      service: 'ec2',
      operation: 'DisassociateIamInstanceProfile',
      region: d.region,
      params: inverseParams,
      summary: `Detach the instance profile ${profile} from instance ${d.label}`,
    },
    async run(ctx) {
      const ec2 = ctx.client(EC2Client, d.region);
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await ec2.send(new AssociateIamInstanceProfileCommand(params));
          const id = out.IamInstanceProfileAssociation?.AssociationId;
          if (id) inverseParams.AssociationId = id;
          return { output: { AssociationId: id } };
        } catch (err) {
          if (!notYetVisible(err) || attempt >= PROPAGATION.attempts) throw err;
          await new Promise((r) => setTimeout(r, PROPAGATION.delayMs));
        }
      }
    },
  };
}

/** Shown under the choice as it is, without wrapping: it must fit an 80-column terminal. */
export const SSM_CHOICE_DESCRIPTION = `A role with only ${SSM_POLICY} (Session Manager, patching).`;

/** The role as IAM has it now: trust policy, attached and inline policies; undefined when it is gone. */
async function readRole(ctx: StepContext, name: string): Promise<{ trust: unknown; attached: string[]; inline: string[] } | undefined> {
  const iam = ctx.client(IAMClient);
  try {
    const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
    const doc = role?.AssumeRolePolicyDocument ?? '';
    const text = doc.startsWith('%') ? decodeURIComponent(doc) : doc;
    const attached = ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ?? []).map((x) => x.PolicyArn!);
    const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? [];
    return { trust: text ? (JSON.parse(text) as unknown) : undefined, attached, inline };
  } catch (err) {
    if (errorCode(err) === 'NoSuchEntity') return undefined;
    throw err;
  }
}

/**
 * Undo, newest change first: the profile taken off each instance (by the association the fix
 * made), the role taken out of the profile, the profile deleted, the policy detached, the role
 * deleted. The role and profile are deleted only while they are as the tool left them: the
 * profile holding only its role, the role with its trust policy, no other policy, no inline one.
 */
async function undoChange(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const p = entry.params as Record<string, unknown>;
  switch (entry.operation) {
    case 'AssociateIamInstanceProfile': {
      const id = entry.output?.AssociationId;
      const instance = String(p.InstanceId);
      if (typeof id !== 'string') return irreversible(`The journal has no association id for instance ${instance}: detach its profile by hand (EC2 console, Modify IAM role).`);
      const out = await ctx.client(EC2Client, entry.region).send(new DescribeIamInstanceProfileAssociationsCommand({ AssociationIds: [id] }));
      const a = (out.IamInstanceProfileAssociations ?? []).find((x) => x.AssociationId === id && (x.State === 'associated' || x.State === 'associating'));
      if (!a) return nothingToUndo(`Instance ${instance} (${entry.region}) no longer has the instance profile the fix attached.`);
      const spec = { service: 'ec2', operation: 'DisassociateIamInstanceProfile', region: entry.region, params: { AssociationId: id } };
      return undoWith({
        ...spec,
        summary: entry.inverse?.summary ?? `Detach the instance profile from instance ${instance}`,
        async run(c) {
          await c.client(EC2Client, entry.region).send(new DisassociateIamInstanceProfileCommand({ AssociationId: id }));
        },
      });
    }
    case 'AddRoleToInstanceProfile': {
      const profile = await readProfile(ctx, String(p.InstanceProfileName));
      if (!profile?.roles.includes(String(p.RoleName))) return nothingToUndo(`The instance profile ${String(p.InstanceProfileName)} no longer holds the role ${String(p.RoleName)}.`);
      return undoWith(recordedInverse(entry));
    }
    case 'CreateInstanceProfile': {
      const profile = await readProfile(ctx, String(p.InstanceProfileName));
      if (!profile) return nothingToUndo(`The instance profile ${String(p.InstanceProfileName)} no longer exists.`);
      const others = profile.roles.filter((r) => r !== SSM_PROFILE);
      if (others.length) return drifted(`The instance profile ${String(p.InstanceProfileName)}`, { now: `roles ${profile.roles.join(', ')}`, wrote: `role ${SSM_PROFILE}` });
      return undoWith(recordedInverse(entry));
    }
    case 'AttachRolePolicy': {
      const role = await readRole(ctx, String(p.RoleName));
      if (!role?.attached.includes(String(p.PolicyArn))) return nothingToUndo(`${SSM_POLICY} is not attached to ${String(p.RoleName)} any more.`);
      return undoWith(recordedInverse(entry));
    }
    case 'CreateRole': {
      const role = await readRole(ctx, String(p.RoleName));
      if (!role) return nothingToUndo(`The role ${String(p.RoleName)} no longer exists.`);
      const extra = [...role.attached.filter((a) => !a.endsWith(`:policy/${SSM_POLICY}`)), ...role.inline];
      if (extra.length) return drifted(`The role ${String(p.RoleName)}`, { now: `policies ${[...role.attached, ...role.inline].join(', ')}`, wrote: SSM_POLICY });
      if (!sameJson(role.trust, JSON.parse(String(p.AssumeRolePolicyDocument))))
        return drifted(`The trust policy of role ${String(p.RoleName)}`, { now: role.trust, wrote: JSON.parse(String(p.AssumeRolePolicyDocument)) });
      return undoWith(recordedInverse(entry));
    }
    default:
      return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
  }
}

const inputs: StepInputs<InstanceRolesInputs> = {
  schema: inputSchema,
  requiredInAnswers: true,
  defaults: () => ({ instanceProfile: '', instances: 'all' }),

  async ask(asker, initial, findings) {
    const failing = found(findings);
    const existing = (failing.find((d) => d.profiles)?.profiles ?? []).filter((n) => n !== SSM_PROFILE);
    const made = failing.some((d) => d.profiles?.includes(SSM_PROFILE));
    const instanceProfile = await asker.select({
      // Short names: the chosen one is echoed after the question, on one line even at 80 columns.
      message: 'Instance profile to attach:',
      choices: [
        {
          value: SSM_PROFILE,
          name: made ? `${SSM_PROFILE} (made by secure-start)` : `${SSM_PROFILE} (new)`,
          description: SSM_CHOICE_DESCRIPTION,
        },
        ...existing.map((n) => ({ value: n, name: `${n} (existing)` })),
      ],
      default: initial?.instanceProfile || SSM_PROFILE,
    });
    const start: InstanceSelection = initial?.instances ?? 'all';
    const picked = await asker.checkbox({
      message: `Attach ${instanceProfile} to which instances?`,
      choices: failing.map((d) => ({ value: d.instanceId, name: `${d.label} (${d.region})`, checked: start === 'all' || start.includes(d.instanceId) })),
    });
    return { instanceProfile, instances: picked.length === failing.length && picked.length > 0 ? 'all' : picked };
  },
};

const step: Step<InstanceRolesInputs> = {
  meta,
  inputs,
  undo: undoChange,

  async check(ctx) {
    const regions = await ctx.regions();
    const perRegion = await mapLimit(regions, REGION_CONCURRENCY, (region) => regionInstances(ctx, region));
    const missing = perRegion.some((r) => Array.isArray(r) && r.some((i) => !i.IamInstanceProfile?.Arn));
    const profiles = missing ? await profileNames(ctx) : undefined;
    return perRegion.flatMap((r, n): Finding[] => {
      if (!Array.isArray(r)) return [r];
      const region = regions[n]!;
      if (!r.length) return [{ status: 'pass', resource: instancesArn(ctx, region), region, message: `No running instances in ${region}.` }];
      return r.map((i) => instanceFinding(ctx, region, i, profiles));
    });
  },

  async plan(ctx, findings, given): Promise<Plan> {
    const failing = found(findings);
    if (!failing.length) return { actions: [] };
    const choice = parseInputs(given);
    const chosen = failing.filter((d) => selectsInstance(choice.instances, d.instanceId, false));
    if (!chosen.length) return { actions: [], warnings: [`No instance was chosen: ${plural(failing.length, 'instance')} keep running without a role.`] };
    const name = choice.instanceProfile;
    let profile: { roles: string[] } | undefined;
    try {
      profile = await readProfile(ctx, name);
    } catch (err) {
      throw new Error(`Could not read the instance profile ${name}: ${describeError(err, { permissions: ['iam:GetInstanceProfile'] })}`, { cause: err });
    }
    const actions: PlanAction[] = [];
    const warnings: string[] = [];
    if (!profile) {
      if (name !== SSM_PROFILE) throw new Error(`There is no instance profile named ${name}: pick one that exists, or ${SSM_PROFILE} to have it created.`);
      actions.push(...createActions(ctx));
    } else if (!profile.roles.length) {
      throw new Error(`The instance profile ${name} holds no role: an instance would get no credentials from it. Add a role to it first, or pick another.`);
    } else if (!profile.roles.every((r) => r.startsWith('secure-start-'))) {
      warnings.push(
        `${name} holds the role ${profile.roles.join(', ')}: whatever it allows, software on ${chosen.length === 1 ? 'this instance' : 'these instances'} may do. ` +
          `Attaching it needs iam:PassRole on that role, which the policy printed by \`secure-start policy --for fix\` grants only for secure-start-* roles.`,
      );
    }
    actions.push(...chosen.map((d) => associateAction(d, name)));
    const rest = failing.length - chosen.length;
    if (rest) warnings.push(`${plural(rest, 'other instance')} without a role ${rest === 1 ? 'is' : 'are'} left as ${rest === 1 ? 'it is' : 'they are'}: ${listed(failing.filter((d) => !chosen.includes(d)).map((d) => d.label))}.`);
    warnings.push(
      'An instance with a role still uses keys stored on it first, if it has any (environment variables, ~/.aws/credentials): remove those keys ' +
        'once the software works with the role, and deactivate them in IAM.',
    );
    return { actions, warnings };
  },

  /** day-one scenario: a running instance in the home region without an instance profile (IMDSv2 required, no port open). */
  async seed(ctx) {
    sandboxOnly(ctx);
    const { instance, created } = await launchDayOne(ctx, DAY_ONE_INSTANCE, { httpTokens: 'required' });
    if (created || !instance.IamInstanceProfile) return;
    // Seeded again after a fix: take the profile off again.
    const ec2 = ctx.client(EC2Client, ctx.target.homeRegion);
    const found = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instance.InstanceId!] }] }));
    for (const a of found.IamInstanceProfileAssociations ?? [])
      if (a.AssociationId && a.State !== 'disassociated') await ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: a.AssociationId }));
  },
};

export default step;
