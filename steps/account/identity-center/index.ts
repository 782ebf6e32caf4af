/**
 * account.identity-center: people reach the console and the CLI through IAM Identity Center
 * (short-lived credentials, one place to add and remove people, MFA enforced there), not as IAM
 * users with passwords and long-lived access keys.
 *
 * Check: an active Identity Center instance (sso-admin ListInstances in the home region, then in
 * the run's regions), whether it can grant access to AWS accounts (an organization instance), and,
 * from the credential report read once per run, which IAM users still sign in with a password or
 * hold active access keys. A break-glass user tagged `secure-start:break-glass` = `true` with MFA
 * is accepted. Fix: guided only; the plan has no actions, only the walk-through and the
 * `~/.aws/config` snippet for the instance found.
 */
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  EntityAlreadyExistsException,
  IAMClient,
} from '@aws-sdk/client-iam';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { InstanceMetadata } from '@aws-sdk/client-sso-admin';
import { randomBytes } from 'node:crypto';
import type { Finding, Plan, Step, StepContext } from '../../../src/engine/step-kit.js';
import { describeError, errorKind, mapLimit, plural, regionFailure, sandboxOnly } from '../../../src/engine/step-kit.js';
import { authorizationDetails, currentCredentials, reportLagNote } from '../_shared/iam-data.js';
import type { CredentialRow } from '../_shared/iam-data.js';
import { defaultStartUrl, guidanceMarkdown } from './guidance.js';
import type { GuidanceInput, InstanceInfo } from './guidance.js';
import { organization } from '../_shared/organization.js';
import meta from './meta.js';

export const BREAK_GLASS_TAG = 'secure-start:break-glass';
/** Set by account.admin-identity on the interim administrator it creates (kept here as data: steps do not import each other). */
const CREATED_BY_ADMIN_IDENTITY = { Key: 'secure-start:created-by', Value: 'account.admin-identity' } as const;

interface Organization {
  id?: string;
  managementAccountId?: string;
}

async function readOrganization(ctx: StepContext): Promise<Organization> {
  const read = await organization(ctx);
  const org = read.organization;
  return org?.Id ? { id: org.Id, managementAccountId: org.MasterAccountId ?? '' } : {};
}

async function listInstances(ctx: StepContext, region: string): Promise<InstanceMetadata[]> {
  const client = ctx.client(SSOAdminClient, region);
  const out: InstanceMetadata[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListInstancesCommand({ MaxResults: 100, NextToken: token }));
    out.push(...(page.Instances ?? []));
    token = page.NextToken;
  } while (token);
  return out.filter((i) => i.InstanceArn && (i.Status === undefined || i.Status === 'ACTIVE'));
}

interface Search {
  found: { region: string; instance: InstanceMetadata }[];
  searched: string[];
  /** Regions that could not be read, with the reason. */
  unreadable: Record<string, string>;
  /** The errors behind `unreadable`. */
  failures: Record<string, unknown>;
}

/**
 * Identity Center lives in one region. The home region is asked first (one call, usually the
 * answer); only when it has none are the run's other regions asked, a few at a time.
 */
async function findInstances(ctx: StepContext): Promise<Search> {
  const home = ctx.target.homeRegion;
  const atHome = await listInstances(ctx, home);
  if (atHome.length) return { found: atHome.map((instance) => ({ region: home, instance })), searched: [home], unreadable: {}, failures: {} };
  const others = (await ctx.regions()).filter((r) => r !== home);
  const unreadable: Record<string, string> = {};
  const failures: Record<string, unknown> = {};
  const results = await mapLimit(others, 4, async (region) => {
    try {
      return await listInstances(ctx, region);
    } catch (err) {
      if (errorKind(err) === 'blocked') throw err;
      unreadable[region] = describeError(err);
      failures[region] = err;
      return [];
    }
  });
  const found = others.flatMap((region, i) => results[i]!.map((instance) => ({ region, instance })));
  return { found, searched: [home, ...others], unreadable, failures };
}

/**
 * An organization instance can give people access to AWS accounts; an account instance cannot.
 * Outside an organization every instance is an account instance; inside one, an instance owned by
 * another account is the organization's, and the management account holds the organization's own.
 */
function kindOf(instance: InstanceMetadata, accountId: string, org: Organization): InstanceInfo['kind'] {
  if (!org.id) return 'account';
  if (org.managementAccountId === accountId) return 'organization';
  return instance.OwnerAccountId && instance.OwnerAccountId !== accountId ? 'organization' : 'account';
}

