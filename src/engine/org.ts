/**
 * Several accounts of one AWS Organization from one caller: list the organization's accounts, assume
 * a role in each, and run something per account with bounded concurrency. `check --org`, the
 * classroom (`--learner`, `sandbox start --learners`, `sandbox scoreboard`) all go through here.
 * Nothing here prints or prompts; an account that cannot be reached is that account's error.
 */
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describeError, errorCode, errorKind } from '../aws/errors.js';
import { ClientFactory } from '../aws/factory.js';
import { callerIdentity } from '../aws/identity.js';
import { enabledRegions } from '../aws/regions.js';
import { mapLimit } from './concurrency.js';
import { RunContext } from './context.js';
import type { RunRegions } from './context.js';
import { UserError } from './errors.js';
import type { Target } from './types.js';

/** The role AWS Organizations creates in every account it creates. */
export const DEFAULT_ORG_ROLE = 'OrganizationAccountAccessRole';
/** Accounts worked on at once (each account's steps have their own bound). */
export const DEFAULT_ACCOUNT_CONCURRENCY = 4;

export interface OrgAccount {
  id: string;
  name: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE… as Organizations says. */
  status: string;
}

/**
 * Every account of the caller's organization (ListAccounts, all pages). A caller outside any
 * organization, or one that may not list it (a member account), gets a UserError saying so.
 */
export async function listOrgAccounts(factory: ClientFactory): Promise<OrgAccount[]> {
  const org = factory.client(OrganizationsClient);
  const accounts: OrgAccount[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const out = await org.send(new ListAccountsCommand({ ...(NextToken ? { NextToken } : {}) }));
      for (const a of out.Accounts ?? []) if (a.Id) accounts.push({ id: a.Id, name: a.Name ?? '', status: String(a.Status ?? a.State ?? 'UNKNOWN') });
      NextToken = out.NextToken;
    } while (NextToken);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'AWSOrganizationsNotInUseException')
      throw new UserError('This account is not part of an AWS Organization, so there are no other accounts to check.', 'Run check without --org.');
    if (errorKind(err) === 'access-denied')
      throw new UserError(
        `The caller may not list the organization's accounts: ${describeError(err, { permissions: ['organizations:ListAccounts'] })}`,
        'Run --org from the management account, or from a delegated administrator account.',
      );
    throw err;
  }
  return accounts;
}

