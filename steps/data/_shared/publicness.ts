/**
 * Whether a bucket is public, decided from the documents themselves: the ACL's grants, the bucket
 * policy's statements and the Block Public Access settings in force (the bucket's and the
 * account's). GetBucketPolicyStatus is never asked: emulators answer it wrongly (moto returns an
 * empty status for a policy that grants `*`), and the reasons matter to the person anyway.
 *
 * Pure: no AWS SDK, no I/O. Following S3's own rule ("The meaning of public"), a policy statement
 * is public when it allows everyone (`Principal: "*"`, a wildcard principal, or `NotPrincipal`)
 * and no condition pins the caller to fixed values (source IP range, VPC, endpoint, account,
 * organization, ARN…). Where S3's rule has finer points (which actions count), this module errs
 * towards calling a bucket public: a false alarm costs a question, a miss costs a leak.
 */
import type { ConditionEntry, Statement } from '../../../src/aws/policy.js';
import { asList, conditionEntries, describeList, isWildcardOrVariable, principalIsEveryone } from '../../../src/aws/policy.js';

export const BLOCK_SETTINGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
export type BlockSetting = (typeof BLOCK_SETTINGS)[number];

/** A Block Public Access configuration (bucket or account), every setting present. */
export type BlockConfig = Record<BlockSetting, boolean>;

export const FULL_BLOCK: BlockConfig = Object.freeze({
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
});

/** A configuration as the API returns it (settings may be missing: missing is off); `null` stays `null` (none set). */
export function blockFrom(raw: Partial<Record<BlockSetting, boolean | undefined>> | null | undefined): BlockConfig | null {
  if (!raw) return null;
  return {
    BlockPublicAcls: raw.BlockPublicAcls === true,
    IgnorePublicAcls: raw.IgnorePublicAcls === true,
    BlockPublicPolicy: raw.BlockPublicPolicy === true,
    RestrictPublicBuckets: raw.RestrictPublicBuckets === true,
  };
}

export function isFullBlock(block: BlockConfig | null | undefined): boolean {
  return !!block && BLOCK_SETTINGS.every((s) => block[s]);
}

/** The settings that are off (all four when there is no configuration). */
export function settingsOff(block: BlockConfig | null | undefined): BlockSetting[] {
  return BLOCK_SETTINGS.filter((s) => !block?.[s]);
}

/** One line: `all four settings on`, `none set`, `on: BlockPublicAcls; off: …`. */
export function describeBlock(block: BlockConfig | null | undefined): string {
  if (!block) return 'none set';
  const off = settingsOff(block);
  if (!off.length) return 'all four settings on';
  const on = BLOCK_SETTINGS.filter((s) => block[s]);
  return on.length ? `on: ${on.join(', ')}; off: ${off.join(', ')}` : 'all four settings off';
}

// ---- ACLs -----------------------------------------------------------------------------------

export const ALL_USERS_URI = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS_URI = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** A grant as GetBucketAcl returns it. */
export interface AclGrant {
  Grantee?: { Type?: string; URI?: string; ID?: string; DisplayName?: string; EmailAddress?: string };
  Permission?: string;
}

export interface PublicGrant {
  /** AllUsers: anyone on the internet. AuthenticatedUsers: anyone with any AWS account. */
  group: 'AllUsers' | 'AuthenticatedUsers';
  permission: string;
}

/** The grants to everyone (AllUsers) or to every AWS account (AuthenticatedUsers). */
export function publicGrants(grants: readonly AclGrant[] | null | undefined): PublicGrant[] {
  const out: PublicGrant[] = [];
  for (const g of grants ?? []) {
    const uri = g.Grantee?.URI?.replace(/^https:/, 'http:');
    const group = uri === ALL_USERS_URI ? 'AllUsers' : uri === AUTHENTICATED_USERS_URI ? 'AuthenticatedUsers' : undefined;
    if (group) out.push({ group, permission: g.Permission ?? 'unknown permission' });
  }
  return out;
}

function describeGrants(grants: PublicGrant[]): string {
  const by = (group: PublicGrant['group']) => grants.filter((g) => g.group === group).map((g) => g.permission);
  const parts: string[] = [];
  const all = by('AllUsers');
  const auth = by('AuthenticatedUsers');
  if (all.length) parts.push(`${all.join(' and ')} to everyone (AllUsers)`);
  if (auth.length) parts.push(`${auth.join(' and ')} to any AWS account (AuthenticatedUsers)`);
  return `its ACL grants ${parts.join(', and ')}`;
}

// ---- policies -------------------------------------------------------------------------------

/**
 * Condition keys that pin a request to something the owner chose: a source IP range, a VPC or VPC
 * endpoint, an account, an organization, a resource ARN, a user id, an access point. A statement
 * for `*` with one of these (with fixed values) is not public. Lower case: IAM matches keys so.
 */
export const RESTRICTING_KEYS: ReadonlySet<string> = new Set([
  'aws:sourceip',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:userid',
  's3:dataaccesspointarn',
  's3:dataaccesspointaccount',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
]);

/** Operators that let a request through only when the key matches one of the listed values. */
const MATCHING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike', 'ipaddress']);

