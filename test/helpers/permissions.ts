/**
 * Proves the printed policy against what a step really sends (issue 9, items 3 and 5): every request
 * the factory lets through is mapped to the IAM authorizations AWS makes for it (its own action
 * through iamActionFor, plus what src/aws/actions.ts IMPLIED adds), then looked up in the policy that
 * `secure-start policy` prints for that step: the check policy for check and plan, the fix policy
 * for applying. Resources and condition keys are derived from the request where the tool's policy
 * narrows them, so a statement scoped to `secure-start-*` is proven to cover the names really used.
 */
import { iamActionFor, impliedBy } from '../../src/aws/actions.js';
import { buildPolicy } from '../../src/cli/commands/policy.js';
import type { PolicyDocument } from '../../src/cli/commands/policy.js';
import type { StepMeta } from '../../src/engine/types.js';
import { registry } from '../../steps/index.js';
import type { StepEntry } from '../../steps/index.js';

export interface SentRequest {
  /** As the factory names it: `IAM`, `S3`, `CloudWatchLogs`… */
  service: string;
  operation: string;
  input: unknown;
}

/** One authorization AWS makes for a request. */
export interface Needed {
  action: string;
  /** The resource ARN, where the request names it; absent: not derived (any resource pattern matches). */
  resource?: string;
  /** Condition keys AWS sets for it. */
  context: Record<string, string>;
  /** `S3:PutBucketPolicy`, or `implied by EC2:CreateFlowLogs` */
  because: string;
}

/** Calls that need no permission. */
const FREE = new Set(['sts:GetCallerIdentity']);

type Input = Record<string, unknown>;
const s = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const arn = (service: string, region: string, account: string, rest: string | undefined) => (rest ? `arn:aws:${service}:${region}:${account}:${rest}` : undefined);

/** The resource a request acts on, for the actions the tool's policy narrows. */
const RESOURCE: Record<string, (i: Input, account: string) => string | undefined> = {
  'iam:CreateRole': (i, a) => arn('iam', '', a, s(i.RoleName) && `role/${s(i.RoleName)}`),
  'iam:PutRolePolicy': (i, a) => arn('iam', '', a, s(i.RoleName) && `role/${s(i.RoleName)}`),
  'iam:AttachRolePolicy': (i, a) => arn('iam', '', a, s(i.RoleName) && `role/${s(i.RoleName)}`),
  'iam:CreateInstanceProfile': (i, a) => arn('iam', '', a, s(i.InstanceProfileName) && `instance-profile/${s(i.InstanceProfileName)}`),
  'iam:AddRoleToInstanceProfile': (i, a) => arn('iam', '', a, s(i.InstanceProfileName) && `instance-profile/${s(i.InstanceProfileName)}`),
  'iam:CreatePolicy': (i, a) => arn('iam', '', a, s(i.PolicyName) && `policy/${s(i.PolicyName)}`),
  'iam:CreatePolicyVersion': (i) => s(i.PolicyArn),
  'iam:DeletePolicyVersion': (i) => s(i.PolicyArn),
  'iam:CreateGroup': (i, a) => arn('iam', '', a, s(i.GroupName) && `group/${s(i.GroupName)}`),
  'iam:PutGroupPolicy': (i, a) => arn('iam', '', a, s(i.GroupName) && `group/${s(i.GroupName)}`),
  'iam:AttachGroupPolicy': (i, a) => arn('iam', '', a, s(i.GroupName) && `group/${s(i.GroupName)}`),
  'sns:CreateTopic': (i, a) => arn('sns', '*', a, s(i.Name)),
  'sns:SetTopicAttributes': (i) => s(i.TopicArn),
  'sns:Subscribe': (i) => s(i.TopicArn),
  'events:PutRule': (i, a) => arn('events', '*', a, s(i.Name) && `rule/${s(i.Name)}`),
  'events:PutTargets': (i, a) => arn('events', '*', a, s(i.Rule) && `rule/${s(i.Rule)}`),
  'logs:CreateLogGroup': (i, a) => arn('logs', '*', a, s(i.logGroupName) && `log-group:${s(i.logGroupName)}`),
  'logs:PutRetentionPolicy': (i, a) => arn('logs', '*', a, s(i.logGroupName) && `log-group:${s(i.logGroupName)}`),
  'cloudwatch:PutMetricAlarm': (i, a) => arn('cloudwatch', '*', a, s(i.AlarmName) && `alarm:${s(i.AlarmName)}`),
  'cloudtrail:CreateTrail': (i, a) => arn('cloudtrail', '*', a, s(i.Name) && `trail/${s(i.Name)}`),
  'kms:CreateAlias': (i, a) => arn('kms', '*', a, s(i.AliasName)),
};

