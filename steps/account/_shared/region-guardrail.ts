/**
 * The deny-other-regions guardrail as a policy document: built from the chosen regions, and
 * recognised in policies that are already there (ours or anyone's). Pure: no AWS calls.
 *
 * One statement: Deny, NotAction (global services that must keep working), Resource *, and
 * StringNotEquals aws:RequestedRegion [chosen regions]. The same document serves as a service
 * control policy and as a customer-managed IAM policy.
 */

/** The name of the policy the tool creates (an SCP, or a customer-managed IAM policy). */
export const POLICY_NAME = 'secure-start-deny-other-regions';
export const POLICY_DESCRIPTION = 'Denies regional actions outside the regions chosen in secure-start (account.regions); global services exempt';
export const STATEMENT_ID = 'DenyOutsideChosenRegions';

/**
 * Actions the guardrail never denies: services with one global endpoint (their requests carry
 * us-east-1 or us-west-2 whatever region you work in) and a few account-level reads. Grouped by
 * reason so the list stays reviewable.
 */
export const GLOBAL_EXEMPTIONS: readonly string[] = [
  // identity, organization, the account itself
  'iam:*',
  'sts:*',
  'organizations:*',
  'account:*',
  // billing and cost
  'aws-portal:*',
  'billing:*',
  'budgets:*',
  'ce:*',
  'cur:*',
  'freetier:*',
  'invoicing:*',
  'payments:*',
  'pricing:*',
  'purchase-orders:*',
  'savingsplans:*',
  'tax:*',
  // support and advice
  'health:*',
  'support:*',
  'trustedadvisor:*',
  'wellarchitected:*',
  // edge, DNS and global networking
  'cloudfront:*',
  'globalaccelerator:*',
  'route53:*',
  'route53domains:*',
  'route53-recovery-cluster:*',
  'route53-recovery-control-config:*',
  'route53-recovery-readiness:*',
  'directconnect:*',
  'networkmanager:*',
  'ec2:DescribeRegions',
  'ec2:DescribeTransitGateways',
  'ec2:DescribeVpnGateways',
  // protection at the edge (CloudFront-scoped WAF and certificates live in us-east-1)
  'waf:*',
  'wafv2:*',
  'shield:*',
  'acm:*',
  // account-wide S3 settings and the bucket list
  's3:GetAccountPublic*',
  's3:PutAccountPublic*',
  's3:ListAllMyBuckets',
  's3:ListMultiRegionAccessPoints',
  // other single-endpoint services
  'aws-marketplace:*',
  'aws-marketplace-management:*',
  'chatbot:*',
  'ecr-public:*',
  'importexport:*',
];

/** Organizations refuses an SCP longer than this (characters, as sent). */
export const SCP_MAX_CHARS = 5120;
/** IAM refuses a managed policy longer than this (characters without whitespace). */
export const IAM_POLICY_MAX_CHARS = 6144;

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Deny';
  NotAction: string[];
  Resource: '*';
  Condition: { StringNotEquals: { 'aws:RequestedRegion': string[] } };
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/**
 * The guardrail for `allowed`. Exemptions someone added to an earlier version of our policy
 * (`keepExemptions`) are kept: the tool adds its own, never removes theirs.
 */
export function guardrailDocument(allowed: readonly string[], keepExemptions: readonly string[] = []): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: STATEMENT_ID,
        Effect: 'Deny',
        NotAction: [...GLOBAL_EXEMPTIONS, ...keepExemptions.filter((a) => !GLOBAL_EXEMPTIONS.includes(a)).sort()],
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': sorted(allowed) } },
      },
    ],
  };
}

/** The document as sent: compact JSON (both size limits count characters). */
export function documentText(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const strings = (v: unknown): string[] => asArray(v).filter((x): x is string => typeof x === 'string');

/** Policy documents arrive as JSON text (Organizations), URL-encoded text or parsed objects (IAM). */
export function parseDocument(doc: unknown): Record<string, unknown> | undefined {
  if (doc && typeof doc === 'object') return doc as Record<string, unknown>;
  if (typeof doc !== 'string' || !doc.trim()) return undefined;
  for (const text of [doc, safeDecode(doc)]) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {
      /* try the next form */
    }
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The regions a deny statement leaves open, when it is a region guardrail; else undefined. */
function statementAllowed(st: unknown): string[] | undefined {
  if (!st || typeof st !== 'object') return undefined;
  const s = st as Record<string, unknown>;
  if (s.Effect !== 'Deny') return undefined;
  // Every action (Action "*") or every action but some (NotAction) — not a deny on a few actions.
  const everything = s.NotAction !== undefined || strings(s.Action).includes('*');
  if (!everything) return undefined;
  if (!strings(s.Resource).includes('*') && s.NotResource === undefined) return undefined;
  const cond = s.Condition;
  if (!cond || typeof cond !== 'object') return undefined;
  for (const [op, block] of Object.entries(cond as Record<string, unknown>)) {
    if (!/^StringNotEquals(IgnoreCase)?$/.test(op) || !block || typeof block !== 'object') continue;
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      if (key.toLowerCase() === 'aws:requestedregion') return sorted(strings(value).map((r) => r.toLowerCase()));
    }
  }
  return undefined;
}

/**
 * The regions a policy leaves open when it holds a deny-other-regions statement (several such
 * statements: the regions all of them leave open); undefined when it holds none.
 */
export function allowedRegionsOf(doc: unknown): string[] | undefined {
  const parsed = parseDocument(doc);
  if (!parsed) return undefined;
  let out: string[] | undefined;
  for (const st of asArray(parsed.Statement)) {
    const allowed = statementAllowed(st);
    if (allowed) out = out ? out.filter((r) => allowed.includes(r)) : allowed;
  }
  return out;
}

/** The NotAction entries of our statement (to keep someone's additions on an update). */
export function exemptionsOf(doc: unknown): string[] {
  const parsed = parseDocument(doc);
  if (!parsed) return [];
  const st = asArray(parsed.Statement).find((s) => statementAllowed(s) !== undefined) as Record<string, unknown> | undefined;
  return st ? strings(st.NotAction) : [];
}

/** Regions common to several allowed-lists (several guardrails on one target all apply). */
export function intersect(lists: readonly (readonly string[])[]): string[] {
  const [first, ...rest] = lists;
  if (!first) return [];
  return sorted(first.filter((r) => rest.every((l) => l.includes(r))));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(canonical);
    return items.every((x) => typeof x === 'string') ? [...(items as string[])].sort() : items;
  }
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, canonical(x)]),
    );
  return v;
}

/** Two documents say the same thing (key order, list order and formatting aside; a lone string equals a one-item list). */
export function sameDocument(a: unknown, b: unknown): boolean {
  const norm = (d: unknown) => JSON.stringify(canonical(normalizeSingletons(parseDocument(d))));
  return norm(a) === norm(b);
}

/** IAM accepts "Resource": "*" and "Resource": ["*"] alike; compare them alike. */
function normalizeSingletons(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 1 && typeof v[0] === 'string' ? v[0] : v.map(normalizeSingletons);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, normalizeSingletons(x)]));
  return v;
}

/** Characters IAM counts against its limit: whitespace is not counted. */
export function iamPolicySize(doc: PolicyDocument): number {
  return documentText(doc).replace(/\s/g, '').length;
}
