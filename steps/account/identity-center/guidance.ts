/**
 * What the person does by hand, as markdown: turn on IAM Identity Center, give themselves a user
 * and a permission set, set up the CLI with `aws configure sso`, then retire IAM passwords and
 * keys. Pure: built from what the check found.
 */
import { invokedAs } from '../../../src/engine/step-kit.js';

export interface InstanceInfo {
  arn: string;
  /** `ssoins-…` */
  id: string;
  region: string;
  identityStoreId: string;
  /** The default AWS access portal address (a custom one, if set, replaces it). */
  startUrl: string;
  /** `organization`: can give access to AWS accounts; `account`: applications only. */
  kind: 'organization' | 'account';
}

export interface GuidanceInput {
  accountId: string;
  homeRegion: string;
  instance?: InstanceInfo;
  /** The account belongs to an organization (its management account or a member). */
  inOrganization: boolean;
  /** IAM users who sign in with a password (break-glass users excluded). */
  passwordUsers: string[];
  /** IAM users with active access keys. */
  keyUsers: string[];
  /** Break-glass users (tagged) without MFA. */
  breakGlassWithoutMfa?: string[];
}

export const SESSION_NAME = 'my-sso';
export const PROFILE_NAME = 'admin';
export const ROLE_NAME = 'AdministratorAccess';
export const PLACEHOLDER_URL = 'https://<your-portal>.awsapps.com/start';

/** The default portal address for an identity store: `https://d-xxxxxxxxxx.awsapps.com/start`. */
export function defaultStartUrl(identityStoreId: string): string {
  return `https://${identityStoreId}.awsapps.com/start`;
}

/** The `~/.aws/config` blocks `aws configure sso` writes, filled in for this instance (or with placeholders). */
export function configSnippet(g: Pick<GuidanceInput, 'accountId' | 'homeRegion' | 'instance'>): string {
  const i = g.instance?.kind === 'organization' ? g.instance : undefined;
  return [
    `[sso-session ${SESSION_NAME}]`,
    `sso_start_url = ${i?.startUrl ?? PLACEHOLDER_URL}`,
    `sso_region = ${i?.region ?? g.homeRegion}`,
    'sso_registration_scopes = sso:account:access',
    '',
    `[profile ${PROFILE_NAME}]`,
    `sso_session = ${SESSION_NAME}`,
    `sso_account_id = ${g.accountId}`,
    `sso_role_name = ${ROLE_NAME}`,
    `region = ${g.homeRegion}`,
    'output = json',
  ].join('\n');
}

/**
 * A list with a blank line after each item: the terminal renderer formats inline markup (bold,
 * code) only inside such "loose" list items, and markdown viewers show them the same.
 */
function loose(items: string[]): string[] {
  return items.flatMap((item) => [item, '']);
}

function enableSection(g: GuidanceInput): string[] {
  const i = g.instance;
  if (i?.kind === 'organization') return [];
  const out = ['## 1. Turn on IAM Identity Center', ''];
  if (i?.kind === 'account')
    out.push(
      `The instance found (\`${i.id}\` in ${i.region}) is an *account instance*: it can sign people in to applications, but it cannot give them access to AWS accounts. That takes an *organization instance*, which needs AWS Organizations.`,
      '',
    );
  const steps = [
    `Sign in to the console as an administrator and pick the region Identity Center will live in: your home region ${g.homeRegion} is a good choice. It must be one of the regions you allowed in \`account.regions\`, and it cannot simply be moved later.`,
    'Open **IAM Identity Center** and choose **Enable**.',
    ...(g.inOrganization
      ? []
      : ['When asked, let it create an organization in AWS Organizations. That is free, changes nothing for what runs in this account, and makes this account the organization’s management account.']),
    'Open **Settings**: note the **AWS access portal URL** (it looks like `https://d-xxxxxxxxxx.awsapps.com/start`), and under **Authentication** make sure MFA is required.',
  ];
  out.push(...loose(steps.map((text, k) => `${k + 1}. ${text}`)));
  return out;
}