function instanceInfo(region: string, i: InstanceMetadata, kind: InstanceInfo['kind']): InstanceInfo {
  const arn = i.InstanceArn!;
  const identityStoreId = i.IdentityStoreId ?? '';
  return { arn, id: arn.split('/').pop() ?? arn, region, identityStoreId, startUrl: identityStoreId ? defaultStartUrl(identityStoreId) : '', kind };
}

const day = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);

function lastUsed(row: CredentialRow): string {
  const used = day(row.passwordLastUsed);
  return used ? `last used ${used}` : 'never used';
}

function activeKeys(row: CredentialRow): CredentialRow['accessKeys'] {
  return row.accessKeys.filter((k) => k.active);
}

/** What the plan builds its walk-through from, kept in the first finding's data. */
interface Reading {
  instance?: InstanceInfo;
  inOrganization: boolean;
  searched: string[];
  passwordUsers: string[];
  keyUsers: string[];
  breakGlassWithoutMfa: string[];
}

function readingFrom(findings: Finding[]): Reading | undefined {
  const f = findings.find((x) => x.data && 'reading' in x.data);
  return f ? (f.data!.reading as Reading) : undefined;
}

const list = (xs: readonly string[]) => xs.join(', ');

const step: Step = {
  meta,

  async check(ctx) {
    // After a change in this run, users with a password or key are read one by one: the report may predate it.
    const [org, search, current] = await Promise.all([
      readOrganization(ctx),
      findInstances(ctx),
      currentCredentials(ctx, (r) => r.passwordEnabled || activeKeys(r).length > 0),
    ]);
    const report = current.rows;
    const accountId = ctx.target.accountId;
    const infos = search.found.map(({ region, instance }) => instanceInfo(region, instance, kindOf(instance, accountId, org)));
    const instance = infos.find((i) => i.kind === 'organization') ?? infos[0];
    const users = report.filter((r) => !r.isRoot);
    const withPassword = users.filter((r) => r.passwordEnabled);
    // Tags come with the authorization details (read once per run, shared): only needed when passwords remain.
    const tagged = new Set<string>();
    const interimAdmins = new Set<string>();
    if (withPassword.length) {
      const details = await authorizationDetails(ctx);
      for (const u of details.UserDetailList) {
        if (!u.UserName) continue;
        const tags = u.Tags ?? [];
        if (tags.some((t) => t.Key === BREAK_GLASS_TAG && t.Value?.toLowerCase() === 'true')) tagged.add(u.UserName);
        if (tags.some((t) => t.Key === CREATED_BY_ADMIN_IDENTITY.Key && t.Value === CREATED_BY_ADMIN_IDENTITY.Value)) interimAdmins.add(u.UserName);
      }
    }
    const passwordUsers = withPassword.filter((r) => !tagged.has(r.user)).map((r) => r.user);
    const keyUsers = users.filter((r) => activeKeys(r).length).map((r) => r.user);
    const breakGlassWithoutMfa = withPassword.filter((r) => tagged.has(r.user) && !r.mfaActive).map((r) => r.user);
    const reading: Reading = {
      ...(instance ? { instance } : {}),
      inOrganization: Boolean(org.id),
      searched: search.searched,
      passwordUsers,
      keyUsers,
      breakGlassWithoutMfa,
    };

    const findings: Finding[] = [];
    const partition = ctx.target.partition;
    const unreadable = Object.keys(search.unreadable);
    const notRead = unreadable.length ? ` (${plural(unreadable.length, 'region')} could not be read: ${search.unreadable[unreadable[0]!]})` : '';
    if (!instance)
      findings.push({
        status: 'fail',
        resource: `arn:${partition}:sso:::instance/none`,
        region: 'global',
        message: `IAM Identity Center is not enabled: no instance in ${list(search.searched)}${notRead}.`,
        data: { reading },
      });
    else if (instance.kind === 'account')
      findings.push({
        status: 'fail',
        resource: instance.arn,
        region: instance.region,
        message:
          `The IAM Identity Center instance in ${instance.region} (${instance.id}) is an account instance: it serves applications but cannot sign people in to AWS accounts. ` +
          (org.id ? 'Enable the organization instance from the management account.' : 'That takes an organization instance, which needs AWS Organizations (free).'),
        data: { reading },
      });
    else
      findings.push({
        status: 'pass',
        resource: instance.arn,
        region: instance.region,
        message: `IAM Identity Center is enabled in ${instance.region} (${instance.id}); its portal's default address is ${instance.startUrl}.`,
        data: { reading },
      });

    // Not found, and a region could not be looked at: that region's reading is an error, never a silent "none there".
    if (!instance)
      for (const [region, err] of Object.entries(search.failures))
        findings.push(regionFailure(err, { region, resource: `arn:${partition}:sso:::instance/*`, service: 'IAM Identity Center', permissions: ['sso:ListInstances'] }));

    for (const r of withPassword) {
      const keys = activeKeys(r).length;
      const alsoKeys = keys ? ` and ${plural(keys, 'active access key')}` : '';
      if (tagged.has(r.user))
        findings.push(
          r.mfaActive
            ? { status: 'pass', resource: r.arn, region: 'global', message: `IAM user ${r.user} is the break-glass user, kept on purpose with MFA (${lastUsed(r)}).` }
            : {
                status: 'fail',
                resource: r.arn,
                region: 'global',
                message: `IAM user ${r.user} is tagged as the break-glass user but has no MFA: an emergency password alone is too easy to misuse.`,
              },
        );
      else if (interimAdmins.has(r.user))
        findings.push({
          status: 'fail',
          resource: r.arn,
          region: 'global',
          message:
            `IAM user ${r.user} is the interim administrator secure-start created (account.admin-identity); it signs in with a password (${lastUsed(r)})${alsoKeys}. ` +
            `It is the one to move: once an Identity Center user has administrator access to this account, sign in that way and remove ${r.user}'s password ` +
            `(or keep ${r.user} as the break-glass user: tag it ${BREAK_GLASS_TAG}=true and give it MFA).`,
        });
      else
        findings.push({
          status: 'fail',
          resource: r.arn,
          region: 'global',
          message: `IAM user ${r.user} signs in to the console with a password (${lastUsed(r)})${alsoKeys}: give this person an Identity Center user, then remove the password.`,
        });
    }
    for (const r of users.filter((u) => !u.passwordEnabled && activeKeys(u).length)) {
      const keys = activeKeys(r);
      const used = keys.map((k) => day(k.lastUsed)).filter(Boolean).sort().pop();
      const caller = ctx.target.principalArn === r.arn ? ' These are the credentials this run uses.' : '';
      findings.push({
        status: 'manual',
        resource: r.arn,
        region: 'global',
        message:
          `IAM user ${r.user} has ${plural(keys.length, 'active access key')} (${used ? `last used ${used}` : 'never used'}): a person should use \`aws configure sso\` instead; ` +
          `a program should get a role.${caller}`,
      });
    }
    const lag = reportLagNote(ctx, current);
    return lag ? findings.map((f) => ({ ...f, message: f.message + lag })) : findings;
  },

  async plan(ctx, findings): Promise<Plan> {
    const r = readingFrom(findings);
    if (!r) throw new Error('Identity Center was not read: check the step before planning its fix.');
    const input: GuidanceInput = {
      accountId: ctx.target.accountId,
      homeRegion: ctx.target.homeRegion,
      ...(r.instance ? { instance: r.instance } : {}),
      inOrganization: r.inOrganization,
      passwordUsers: r.passwordUsers,
      keyUsers: r.keyUsers,
      breakGlassWithoutMfa: r.breakGlassWithoutMfa,
    };
    const nothingLeft = r.instance?.kind === 'organization' && !r.passwordUsers.length && !r.keyUsers.length && !r.breakGlassWithoutMfa.length;
    return nothingLeft ? { actions: [] } : { actions: [], guidance: guidanceMarkdown(input) };
  },

  /** day-one scenario: a person who signs in with an IAM password, and a CI user with a long-lived key. */
  async seed(ctx) {
    sandboxOnly(ctx);
    const iam = ctx.client(IAMClient);
    const once = async (p: Promise<unknown>) => {
      try {
        await p;
        return true;
      } catch (err) {
        if (err instanceof EntityAlreadyExistsException) return false;
        throw err;
      }
    };
    if (await once(iam.send(new CreateUserCommand({ UserName: 'dana' }))))
      await iam.send(new CreateLoginProfileCommand({ UserName: 'dana', Password: `Aa1!${randomBytes(12).toString('base64url')}` }));
    // The secret key is thrown away: the fixture only needs a key to exist.
    if (await once(iam.send(new CreateUserCommand({ UserName: 'ci-deploy' })))) await iam.send(new CreateAccessKeyCommand({ UserName: 'ci-deploy' }));
  },
};

export default step;
