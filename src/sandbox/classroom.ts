/**
 * A class in one emulator (`sandbox start --learners N|FILE`): the learners' names, their accounts
 * in the emulator's organization, and what each learner is given to join. Nothing here prints.
 */
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { CloseAccountCommand, CreateAccountCommand, CreateOrganizationCommand, DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { ClientFactory } from '../aws/factory.js';
import { errorCode } from '../aws/errors.js';
import { CLASS_PROFILE, SANDBOX_CREDENTIALS, SANDBOX_REGION } from './constants.js';
import { SandboxError, describeError } from './errors.js';
import type { LearnerRecord } from './state.js';

export const MAX_LEARNERS = 200;
const NAME = /^[A-Za-z0-9-]{1,32}$/;

/**
 * `--learners`: a whole number (learner-01, learner-02…) or a file with one name a line (letters,
 * digits and dashes, 1 to 32, no duplicates; blank lines and lines starting with # are ignored).
 * A bad value or file is a SandboxError naming the line.
 */
export async function parseLearners(value: string): Promise<string[]> {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < 1 || n > MAX_LEARNERS) throw new SandboxError(`--learners ${text}: give between 1 and ${MAX_LEARNERS} learners.`, 'Or give a file with one name a line.');
    const width = Math.max(2, String(n).length);
    return Array.from({ length: n }, (_, i) => `learner-${String(i + 1).padStart(width, '0')}`);
  }
  let content: string;
  try {
    content = await readFile(text, 'utf8');
  } catch (err) {
    throw new SandboxError(`--learners ${text}: not a number, and the file cannot be read (${describeError(err)}).`, 'Give a number of learners, or a file with one name a line.');
  }
  return parseLearnerNames(content, text);
}

/** The names in a learners file's text; `file` names it in messages. */
export function parseLearnerNames(content: string, file: string): string[] {
  const names: string[] = [];
  const seen = new Map<string, number>();
  const lines = content.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `${file}, line ${i + 1}`;
    if (!NAME.test(line)) {
      const shown = JSON.stringify(line.length > 40 ? line.slice(0, 40) + '…' : line);
      throw new SandboxError(`${where}: ${shown} is not a learner name.`, 'A name is 1 to 32 letters, digits or dashes, one name a line.');
    }
    const key = line.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) throw new SandboxError(`${where}: "${line}" is already on line ${first}.`, 'Each learner needs a name of their own.');
    seen.set(key, i + 1);
    names.push(line);
  });
  if (!names.length) throw new SandboxError(`${file} names no learner.`, 'Put one name a line.');
  if (names.length > MAX_LEARNERS) throw new SandboxError(`${file} names ${names.length} learners; at most ${MAX_LEARNERS} fit in one sandbox.`);
  return names;
}

/** The organization in the emulator's default account (made when missing); returns its id. */
export async function ensureOrganization(factory: ClientFactory): Promise<string> {
  const org = factory.client(OrganizationsClient);
  try {
    const out = await org.send(new DescribeOrganizationCommand({}));
    if (out.Organization?.Id) return out.Organization.Id;
  } catch (err) {
    if (errorCode(err) !== 'AWSOrganizationsNotInUseException') throw err;
  }
  const made = await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  return made.Organization?.Id ?? '';
}

/** A new member account named `name` (its OrganizationAccountAccessRole comes with it); returns its id. */
export async function createLearnerAccount(factory: ClientFactory, name: string): Promise<string> {
  const out = await factory.client(OrganizationsClient).send(new CreateAccountCommand({ AccountName: name, Email: `${name.toLowerCase()}@classroom.invalid` }));
  const id = out.CreateAccountStatus?.AccountId;
  if (!id || out.CreateAccountStatus?.State === 'FAILED') throw new SandboxError(`The emulator did not create an account for ${name} (${out.CreateAccountStatus?.FailureReason ?? 'no account id'}).`);
  return id;
}

/** Closes a learner's account: it leaves the class (ListAccounts shows it SUSPENDED). */
export async function closeLearnerAccount(factory: ClientFactory, accountId: string): Promise<void> {
  try {
    await factory.client(OrganizationsClient).send(new CloseAccountCommand({ AccountId: accountId }));
  } catch (err) {
    // Closed already (an earlier reset that stopped half-way): nothing left to do.
    if (errorCode(err) !== 'AccountAlreadyClosedException') throw err;
  }
}

/**
 * The URL learners use: `--host` as given (a wildcard address becomes this machine's first
 * non-loopback IPv4 address, since a learner cannot dial 0.0.0.0), on the emulator's port.
 */
export function joinEndpointFor(endpoint: string, host: string | undefined): string {
  if (!host || host === '127.0.0.1') return endpoint;
  const port = new URL(endpoint).port;
  let address = host;
  if (host === '0.0.0.0' || host === '::') {
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    address = lan?.address ?? '127.0.0.1';
  }
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** The command a learner runs to join (the tool assumes their role itself). */
export function joinLine(joinEndpoint: string, name: string): string {
  return `secure-start --sandbox ${joinEndpoint} --learner ${name}`;
}

/** `~/.aws/config` text: the class's base profile with the throw-away keys. */
export function baseProfileBlock(joinEndpoint: string): string {
  return [
    `[profile ${CLASS_PROFILE}]`,
    `aws_access_key_id = ${SANDBOX_CREDENTIALS.accessKeyId}`,
    `aws_secret_access_key = ${SANDBOX_CREDENTIALS.secretAccessKey}`,
    `region = ${SANDBOX_REGION}`,
    `endpoint_url = ${joinEndpoint}`,
  ].join('\n');
}

/** `~/.aws/config` text: one learner's profile, assuming their account's role from the base profile. */
export function learnerProfileBlock(joinEndpoint: string, learner: LearnerRecord, partition = 'aws'): string {
  return [
    `[profile ${CLASS_PROFILE}-${learner.name}]`,
    `role_arn = arn:${partition}:iam::${learner.accountId}:role/OrganizationAccountAccessRole`,
    `source_profile = ${CLASS_PROFILE}`,
    `region = ${SANDBOX_REGION}`,
    `endpoint_url = ${joinEndpoint}`,
  ].join('\n');
}