/** `10.0.0.0/8` or a single address is narrow enough; `0.0.0.0/0` (or anything wider than /8, /32 for IPv6) lets the internet in. */
export function isNarrowCidr(value: string): boolean {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(value.trim());
  if (!m) return false;
  const ipv6 = m[1]!.includes(':');
  if (!ipv6 && !/^\d{1,3}(\.\d{1,3}){3}$/.test(m[1]!)) return false;
  const prefix = m[2] === undefined ? (ipv6 ? 128 : 32) : Number(m[2]);
  return ipv6 ? prefix >= 32 && prefix <= 128 : prefix >= 8 && prefix <= 32;
}

/** Whether one condition entry limits who may call to fixed values (and so keeps the statement from being public). */
export function isRestrictingEntry(entry: ConditionEntry): boolean {
  const key = entry.key.toLowerCase();
  if (!RESTRICTING_KEYS.has(key)) return false;
  // `IfExists` lets requests without the key through; `ForAllValues` is true for an empty key.
  let op = entry.operator.toLowerCase();
  if (op.endsWith('ifexists') || op.startsWith('forallvalues:')) return false;
  op = op.replace(/^foranyvalue:/, '');
  if (!MATCHING_OPERATORS.has(op)) return false;
  if (!entry.values.length || !entry.values.every((v) => typeof v === 'string' && v.trim() !== '')) return false;
  const values = entry.values as string[];
  if (key === 'aws:sourceip') return op === 'ipaddress' && values.every(isNarrowCidr);
  if (op === 'ipaddress') return false;
  return values.every((v) => !isWildcardOrVariable(v));
}

/** The condition entry that keeps a statement for `*` from being public, if any. */
export function restrictingEntry(condition: unknown): ConditionEntry | undefined {
  return conditionEntries(condition).find(isRestrictingEntry);
}

export interface PublicStatement {
  /** 1-based, in the policy's order. */
  number: number;
  sid?: string;
  /** One line for a person. */
  description: string;
}

/** Whether a statement allows everyone with no condition that pins the caller down. */
export function isPublicStatement(s: Statement): boolean {
  if (String(s.Effect ?? '').toLowerCase() !== 'allow') return false;
  const everyone = s.NotPrincipal !== undefined || principalIsEveryone(s.Principal);
  return everyone && !restrictingEntry(s.Condition);
}

/** The statements that make a policy public. */
export function publicStatements(statements: readonly Statement[]): PublicStatement[] {
  const out: PublicStatement[] = [];
  statements.forEach((s, i) => {
    if (!isPublicStatement(s)) return;
    const name = `statement ${i + 1}${typeof s.Sid === 'string' && s.Sid ? ` ("${s.Sid}")` : ''}`;
    const who = s.NotPrincipal !== undefined ? `everyone except ${describeList(asList(s.NotPrincipal))}` : 'anyone';
    const what = s.NotAction !== undefined ? `every action except ${describeList(s.NotAction)}` : describeList(s.Action);
    out.push({
      number: i + 1,
      ...(typeof s.Sid === 'string' && s.Sid ? { sid: s.Sid } : {}),
      description: `${name} allows ${who} ${what}`,
    });
  });
  return out;
}

// ---- the verdict ----------------------------------------------------------------------------

/** What was read of a bucket policy. */
export type PolicyState = { kind: 'none' } | { kind: 'parsed'; statements: Statement[] } | { kind: 'unreadable'; reason: string };

export interface ExposureInput {
  /** The ACL's grants; `null` when not read (the bucket's own IgnorePublicAcls made reading it pointless). */
  acl: readonly AclGrant[] | null;
  policy: PolicyState;
  bucketBlock: BlockConfig | null;
  accountBlock: BlockConfig | null;
}

export interface Exposure {
  /** Public now, with the blocks in force; `unknown` when a policy that could matter cannot be read. */
  status: 'public' | 'private' | 'unknown';
  /** Why it is public now (empty otherwise), one phrase each: "its ACL grants READ to everyone (AllUsers)". */
  reasons: string[];
  /** Public grants and statements that a Block Public Access setting neutralises today. */
  neutralised: string[];
  /** Why the verdict is `unknown`. */
  unknown?: string;
}

/** Where two configurations differ, the stricter one counts (S3 combines bucket and account so). */
export function combinedBlock(a: BlockConfig | null, b: BlockConfig | null): BlockConfig {
  return Object.fromEntries(BLOCK_SETTINGS.map((s) => [s, !!a?.[s] || !!b?.[s]])) as BlockConfig;
}

export function assessExposure(input: ExposureInput): Exposure {
  const inForce = combinedBlock(input.bucketBlock, input.accountBlock);
  const reasons: string[] = [];
  const neutralised: string[] = [];

  const grants = publicGrants(input.acl);
  if (grants.length) (inForce.IgnorePublicAcls ? neutralised : reasons).push(describeGrants(grants));

  let unknown: string | undefined;
  if (input.policy.kind === 'parsed') {
    const statements = publicStatements(input.policy.statements);
    if (statements.length) {
      const text = `its policy: ${statements.map((s) => s.description).join('; ')}`;
      (inForce.RestrictPublicBuckets ? neutralised : reasons).push(text);
    }
  } else if (input.policy.kind === 'unreadable' && !inForce.RestrictPublicBuckets) {
    unknown = `its policy cannot be read (${input.policy.reason})`;
  }

  const status = reasons.length ? 'public' : unknown ? 'unknown' : 'private';
  return { status, reasons, neutralised, ...(unknown ? { unknown } : {}) };
}