export interface AssumedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export function roleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** Role session names: 2 to 64 of `[\w+=,.@-]`. */
export function sessionName(label: string): string {
  const clean = `secure-start-${label}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return clean.length >= 2 ? clean : 'secure-start';
}

/** Short-lived credentials for `roleName` in `accountId`, through the caller's STS. */
export async function assumeRole(factory: ClientFactory, partition: string, accountId: string, roleName: string, label: string): Promise<AssumedCredentials> {
  const out = await factory.client(STSClient).send(new AssumeRoleCommand({ RoleArn: roleArn(partition, accountId, roleName), RoleSessionName: sessionName(label) }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error(`sts:AssumeRole into ${accountId} returned no credentials`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** A client factory like `parent` (endpoint, region, waits, request counter), acting with `credentials`. */
export function factoryWith(parent: ClientFactory, credentials: AssumedCredentials): ClientFactory {
  const { profile: _profile, ...config } = parent.config;
  return new ClientFactory({ ...config, credentials: { ...credentials } });
}

/**
 * The regions a member account's steps use: the caller's list when it was named or fixed (flag,
 * progress file, sandbox), else the member's own enabled regions (opt-in regions differ by account).
 */
export function memberRegions(parent: RunRegions): (factory: ClientFactory) => () => Promise<RunRegions> {
  return (factory) => async () => (parent.source === 'enabled-regions' ? { regions: await enabledRegions(factory), source: 'enabled-regions' } : parent);
}

export interface AccountSession {
  account: OrgAccount;
  ctx: RunContext;
  target: Target;
}

export interface FanOutOptions {
  /** The caller's factory: lists nothing here, assumes the role in each account. */
  factory: ClientFactory;
  /** The caller's target: its own account is checked with its own credentials, not through the role. */
  caller: Target;
  accounts: readonly OrgAccount[];
  roleName?: string;
  /** The regions each account's context resolves. */
  regions: (factory: ClientFactory) => () => Promise<RunRegions>;
  concurrency?: number;
}

export type AccountOutcome<R> = { account: OrgAccount; target?: Target; result: R; error?: undefined } | { account: OrgAccount; target?: Target; result?: undefined; error: string };

/**
 * Runs `fn` once per account with at most `concurrency` accounts at a time, in the accounts' order.
 * The role is assumed in each account (the caller's own account uses the caller's credentials); a
 * role that cannot be assumed, or an `fn` that throws, is that account's `error` and the others go on.
 * Every account's clients are destroyed when its `fn` ends.
 */
export async function forEachAccount<R>(opts: FanOutOptions, fn: (s: AccountSession) => Promise<R>): Promise<Array<AccountOutcome<R>>> {
  const roleName = opts.roleName ?? DEFAULT_ORG_ROLE;
  return mapLimit(opts.accounts, opts.concurrency ?? DEFAULT_ACCOUNT_CONCURRENCY, async (account): Promise<AccountOutcome<R>> => {
    let factory: ClientFactory | undefined;
    let target: Target | undefined;
    try {
      if (account.id === opts.caller.accountId) {
        factory = new ClientFactory(opts.factory.config);
        target = opts.caller;
      } else {
        let creds: AssumedCredentials;
        try {
          creds = await assumeRole(opts.factory, opts.caller.partition, account.id, roleName, account.id);
        } catch (err) {
          return { account, error: `Could not assume ${roleArn(opts.caller.partition, account.id, roleName)}: ${describeError(err, { permissions: ['sts:AssumeRole'] })}` };
        }
        factory = factoryWith(opts.factory, creds);
        const id = await callerIdentity(factory);
        target = { ...opts.caller, accountId: id.accountId, principalArn: id.principalArn, isRoot: false, partition: id.partition };
      }
      const ctx = new RunContext(target, factory, opts.regions(factory));
      return { account, target, result: await fn({ account, ctx, target }) };
    } catch (err) {
      return { account, ...(target ? { target } : {}), error: describeError(err) };
    } finally {
      factory?.destroy();
    }
  });
}

/**
 * The accounts a run works on: every ACTIVE account, or those `ids` name. An id that is not an
 * active account of the organization is returned in `missing` (the caller reports it as an error).
 */
export function pickAccounts(all: readonly OrgAccount[], ids?: readonly string[]): { accounts: OrgAccount[]; missing: string[] } {
  const active = all.filter((a) => a.status === 'ACTIVE');
  if (!ids) return { accounts: active, missing: [] };
  const byId = new Map(active.map((a) => [a.id, a]));
  return { accounts: ids.filter((id) => byId.has(id)).map((id) => byId.get(id)!), missing: ids.filter((id) => !byId.has(id)) };
}

/** `--accounts id1,id2`: twelve-digit ids, no duplicates kept; anything else is refused. */
export function parseAccountIds(value: string): string[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!ids.length) throw new UserError('--accounts names no account.', 'Give account ids, comma-separated, e.g. --accounts 111122223333,444455556666.');
  const bad = ids.filter((id) => !/^\d{12}$/.test(id));
  if (bad.length) throw new UserError(`Not an AWS account id: ${bad.join(', ')}.`, 'An account id is 12 digits.');
  return [...new Set(ids)];
}

/** `--role-name`: an IAM role name (a path is not part of it). */
export function parseRoleName(value: string | undefined): string {
  if (value === undefined) return DEFAULT_ORG_ROLE;
  if (!/^[\w+=,.@-]{1,64}$/.test(value)) throw new UserError(`"${value}" is not an IAM role name.`, `Role names are 1 to 64 letters, digits and +=,.@_-; the default is ${DEFAULT_ORG_ROLE}.`);
  return value;
}

/**
 * The account a learner's name stands for in a classroom sandbox: the ACTIVE account of that name
 * in the emulator's organization, other than the caller's own. Refused with the names there are.
 */
export async function findLearnerAccount(factory: ClientFactory, name: string, callerAccountId?: string): Promise<OrgAccount> {
  const noClass = (why: string) => new UserError(`This sandbox has no class (${why}), so there is no learner "${name}".`, 'Start one with `secure-start sandbox start --learners N`, or drop --learner.');
  let accounts: OrgAccount[];
  try {
    accounts = await listOrgAccounts(factory);
  } catch (err) {
    if (err instanceof UserError) throw noClass('no organization');
    throw err;
  }
  const learners = accounts.filter((a) => a.status === 'ACTIVE' && a.id !== callerAccountId);
  const found = learners.find((a) => a.name === name);
  if (found) return found;
  if (!learners.length) throw noClass('no learner accounts');
  throw new UserError(`No learner "${name}" in this sandbox.`, `Learners here: ${learners.map((a) => a.name).sort().join(', ')}.`);
}

/** A factory acting in the learner's account (through the organization's role), and that account. */
export async function learnerFactory(factory: ClientFactory, partition: string, name: string): Promise<{ factory: ClientFactory; account: OrgAccount }> {
  const account = await findLearnerAccount(factory, name, (await callerIdentity(factory)).accountId);
  const creds = await assumeRole(factory, partition, account.id, DEFAULT_ORG_ROLE, name);
  return { factory: factoryWith(factory, creds), account };
}