/** Condition keys a request sets, for the actions the tool's policy conditions. */
const CONTEXT: Record<string, (i: Input) => Record<string, string | undefined>> = {
  'iam:AttachGroupPolicy': (i) => ({ 'iam:PolicyARN': s(i.PolicyArn) }),
  'iam:AttachRolePolicy': (i) => ({ 'iam:PolicyARN': s(i.PolicyArn) }),
  'iam:DetachRolePolicy': (i) => ({ 'iam:PolicyARN': s(i.PolicyArn) }),
  'iam:CreateServiceLinkedRole': (i) => ({ 'iam:AWSServiceName': s(i.AWSServiceName) }),
};

const defined = (r: Record<string, string | undefined>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, string>;

/** The authorizations one request needs. */
export function neededFor(r: SentRequest, account: string): Needed[] {
  const action = iamActionFor(r.service, r.operation);
  if (FREE.has(action)) return [];
  const input = (typeof r.input === 'object' && r.input !== null ? r.input : {}) as Input;
  // S3 names its bucket in every bucket call.
  const resource = RESOURCE[action]?.(input, account) ?? (action.startsWith('s3:') && s(input.Bucket) ? `arn:aws:s3:::${s(input.Bucket)}` : undefined);
  const own: Needed = { action, ...(resource ? { resource } : {}), context: defined(CONTEXT[action]?.(input) ?? {}), because: `${r.service}:${r.operation}` };
  const implied = impliedBy(action, input).flatMap((rule) =>
    rule.actions.map((a): Needed => {
      const res = rule.resource?.(input);
      return { action: a, ...(res ? { resource: res } : {}), context: { ...rule.context }, because: `implied by ${r.service}:${r.operation} (${rule.why})` };
    }),
  );
  return [own, ...implied];
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

function conditionHolds(op: string, have: string | undefined, want: string | string[]): boolean {
  if (have === undefined) return false;
  const values = Array.isArray(want) ? want : [want];
  if (op === 'StringEquals' || op === 'ArnEquals') return values.includes(have);
  if (op === 'StringLike' || op === 'ArnLike') return values.some((v) => wildcard(v).test(have));
  throw new Error(`Condition operator ${op} is not understood by test/helpers/permissions.ts: teach it before using it.`);
}

/** Whether a statement of `policy` allows `n`. */
export function policyAllows(policy: PolicyDocument, n: Needed): boolean {
  return policy.Statement.some((st) => {
    if (!st.Action.some((a) => wildcard(a).test(n.action))) return false;
    const resources = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
    if (n.resource && !resources.some((r) => wildcard(r).test(n.resource!))) return false;
    return Object.entries(st.Condition ?? {}).every(([op, kv]) => Object.entries(kv).every(([key, want]) => conditionHolds(op, n.context[key], want)));
  });
}

/** The registry's meta for this step (tests sometimes run a copy), else the step's own. */
export function registryEntry(meta: StepMeta): StepEntry {
  return registry.find((e) => e.meta.id === meta.id) ?? { meta, load: async () => Promise.reject(new Error('not in the registry')) };
}

/** Problems: requests the printed policy for `mode` does not allow. */
export function uncovered(meta: StepMeta, mode: 'check' | 'fix', sent: readonly SentRequest[], account: string): string[] {
  const policy = buildPolicy([registryEntry(meta)], mode);
  const out = new Set<string>();
  for (const r of sent)
    for (const n of neededFor(r, account))
      if (!policyAllows(policy, n))
        out.add(`${n.action}${n.resource ? ` on ${n.resource}` : ''}${Object.keys(n.context).length ? ` with ${JSON.stringify(n.context)}` : ''} (${n.because})`);
  return [...out];
}

/**
 * Declared fix actions the sandbox tables cannot make a step send, each with the reason. Kept
 * small: anything here is declared on the word of the code, not proven by a recorded request.
 */
export const FIX_ALLOWANCES: Record<string, Record<string, string>> = {
  'resources.ec2-imdsv2': {
    'ec2:ModifyInstanceMetadataDefaults': 'moto implements no instance metadata defaults (GetInstanceMetadataDefaults is a 500), so no case plans the change',
  },
  'resources.ec2-instance-connect': {
    'ec2:CreateInstanceConnectEndpoint': 'moto implements no Instance Connect endpoints (a 500); the create path is proven with SDK stubs in test/unit/step-ec2-instance-connect.test.ts',
    'ec2:CreateNetworkInterface': 'implied by CreateInstanceConnectEndpoint, which moto does not implement',
    'ec2:CreateTags': 'implied by CreateInstanceConnectEndpoint, which moto does not implement',
    'iam:CreateServiceLinkedRole': 'implied by CreateInstanceConnectEndpoint, which moto does not implement',
    'ec2:DeleteInstanceConnectEndpoint': 'undo of CreateInstanceConnectEndpoint, which moto does not implement',
  },
  'resources.backups': {
    'backup:CreateBackupSelection': 'moto implements no backup selections (a 500), so no table case can apply a plan that makes one; proven with SDK stubs in test/sandbox/steps-backups.test.ts',
    'iam:PassRole': 'implied by CreateBackupSelection, which moto does not implement',
    'iam:CreateRole': 'made only with a selection (see backup:CreateBackupSelection); sent and proven against the fix policy beyond the table',
    'iam:AttachRolePolicy': 'made only with a selection (see backup:CreateBackupSelection); sent and proven against the fix policy beyond the table',
    'backup:CreateBackupVault': 'made only with a selection (see backup:CreateBackupSelection); sent and proven against the fix policy beyond the table',
    'backup:CreateBackupPlan': 'made only with a selection (see backup:CreateBackupSelection); sent and proven against the fix policy beyond the table',
    'rds:AddTagsToResource': 'planned only for a database no plan covers, which moto cannot tell apart without selections; sent and proven beyond the table',
    'rds:RemoveTagsFromResource': 'undo of AddTagsToResource (see above); sent and proven against the fix policy in the stubbed undo test of test/sandbox/steps-backups.test.ts',
    'iam:DetachRolePolicy': 'undo of AttachRolePolicy, made only with a selection; sent and proven in the stubbed undo test',
    'iam:DeleteRole': 'undo of CreateRole, made only with a selection; sent and proven in the stubbed undo test',
    'backup:DeleteBackupSelection': 'undo of CreateBackupSelection, which moto does not implement; sent and proven in the stubbed undo test',
    'backup:DeleteBackupPlan': 'undo of CreateBackupPlan, made only with a selection; sent and proven in the stubbed undo test',
    'backup:DeleteBackupVault': 'undo of CreateBackupVault, made only with a selection; sent and proven in the stubbed undo test',
    'backup:DeleteRecoveryPoint': 'undo of a vault that holds backups (destructive); moto takes no backups; sent in the stubbed undo test',
  },
  'resources.public-sharing': {
    'ec2:EnableSnapshotBlockPublicAccess': 'moto does not implement GetSnapshotBlockPublicAccessState (HTTP 500), so no case reads a state to change',
    'ec2:EnableImageBlockPublicAccess': 'moto does not implement GetImageBlockPublicAccessState (HTTP 500), so no case reads a state to change',
    'ec2:ModifySnapshotAttribute': 'a table case cannot name a snapshot id before its seed makes it; sent and proven against the fix policy beyond the table',
    'ec2:ModifyImageAttribute': 'a table case cannot name an AMI id before its seed makes it; sent and proven against the fix policy beyond the table',
    'ec2:DisableSnapshotBlockPublicAccess': 'undo of EnableSnapshotBlockPublicAccess, which no case can plan on moto (see above)',
    'ec2:DisableImageBlockPublicAccess': 'undo of EnableImageBlockPublicAccess, which no case can plan on moto (see above)',
  },
  'account.regions': {
    'account:DisableRegion': 'moto implements no region opt-in (account:ListRegions is a 404), so no opt-in region is ever enabled to disable',
    'iam:DeletePolicyVersion': 'sent only when the guardrail policy already has the five versions IAM keeps; no case edits it five times',
    'account:EnableRegion': 'the undo of DisableRegion, which moto cannot reach (no region opt-in)',
  },
};

/** The fix actions a step declares, without those marked root-only (not in the printed policy). */
export function declaredFix(meta: StepMeta): Set<string> {
  const root = new Set((meta.permissions.grants ?? []).filter((g) => g.rootOnly).flatMap((g) => g.actions));
  return new Set(meta.permissions.fix.filter((a) => !root.has(a)));
}

/** Both ways: what the fix sent (mapped, implied included) but is not declared, and what is declared but never sent nor allowed. */
export function fixDiff(meta: StepMeta, applied: readonly SentRequest[], account: string): { missing: string[]; extra: string[] } {
  const m = registryEntry(meta).meta;
  const used = new Set(applied.flatMap((r) => neededFor(r, account).map((n) => n.action)));
  const declared = declaredFix(m);
  const allowed = FIX_ALLOWANCES[m.id] ?? {};
  return {
    missing: [...used].filter((a) => !declared.has(a)).sort(),
    extra: [...declared].filter((a) => !used.has(a) && !(a in allowed)).sort(),
  };
}
