/**
 * Pure logic of monitoring.alerts: which EventBridge patterns deliver GuardDuty findings of medium
 * severity and above, which metric filter patterns watch the root user, which SNS topic policies
 * let a service publish, and the names and documents of what the fix creates. No AWS calls here.
 */
import type { PolicyDocument, Statement } from '../../../src/aws/policy.js';
import { parsePolicy, serializePolicy, statementsOf } from '../../../src/aws/policy.js';

export const TOPIC_NAME = 'secure-start-alerts';
export const RULE_NAME = 'secure-start-guardduty-findings';
export const FORWARDER_ROLE = 'secure-start-events-forwarder';
export const FORWARDER_POLICY = 'secure-start-forward-to-home-bus';
export const LOGS_ROLE = 'secure-start-cloudtrail-to-logs';
export const LOGS_POLICY = 'secure-start-cloudtrail-to-logs';
export const LOG_GROUP = '/secure-start/cloudtrail';
export const FILTER_NAME = 'secure-start-root-activity';
export const ALARM_NAME = 'secure-start-root-activity';
export const ROOT_METRIC = { name: 'RootActivity', namespace: 'SecureStart' } as const;
/** CIS's root-usage filter: the root user acting by itself, not an AWS service acting for it. */
export const ROOT_FILTER_PATTERN = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';
/** The Sid of the statement the fix adds to the topic's access policy. */
export const PUBLISH_SID = 'SecureStartAlertsPublish';
export const LOG_RETENTION_DAYS = 365;

/** GuardDuty severities: low 1.0–3.9, medium 4.0–6.9, high 7.0–8.9, critical 9.0–10.0. */
export const MEDIUM = 4;
export const MAX_SEVERITY = 10;

/** The pattern the fix puts on its rules: every finding of medium severity and above. */
export const GUARDDUTY_PATTERN = {
  source: ['aws.guardduty'],
  'detail-type': ['GuardDuty Finding'],
  detail: { severity: [{ numeric: ['>=', MEDIUM] }] },
};

export function severityName(n: number): string {
  if (n < 4) return 'low';
  if (n < 7) return 'medium';
  if (n < 9) return 'high';
  return 'critical';
}

/**
 * What an event pattern does with GuardDuty findings (in this account and region):
 * - `unrelated`: it does not match them (another source, or not a pattern at all);
 * - `narrowed`: it matches only some findings for another reason than severity (a finding type, a resource…);
 * - `severity`: it matches findings whose severity is at least `from` (`null`: every severity;
 *   `undefined`: not even the most severe), and `ok` says whether that includes medium ones.
 */
export type Coverage =
  | { kind: 'unrelated' }
  | { kind: 'narrowed'; why: string }
  | { kind: 'severity'; from: number | null | undefined; inclusive: boolean; ok: boolean };

type Matcher = unknown;

/** Whether the matchers of one field accept `value` (a string field such as source or detail-type). */
function acceptsString(matchers: Matcher, value: string): boolean {
  if (!Array.isArray(matchers)) return false;
  return matchers.some((m) => {
    if (typeof m === 'string') return m === value;
    if (typeof m !== 'object' || m === null) return false;
    const o = m as Record<string, unknown>;
    if (typeof o.prefix === 'string') return value.startsWith(o.prefix);
    if (typeof o.suffix === 'string') return value.endsWith(o.suffix);
    if (typeof o['equals-ignore-case'] === 'string') return value.toLowerCase() === o['equals-ignore-case'].toLowerCase();
    if (typeof o.wildcard === 'string') return globMatch(o.wildcard, value);
    if (o.exists === true) return true;
    if ('anything-but' in o) {
      const but = o['anything-but'];
      if (typeof but === 'string') return but !== value;
      if (Array.isArray(but)) return !but.includes(value);
      return false;
    }
    return false;
  });
}