function accessSection(g: GuidanceInput, n: number): string[] {
  return [
    `## ${n}. Give yourself a way in`,
    '',
    ...(g.instance?.kind === 'organization' ? ['Skip what is done already:', ''] : []),
    ...loose([
      `1. **Permission sets** → **Create permission set** → predefined → \`${ROLE_NAME}\`. A session length of a few hours is plenty.`,
      '2. **Users** → **Add user**: your own name and email. Identity Center emails an invitation; accept it, choose a password and register an MFA device.',
      `3. **AWS accounts** → select this account (\`${g.accountId}\`) → **Assign users or groups** → your user → the \`${ROLE_NAME}\` permission set.`,
      '4. Open the AWS access portal URL, sign in, and open the console from there. Give everyone else their own user in the same way, with a narrower permission set where full access is not needed.',
    ]),
  ];
}

function cliSection(g: GuidanceInput, n: number): string[] {
  const i = g.instance?.kind === 'organization' ? g.instance : undefined;
  return [
    `## ${n}. Use it from the command line`,
    '',
    'Run `aws configure sso` (AWS CLI v2) and answer:',
    '',
    ...loose([
      `- **SSO session name**: \`${SESSION_NAME}\``,
      i ? `- **SSO start URL**: \`${i.startUrl}\` (or the custom address, if you gave the portal one)` : '- **SSO start URL**: your AWS access portal URL',
      i ? `- **SSO region**: \`${i.region}\`` : '- **SSO region**: the region Identity Center lives in',
      '- **SSO registration scopes**: press Enter for `sso:account:access`',
      `- a browser opens: approve the request; then pick account \`${g.accountId}\` and the role \`${ROLE_NAME}\``,
      `- **default region** \`${g.homeRegion}\`, **output** \`json\`, **profile name** \`${PROFILE_NAME}\``,
    ]),
    'It writes this to `~/.aws/config` (you can also paste it there yourself):',
    '',
    '```ini',
    configSnippet(g),
    '```',
    '',
    `Then \`aws sso login --profile ${PROFILE_NAME}\` signs you in for the day, \`aws sts get-caller-identity --profile ${PROFILE_NAME}\` shows who you are, and \`${invokedAs()} --profile ${PROFILE_NAME}\` runs this tool the same way. The CLI keeps only short-lived credentials: nothing long-lived sits in \`~/.aws/credentials\`.`,
    '',
  ];
}

function retireSection(g: GuidanceInput, n: number): string[] {
  if (!g.passwordUsers.length && !g.keyUsers.length) return [];
  const out = [`## ${n}. Retire IAM passwords and keys`, '', 'Once each person signs in through Identity Center:', ''];
  if (g.passwordUsers.length) {
    out.push(`- remove the console password of ${g.passwordUsers.map((u) => `\`${u}\``).join(', ')}:`, '', '  ```', ...g.passwordUsers.map((u) => `  aws iam delete-login-profile --user-name ${u}`), '  ```', '');
  }
  if (g.keyUsers.length) {
    out.push(
      `- access keys of ${g.keyUsers.map((u) => `\`${u}\``).join(', ')}: a person switches to the profile above; a program gets a role instead (an instance or function role inside AWS, OIDC federation for a CI service such as GitHub Actions). Then deactivate each key (\`aws iam update-access-key --user-name NAME --access-key-id KEY --status Inactive\`) and delete it a few weeks later if nothing broke. \`account.unused-credentials\` can do this for you.`,
      '',
    );
  }
  out.push(
    'To keep one emergency IAM user for the day Identity Center is unavailable, give it a long password and MFA, keep both offline, and tag it `secure-start:break-glass` = `true` so this check accepts it.',
    '',
  );
  return out;
}

function breakGlassSection(g: GuidanceInput, n: number): string[] {
  const users = g.breakGlassWithoutMfa ?? [];
  if (!users.length) return [];
  return [
    `## ${n}. Give the break-glass user MFA`,
    '',
    `${users.map((u) => `\`${u}\``).join(', ')} ${users.length === 1 ? 'is' : 'are'} kept for emergencies but can sign in with a password alone. In the console: **IAM** → **Users** → the user → **Security credentials** → **Assign MFA device**; keep the device (or a hardware key) with the password, offline. \`account.user-mfa\` walks through it too.`,
    '',
  ];
}

/** The whole walk-through, numbered from what is still to do. */
export function guidanceMarkdown(g: GuidanceInput): string {
  const out: string[] = [];
  const enable = enableSection(g);
  out.push(...enable);
  let n = enable.length ? 2 : 1;
  out.push(...accessSection(g, n++));
  out.push(...cliSection(g, n++));
  const retire = retireSection(g, n);
  out.push(...retire);
  if (retire.length) n++;
  out.push(...breakGlassSection(g, n));
  return out.join('\n').trim();
}
