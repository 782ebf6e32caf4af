/**
 * account.admin-identity, inputs: the answers-file shape (via, groupName, userName), its validation,
 * and the wizard's questions (Identity Center or an IAM user; which group; which user).
 */
import type { Asker, StepInputs } from '../../../src/engine/step-kit.js';
import { formatZodError, validIamGroupName, validIamUserName, zodCheck } from '../../../src/engine/step-kit.js';
import { z } from 'zod';
import meta from './meta.js';
import type { Inventory } from './check.js';
import { DEFAULT_GROUP, byName, names, plural, inventoryOf, adminGroupsOf, defaultGroupName, identityCenterUsable } from './check.js';

/** Choice values that cannot be IAM names (those have no spaces). */
const NEW = ' new';
const OTHER = ' other';
/** Existing users offered by name in the wizard; beyond that, "another existing user" takes a typed name. */
const USERS_OFFERED = 15;

/** Inputs of the fix (answers file `account.admin-identity`). */
export interface AdminIdentityInputs {
  /**
   * `identity-center`: the person gives an administrator access through IAM Identity Center by hand
   * (offered first where the organization's instance can do it); `iam-user` (default): an IAM group and user.
   */
  via?: 'iam-user' | 'identity-center';
  /** Default: an existing group with AdministratorAccess, else `Administrators`. */
  groupName?: string;
  /** Required for `iam-user`. */
  userName?: string;
}

const fieldsSchema = z.strictObject({
  via: z.enum(['iam-user', 'identity-center']).optional(),
  groupName: zodCheck(validIamGroupName).optional(),
  userName: zodCheck(validIamUserName).optional(),
});

export const inputsSchema = fieldsSchema.superRefine((v, ctx) => {
    if (v.via !== 'identity-center' && v.userName === undefined)
      ctx.addIssue({ code: 'custom', path: ['userName'], message: 'the administrator’s IAM user name is required (or "via": "identity-center")' });
});

/** The inputs as given; a blank field (as in the answers template) counts as not given. */
export function wantedInputs(given: unknown): Partial<AdminIdentityInputs> {
  const entries = typeof given === 'object' && given !== null ? Object.entries(given).filter(([, v]) => !(typeof v === 'string' && !v.trim())) : [];
  const parsed = fieldsSchema.safeParse(Object.fromEntries(entries));
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

async function askGroup(asker: Asker, inv: Inventory, initial: string | undefined): Promise<string> {
  const admin = inv.groups.filter((g) => g.admin);
  if (admin.length) {
    const picked = await asker.select({
      message: 'Which IAM group should hold the administrators?',
      choices: [
        ...admin.map((g) => ({ value: g.name, name: `${g.name} (has AdministratorAccess, no members yet)` })),
        { value: NEW, name: 'Another group (new, or an existing one to make an administrators group)' },
      ],
      default: (initial && byName(admin, initial)?.name) || (initial ? NEW : admin[0]!.name),
    });
    if (picked !== NEW) return picked;
  }
  for (;;) {
    const name = (
      await asker.text({
        message: 'Name of the administrators group',
        default: initial?.trim() || DEFAULT_GROUP,
        validate: validIamGroupName,
        required: true,
      })
    ).trim();
    const existing = byName(inv.groups, name);
    if (existing && !existing.admin && existing.members.length) {
      const sure = await asker.confirm({
        message:
          `The group ${existing.name} already exists with ${plural(existing.members.length, 'member')} (${names(existing.members)}): ` +
          'attaching AdministratorAccess makes all of them administrators. Use it anyway?',
        default: false,
      });
      if (!sure) continue;
    }
    return existing?.name ?? name;
  }
}

async function askUser(asker: Asker, inv: Inventory, initial: string | undefined): Promise<string> {
  const sorted = [...inv.users].sort((a, b) => Number(b.directAdmin) - Number(a.directAdmin) || a.name.localeCompare(b.name));
  const offered = sorted.slice(0, USERS_OFFERED);
  let picked = NEW;
  if (offered.length) {
    const start = initial ? byName(inv.users, initial) : undefined;
    picked = await asker.select({
      message: 'Who should be the administrator?',
      choices: [
        { value: NEW, name: 'A new IAM user with a console password' },
        ...offered.map((u) => ({ value: u.name, name: u.directAdmin ? `${u.name} (has AdministratorAccess attached directly)` : u.name })),
        ...(sorted.length > offered.length ? [{ value: OTHER, name: `Another existing user (${sorted.length - offered.length} more; type the name)` }] : []),
      ],
      default: start ? (offered.includes(start) ? start.name : OTHER) : NEW,
    });
    if (picked !== NEW && picked !== OTHER) return picked;
  }
  const other = picked === OTHER;
  const name = (
    await asker.text({
      message: other ? 'Name of the existing IAM user' : 'Name of the new administrator (an IAM user name, such as jane.doe)',
      ...(initial?.trim() ? { default: initial.trim() } : {}),
      required: true,
      validate: (v) => {
        const valid = validIamUserName(v.trim());
        if (valid !== true) return valid;
        const existing = byName(inv.users, v.trim());
        if (other && !existing) return `There is no IAM user called ${v.trim()}.`;
        if (!other && existing) return `The user ${existing.name} already exists: pick it from the list, or choose another name.`;
        return true;
      },
    })
  ).trim();
  return byName(inv.users, name)?.name ?? name;
}

export const inputs: StepInputs<AdminIdentityInputs> = {
  schema: inputsSchema,
  // A person's name cannot be made up: `fix --yes` needs an answers entry.
  requiredInAnswers: true,
  defaults: (findings) => ({ groupName: defaultGroupName(inventoryOf(findings)), userName: '' }),

  async ask(asker, initial, findings) {
    const inv = inventoryOf(findings);
    if (!inv) {
      // Nothing to create (an administrator exists; the step only asks root to step aside). The plan
      // ignores these inputs then; they only need to be valid for the wizard to carry on.
      asker.note('An administrator other than root already exists: nothing to create.');
      const parsed = inputsSchema.safeParse(initial);
      if (parsed.success) return parsed.data;
      const admin = adminGroupsOf(findings)[0];
      return { groupName: admin?.group ?? DEFAULT_GROUP, userName: admin?.members[0] ?? 'Administrator' };
    }
    const icRegions = identityCenterUsable(inv);
    if (icRegions.length) {
      const via = await asker.select({
        message: 'How should someone other than root administer this account?',
        choices: [
          {
            value: 'identity-center' as const,
            name: `Through IAM Identity Center, enabled in ${icRegions.join(', ')} (recommended: short-lived sign-ins, people managed in one place)`,
          },
          { value: 'iam-user' as const, name: 'An IAM group and user with a console password' },
        ],
        default: initial?.via ?? 'identity-center',
      });
      if (via === 'identity-center') return { via };
    }
    const groupName = await askGroup(asker, inv, initial?.groupName);
    const userName = await askUser(asker, inv, initial?.userName);
    return { groupName, userName };
  },
};