function globMatch(glob: string, value: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

interface Interval {
  lo: number;
  loIn: boolean;
  hi: number;
  hiIn: boolean;
}

/** The severities one matcher accepts, as an interval; undefined when it accepts no number we can name. */
function intervalOf(m: Matcher): Interval | undefined {
  if (typeof m === 'number') return { lo: m, loIn: true, hi: m, hiIn: true };
  if (typeof m !== 'object' || m === null) return undefined;
  const o = m as Record<string, unknown>;
  if (o.exists === true) return { lo: -Infinity, loIn: false, hi: Infinity, hiIn: false };
  if (!Array.isArray(o.numeric)) return undefined;
  const terms = o.numeric as unknown[];
  const out: Interval = { lo: -Infinity, loIn: false, hi: Infinity, hiIn: false };
  for (let i = 0; i + 1 < terms.length; i += 2) {
    const op = terms[i];
    const v = terms[i + 1];
    if (typeof v !== 'number') return undefined;
    if (op === '>' || op === '>=') Object.assign(out, { lo: v, loIn: op === '>=' });
    else if (op === '<' || op === '<=') Object.assign(out, { hi: v, hiIn: op === '<=' });
    else if (op === '=') Object.assign(out, { lo: v, loIn: true, hi: v, hiIn: true });
    else return undefined;
  }
  return out;
}

/** The lowest severity from which every finding up to the maximum is accepted, or undefined when the top is not. */
export function severityFloor(matchers: Matcher): { from: number | null; inclusive: boolean } | undefined {
  if (!Array.isArray(matchers)) return undefined;
  const spans = matchers.map(intervalOf).filter((x): x is Interval => x !== undefined);
  spans.sort((a, b) => a.lo - b.lo || Number(b.loIn) - Number(a.loIn));
  const merged: Interval[] = [];
  for (const s of spans) {
    const cur = merged.at(-1);
    if (cur && (s.lo < cur.hi || (s.lo === cur.hi && (s.loIn || cur.hiIn)))) {
      if (s.hi > cur.hi || (s.hi === cur.hi && s.hiIn)) Object.assign(cur, { hi: s.hi, hiIn: s.hiIn || (s.hi === cur.hi && cur.hiIn) });
    } else merged.push({ ...s });
  }
  const top = merged.find((s) => (s.lo < MAX_SEVERITY || (s.lo === MAX_SEVERITY && s.loIn)) && (s.hi > MAX_SEVERITY || (s.hi === MAX_SEVERITY && s.hiIn)));
  if (!top) return undefined;
  return { from: top.lo === -Infinity ? null : top.lo, inclusive: top.loIn };
}

/** The top-level fields of an event that do not narrow which GuardDuty findings match, once checked. */
const CHECKED = new Set(['source', 'detail-type', 'detail', 'account', 'region']);

export function guardDutyCoverage(pattern: string | undefined, where: { account: string; region: string }): Coverage {
  if (!pattern) return { kind: 'unrelated' };
  let p: unknown;
  try {
    p = JSON.parse(pattern);
  } catch {
    return { kind: 'unrelated' };
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return { kind: 'unrelated' };
  const o = p as Record<string, unknown>;
  if ('source' in o && !acceptsString(o.source, 'aws.guardduty')) return { kind: 'unrelated' };
  if ('detail-type' in o && !acceptsString(o['detail-type'], 'GuardDuty Finding')) return { kind: 'unrelated' };
  if ('account' in o && !acceptsString(o.account, where.account)) return { kind: 'unrelated' };
  if ('region' in o && !acceptsString(o.region, where.region)) return { kind: 'unrelated' };
  const others = Object.keys(o).filter((k) => !CHECKED.has(k));
  if (others.length) return { kind: 'narrowed', why: `it also filters on ${others.join(', ')}` };
  if (!('detail' in o)) return { kind: 'severity', from: null, inclusive: true, ok: true };
  const detail = o.detail;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { kind: 'unrelated' };
  const keys = Object.keys(detail);
  const extra = keys.filter((k) => k !== 'severity');
  if (extra.length) return { kind: 'narrowed', why: `it also filters on ${extra.map((k) => `detail.${k}`).join(', ')}` };
  if (!keys.includes('severity')) return { kind: 'severity', from: null, inclusive: true, ok: true };
  const floor = severityFloor((detail as Record<string, unknown>).severity);
  if (!floor) return { kind: 'severity', from: undefined, inclusive: false, ok: false };
  const ok = floor.from === null || floor.from < MEDIUM || (floor.from === MEDIUM && floor.inclusive);
  return { kind: 'severity', from: floor.from, inclusive: floor.inclusive, ok };
}

/** Why a GuardDuty pattern that is not `ok` leaves findings out, in words. */
export function coverageGap(c: Coverage): string {
  if (c.kind === 'unrelated') return 'it does not match GuardDuty findings';
  if (c.kind === 'narrowed') return `it sends only some findings (${c.why})`;
  if (c.from === undefined) return 'its severity filter leaves out the most severe findings';
  if (c.from === null) return 'it sends every finding';
  return `it sends only findings of severity ${c.inclusive ? '' : 'above '}${c.from}${c.inclusive ? ' and above' : ''} (${severityName(c.from)}), so medium ones (4.0–6.9) are missed`;
}

/** Whether a CloudWatch Logs filter pattern tests that the caller is the root user (whitespace ignored). */
export function isRootFilter(pattern: string | undefined): boolean {
  if (!pattern) return false;
  const p = pattern.replace(/\s+/g, '');
  return /\$\.userIdentity\.type=("Root"|Root)(?![\w"])/.test(p);
}

/** Whether an alarm (threshold and operator) goes off for a single matching event in a period. */
export function firesOnOne(a: { ComparisonOperator?: string; Threshold?: number }): boolean {
  const t = a.Threshold;
  if (t === undefined) return false;
  if (a.ComparisonOperator === 'GreaterThanOrEqualToThreshold') return t <= 1;
  if (a.ComparisonOperator === 'GreaterThanThreshold') return t < 1;
  return false;
}

/** `arn:…:logs:REGION:ACCOUNT:log-group:NAME[:*]` → its parts. */
export function parseLogGroupArn(arn: string | undefined): { region: string; account: string; name: string } | undefined {
  const m = /^arn:[^:]+:logs:([^:]+):(\d*):log-group:(.+?)(?::\*)?$/.exec(arn ?? '');
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/** `arn:…:sns:REGION:ACCOUNT:NAME` → its parts. */
export function parseTopicArn(arn: string | undefined): { region: string; account: string; name: string } | undefined {
  const m = /^arn:[^:]+:sns:([^:]+):(\d+):([^:]+)$/.exec(arn ?? '');
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

export interface Names {
  partition: string;
  accountId: string;
}

export const topicArn = (t: Names, region: string) => `arn:${t.partition}:sns:${region}:${t.accountId}:${TOPIC_NAME}`;
export const ruleArn = (t: Names, region: string) => `arn:${t.partition}:events:${region}:${t.accountId}:rule/${RULE_NAME}`;
export const defaultBusArn = (t: Names, region: string) => `arn:${t.partition}:events:${region}:${t.accountId}:event-bus/default`;
export const roleArn = (t: Names, name: string) => `arn:${t.partition}:iam::${t.accountId}:role/${name}`;
export const alarmArn = (t: Names, region: string) => `arn:${t.partition}:cloudwatch:${region}:${t.accountId}:alarm:${ALARM_NAME}`;
export const logGroupArn = (t: Names, region: string, name = LOG_GROUP) => `arn:${t.partition}:logs:${region}:${t.accountId}:log-group:${name}:*`;

/** A trust policy that lets one AWS service assume a role, on behalf of this account only. */
export function trustPolicy(service: string, accountId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': accountId } } },
    ],
  };
}

/** The forwarder may put events on the home region's default bus, and nowhere else. */
export function forwarderPolicy(t: Names, home: string): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: defaultBusArn(t, home) }] };
}

/** CloudTrail may write log streams of our log group, and nothing else. */
export function logsRolePolicy(t: Names, region: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `arn:${t.partition}:logs:${region}:${t.accountId}:log-group:${LOG_GROUP}:log-stream:*`,
      },
    ],
  };
}

/** The access policy SNS gives a new topic: the owning account may use it. */
export function defaultTopicPolicy(arn: string, accountId: string): PolicyDocument {
  return {
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': accountId } },
      },
    ],
  };
}

/** Our statement: EventBridge and CloudWatch alarms of this account may publish to the topic. */
export function publishStatement(arn: string, accountId: string): Statement {
  return {
    Sid: PUBLISH_SID,
    Effect: 'Allow',
    Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
    Action: 'sns:Publish',
    Resource: arn,
    Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
  };
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function actionAllows(action: unknown, wanted: string): boolean {
  return list(action).some((a) => typeof a === 'string' && globMatch(a.toLowerCase(), wanted.toLowerCase()));
}

/** Whether the topic policy lets `service` (events.amazonaws.com…) publish to `arn`. Deny statements are not weighed. */
export function allowsPublish(policy: string | null | undefined, service: string, arn: string): boolean {
  if (!policy) return false;
  const parsed = parsePolicy(policy);
  if (!parsed.ok) return false;
  return parsed.statements.some((s) => {
    if (s.Effect !== 'Allow') return false;
    if (!actionAllows(s.Action, 'sns:Publish')) return false;
    if (!list(s.Resource).some((r) => typeof r === 'string' && globMatch(r, arn))) return false;
    const p = s.Principal;
    if (typeof p === 'object' && p !== null && list((p as Record<string, unknown>).Service).includes(service)) return true;
    const everyone = p === '*' || (typeof p === 'object' && p !== null && list((p as Record<string, unknown>).AWS).includes('*'));
    return everyone && !s.Condition;
  });
}

/**
 * The topic policy with our publish statement: `before` (null: the default policy of a new topic)
 * with every statement kept; null when EventBridge and CloudWatch may already publish.
 */
export function mergeTopicPolicy(before: string | null, arn: string, accountId: string): string | null {
  const wanted = publishStatement(arn, accountId);
  if (before !== null && allowsPublish(before, 'events.amazonaws.com', arn) && allowsPublish(before, 'cloudwatch.amazonaws.com', arn)) return null;
  let doc: PolicyDocument;
  if (before === null) doc = defaultTopicPolicy(arn, accountId);
  else {
    const parsed = parsePolicy(before);
    if (!parsed.ok) throw new Error(`The access policy of topic ${arn} cannot be parsed (${parsed.reason}); fix it by hand first.`);
    doc = { ...parsed.document, Statement: [...statementsOf(parsed.document)] };
  }
  const statements = doc.Statement as Statement[];
  const at = statements.findIndex((s) => s.Sid === PUBLISH_SID);
  if (at >= 0) statements[at] = wanted;
  else statements.push(wanted);
  return serializePolicy(doc);
}
