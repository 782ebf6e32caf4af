/**
 * The one logging bucket of the monitoring area. CloudTrail, VPC flow logs and AWS Config all
 * deliver to it, so it is made once (the first fix that needs it), and every later fix reuses it
 * and only adds the bucket-policy statements its own service needs.
 *
 * The bucket is private (Block Public Access on, ACLs disabled), refuses plain HTTP, encrypts with
 * SSE-S3, and its policy lets each delivering service write only below `AWSLogs/<account>/` and only
 * on behalf of this account (`aws:SourceAccount` / `aws:SourceArn`): nothing broader.
 *
 * `readLoggingBucket` is read-only (used by plans); `loggingBucketActions` returns the plan actions
 * that bring the bucket to that state, and nothing for what is already so.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { PlanAction, StepContext, Target, UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import { errorCode, nothingToUndo, recordedInverse, sameJson, undoWith } from '../../../src/engine/step-kit.js';
import type { PolicyDocument, Statement } from '../../../src/aws/policy.js';
import { parsePolicy, serializePolicy, statementsOf } from '../../../src/aws/policy.js';
import { insecureTransportDeny, isInsecureTransportDeny, tlsCoverage, covered } from '../../../src/aws/s3-tls.js';

/** The services that deliver to the logging bucket, each with the statements it needs. */
export type LogDelivery = { service: 'cloudtrail'; trailArn: string } | { service: 'flow-logs' } | { service: 'config' };

export interface LoggingBucket {
  name: string;
  region: string;
  arn: string;
  /** Whether the bucket exists in this account. */
  exists: boolean;
  /** The policy text as S3 returned it; null when there is none (or no bucket). */
  policy: string | null;
  publicAccessBlocked: boolean;
  encrypted: boolean;
  /** Object ownership is BucketOwnerEnforced (ACLs disabled). */
  aclsDisabled: boolean;
}

/**
 * `secure-start-logs-<account id>-<home region>`: derived from the account, so every run (and
 * every step) finds the same bucket, and the region says where the logs live.
 */
export function loggingBucketName(target: Pick<Target, 'accountId' | 'homeRegion'>): string {
  return `secure-start-logs-${target.accountId}-${target.homeRegion}`;
}

const isMissing = (err: unknown, ...codes: string[]) => {
  const code = errorCode(err);
  return codes.includes(code);
};

/** Reads the logging bucket's state. Read-only; a name owned by another account is an error that says so. */
export async function readLoggingBucket(ctx: StepContext): Promise<LoggingBucket> {
  const name = loggingBucketName(ctx.target);
  const region = ctx.target.homeRegion;
  const base: LoggingBucket = {
    name,
    region,
    arn: `arn:${ctx.target.partition}:s3:::${name}`,
    exists: false,
    policy: null,
    publicAccessBlocked: false,
    encrypted: false,
    aclsDisabled: false,
  };
  const s3 = ctx.client(S3Client, region);
  const owner = { Bucket: name, ExpectedBucketOwner: ctx.target.accountId };
  try {
    await s3.send(new HeadBucketCommand(owner));
  } catch (err) {
    const code = errorCode(err);
    if (code === 'NotFound' || code === 'NoSuchBucket' || code === '404') return base;
    if (code === 'Forbidden' || code === '403' || code === 'AccessDenied')
      throw new Error(
        `The logging bucket name ${name} answers 403: it belongs to another account, or this identity may not read it. ` +
          'Nothing is delivered there; ask your administrator, or create the bucket under this account first.',
        { cause: err },
      );
    throw err;
  }
  const [policy, pab, enc, own] = await Promise.all([
    s3.send(new GetBucketPolicyCommand(owner)).then(
      (r) => r.Policy ?? null,
      (err: unknown) => {
        if (isMissing(err, 'NoSuchBucketPolicy')) return null;
        throw err;
      },
    ),
    s3.send(new GetPublicAccessBlockCommand(owner)).then(
      (r) => {
        const c = r.PublicAccessBlockConfiguration ?? {};
        return Boolean(c.BlockPublicAcls && c.IgnorePublicAcls && c.BlockPublicPolicy && c.RestrictPublicBuckets);
      },
      (err: unknown) => {
        if (isMissing(err, 'NoSuchPublicAccessBlockConfiguration')) return false;
        throw err;
      },
    ),
    s3.send(new GetBucketEncryptionCommand(owner)).then(
      (r) => (r.ServerSideEncryptionConfiguration?.Rules ?? []).some((x) => x.ApplyServerSideEncryptionByDefault?.SSEAlgorithm),
      (err: unknown) => {
        if (isMissing(err, 'ServerSideEncryptionConfigurationNotFoundError')) return false;
        throw err;
      },
    ),
    s3.send(new GetBucketOwnershipControlsCommand(owner)).then(
      (r) => (r.OwnershipControls?.Rules ?? []).some((x) => x.ObjectOwnership === 'BucketOwnerEnforced'),
      (err: unknown) => {
        if (isMissing(err, 'OwnershipControlsNotFoundError')) return false;
        throw err;
      },
    ),
  ]);
  return { ...base, exists: true, policy, publicAccessBlocked: pab, encrypted: enc, aclsDisabled: own };
}

/**
 * The statements one delivering service needs, as AWS documents them, narrowed to this account:
 * an ACL check on the bucket, and writes below `AWSLogs/<account>/` with the owner-full-control ACL.
 */
export function deliveryStatements(d: LogDelivery, bucketArn: string, target: Pick<Target, 'accountId' | 'partition'>): Statement[] {
  const account = target.accountId;
  const own = { 's3:x-amz-acl': 'bucket-owner-full-control' };
  switch (d.service) {
    case 'cloudtrail': {
      const source = { 'aws:SourceArn': d.trailArn };
      return [
        {
          Sid: 'AWSCloudTrailAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: bucketArn,
          Condition: { StringEquals: source },
        },
        {
          Sid: 'AWSCloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${bucketArn}/AWSLogs/${account}/*`,
          Condition: { StringEquals: { ...own, ...source } },
        },
      ];
    }
    case 'flow-logs': {
      const source = { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': `arn:${target.partition}:logs:*:${account}:*` } };
      return [
        {
          Sid: 'AWSLogDeliveryAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: bucketArn,
          Condition: source,
        },
        {
          Sid: 'AWSLogDeliveryWrite',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${bucketArn}/AWSLogs/${account}/*`,
          Condition: { StringEquals: { ...own, 'aws:SourceAccount': account }, ArnLike: source.ArnLike },
        },
      ];
    }
    case 'config': {
      const source = { StringEquals: { 'aws:SourceAccount': account } };
      return [
        {
          Sid: 'AWSConfigBucketPermissionsCheck',
          Effect: 'Allow',
          Principal: { Service: 'config.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: bucketArn,
          Condition: source,
        },
        {
          Sid: 'AWSConfigBucketExistenceCheck',
          Effect: 'Allow',
          Principal: { Service: 'config.amazonaws.com' },
          Action: 's3:ListBucket',
          Resource: bucketArn,
          Condition: source,
        },
        {
          Sid: 'AWSConfigBucketDelivery',
          Effect: 'Allow',
          Principal: { Service: 'config.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${bucketArn}/AWSLogs/${account}/Config/*`,
          Condition: { StringEquals: { ...own, 'aws:SourceAccount': account } },
        },
      ];
    }
  }
}

/** Statement equality as JSON sees it (key order included: our own statements are built the same way every time). */
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export type PolicyMerge = { ok: true; after: string | null; changed: string[] } | { ok: false; reason: string };

/**
 * The bucket policy with the TLS-only deny and the statements of `deliveries`. Statements of other
 * services and any statement we do not own stay exactly as they were; one of ours with the same Sid
 * but other content (a renamed trail, say) is replaced. `after` is null when nothing changes.
 */
export function mergeLoggingPolicy(
  before: string | null,
  bucketArn: string,
  deliveries: LogDelivery[],
  target: Pick<Target, 'accountId' | 'partition'>,
): PolicyMerge {
  let doc: PolicyDocument;
  if (before === null) doc = { Version: '2012-10-17', Statement: [] };
  else {
    const parsed = parsePolicy(before);
    if (!parsed.ok) return { ok: false, reason: `the policy of the logging bucket cannot be parsed: ${parsed.reason}; fix or delete it by hand first` };
    doc = { ...parsed.document, Statement: [...statementsOf(parsed.document)] };
  }
  const statements = doc.Statement as Statement[];
  const changed: string[] = [];
  if (!covered(tlsCoverage(statements, bucketArn)) && !statements.some(isInsecureTransportDeny)) {
    statements.push(insecureTransportDeny(bucketArn));
    changed.push('DenyInsecureTransport');
  } else if (!covered(tlsCoverage(statements, bucketArn))) {
    // A TLS deny that covers only part of the bucket: add ours beside it (distinct Sid).
    statements.push(insecureTransportDeny(bucketArn, 'DenyInsecureTransportLogging'));
    changed.push('DenyInsecureTransportLogging');
  }
  for (const d of deliveries) {
    for (const want of deliveryStatements(d, bucketArn, target)) {
      const at = statements.findIndex((s) => s.Sid === want.Sid);
      if (at < 0) {
        statements.push(want);
        changed.push(want.Sid!);
      } else if (!same(statements[at], want)) {
        statements[at] = want;
        changed.push(want.Sid!);
      }
    }
  }
  if (changed.length === 0) return { ok: true, after: null, changed };
  return { ok: true, after: serializePolicy(doc), changed };
}

async function currentPolicy(s3: S3Client, bucket: string, owner: string): Promise<string | null> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: owner }))).Policy ?? null;
  } catch (err) {
    if (isMissing(err, 'NoSuchBucketPolicy', 'NoSuchBucket')) return null;
    throw err;
  }
}

/**
 * The actions that make the logging bucket ready for `deliveries`: create it when it is missing,
 * then whatever of Block Public Access, ACLs disabled, default encryption and the policy is not yet
 * in place. Empty when the bucket is ready. Throws (with the reason) when its policy cannot be merged.
 */
export function loggingBucketActions(ctx: StepContext, bucket: LoggingBucket, deliveries: LogDelivery[]): PlanAction[] {
  const { name, region } = bucket;
  const account = ctx.target.accountId;
  const s3 = (c: StepContext) => c.client(S3Client, region);
  const actions: PlanAction[] = [];
  if (!bucket.exists) {
    const params = {
      Bucket: name,
      ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region } }),
    };
    actions.push({
      service: 's3',
      operation: 'CreateBucket',
      region,
      params,
      summary: `Create the logging bucket ${name} in ${region} (shared by CloudTrail, flow logs and AWS Config)`,
      inverse: { service: 's3', operation: 'DeleteBucket', region, params: { Bucket: name }, summary: `Delete the bucket ${name} (only possible while it is empty)` },
      async run(c) {
        try {
          await s3(c).send(new CreateBucketCommand(params as ConstructorParameters<typeof CreateBucketCommand>[0]));
        } catch (err) {
          // Made by an earlier step of this same run, or a moment ago by someone else in this account: reuse it.
          if (errorCode(err) === 'BucketAlreadyOwnedByYou') return { output: { reused: true } };
          if (errorCode(err) === 'BucketAlreadyExists')
            throw new Error(`The bucket name ${name} is taken by another AWS account. Nothing was created; ask for help before going on.`, { cause: err });
          throw err;
        }
        return { output: { created: true } };
      },
    });
  }
  // Settings of a bucket made in this same fix go with it (its undo deletes it); on a bucket that
  // was there already, the setting it had is not recorded, so undo leaves the protection on.
  const settingUndo = bucket.exists
    ? { irreversible: `the earlier setting of ${name} is not recorded, so undo leaves this protection on` }
    : {};
  const withBucket = { output: { withNewBucket: !bucket.exists } };
  if (!bucket.publicAccessBlocked) {
    const params = {
      Bucket: name,
      ExpectedBucketOwner: account,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    };
    actions.push({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      region,
      params,
      summary: `Turn on all four Block Public Access settings of ${name}`,
      ...settingUndo,
      async run(c) {
        await s3(c).send(new PutPublicAccessBlockCommand(params));
        return withBucket;
      },
    });
  }
  if (!bucket.aclsDisabled) {
    const params = { Bucket: name, ExpectedBucketOwner: account, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' as const }] } };
    actions.push({
      service: 's3',
      operation: 'PutBucketOwnershipControls',
      region,
      params,
      summary: `Disable ACLs on ${name}: the account owns every log object, whoever writes it`,
      ...settingUndo,
      async run(c) {
        await s3(c).send(new PutBucketOwnershipControlsCommand(params));
        return withBucket;
      },
    });
  }
  if (!bucket.encrypted) {
    const params = {
      Bucket: name,
      ExpectedBucketOwner: account,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const } }] },
    };
    actions.push({
      service: 's3',
      operation: 'PutBucketEncryption',
      region,
      params,
      summary: `Encrypt every new object in ${name} at rest (SSE-S3, free)`,
      ...settingUndo,
      async run(c) {
        await s3(c).send(new PutBucketEncryptionCommand(params));
        return withBucket;
      },
    });
  }
  const merge = mergeLoggingPolicy(bucket.policy, bucket.arn, deliveries, ctx.target);
  if (!merge.ok) throw new Error(merge.reason);
  if (merge.after !== null) {
    const before = bucket.policy;
    const params = { Bucket: name, ExpectedBucketOwner: account, Policy: merge.after };
    // Name only the services whose statements change (the others are already in the policy).
    const serviceOf = (sid: string) => (sid.startsWith('AWSCloudTrail') ? 'CloudTrail' : sid.startsWith('AWSLogDelivery') ? 'VPC flow logs' : sid.startsWith('AWSConfig') ? 'AWS Config' : undefined);
    const services = [...new Set(merge.changed.map(serviceOf).filter((x) => x !== undefined))];
    const tls = merge.changed.some((sid) => sid.startsWith('DenyInsecureTransport'));
    const what = [tls && 'refuse plain HTTP', services.length && `let ${services.join(' and ')} deliver logs for this account only`].filter(Boolean).join(', and ');
    actions.push({
      service: 's3',
      operation: 'PutBucketPolicy',
      region,
      params,
      summary: `${before === null ? 'Set' : 'Update'} the policy of ${name}: ${what} (${merge.changed.join(', ')})`,
      ...(before === null
        ? { inverse: { service: 's3', operation: 'DeleteBucketPolicy', region, params: { Bucket: name }, summary: `Remove the policy of ${name}` } }
        : { inverse: { service: 's3', operation: 'PutBucketPolicy', region, params: { Bucket: name, Policy: before }, summary: `Put back the previous policy of ${name}` } }),
      async run(c) {
        const client = s3(c);
        // Never overwrite an edit made since the plan.
        if ((await currentPolicy(client, name, account)) !== before)
          throw new Error(`The policy of bucket ${name} changed after the plan was made; nothing was written. Check the step again.`);
        await client.send(new PutBucketPolicyCommand(params));
        return withBucket;
      },
    });
  }
  return actions;
}

// ---- undo ---------------------------------------------------------------------------------------

const SERVICE_OF_SID: [prefix: string, service: LogDelivery['service'], label: string][] = [
  ['AWSCloudTrail', 'cloudtrail', 'CloudTrail'],
  ['AWSLogDelivery', 'flow-logs', 'VPC flow logs'],
  ['AWSConfig', 'config', 'AWS Config'],
];

/** The delivering services the bucket policy lets in besides `own`, as names for a sentence. */
function otherDeliveries(policy: string | null, own: LogDelivery['service']): string[] {
  if (!policy) return [];
  const parsed = parsePolicy(policy);
  if (!parsed.ok) return [];
  const found = new Set<string>();
  for (const st of parsed.statements)
    for (const [prefix, service, label] of SERVICE_OF_SID) if (service !== own && st.Sid?.startsWith(prefix)) found.add(label);
  return [...found];
}

async function hasObjects(ctx: StepContext, bucket: LoggingBucket): Promise<boolean> {
  const out = await ctx.client(S3Client, bucket.region).send(new ListObjectsV2Command({ Bucket: bucket.name, MaxKeys: 1, ExpectedBucketOwner: ctx.target.accountId }));
  return (out.KeyCount ?? out.Contents?.length ?? 0) > 0;
}

/** Deletes the bucket; with `empty`, its objects first (the logs it holds). */
function deleteBucketAction(bucket: LoggingBucket, empty: boolean, owner: string): PlanAction {
  const { name, region } = bucket;
  const params = { Bucket: name, ExpectedBucketOwner: owner };
  return {
    service: 's3',
    operation: 'DeleteBucket',
    region,
    params,
    summary: empty ? `Delete the logging bucket ${name} and every log file in it` : `Delete the empty logging bucket ${name}`,
    ...(empty ? { destructive: true } : {}),
    async run(c) {
      const s3 = c.client(S3Client, region);
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: name, ExpectedBucketOwner: owner, ...(token ? { ContinuationToken: token } : {}) }));
        // Logs that arrived since the person said yes to deleting an empty bucket are never deleted unasked.
        if (!empty && page.Contents?.length) throw new Error(`The logging bucket ${name} received log files since the undo was planned; it is kept. Run undo again to choose.`);
        for (const o of page.Contents ?? []) if (o.Key) await s3.send(new DeleteObjectCommand({ Bucket: name, Key: o.Key, ExpectedBucketOwner: owner }));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await s3.send(new DeleteBucketCommand(params));
    },
  };
}

/**
 * The undo of one change a step made to the logging bucket, or undefined when `entry` is not about
 * it. `own` is the step's delivering service. The bucket is deleted only while no other service's
 * delivery is in its policy (another step still sends logs there), and, when it holds objects,
 * only by a destructive action (default No). Its policy comes back exactly as before while it is
 * the one the fix wrote. Settings made together with the bucket go with it.
 */
export async function undoLoggingBucket(ctx: StepContext, entry: UndoEntry, own: LogDelivery['service']): Promise<UndoVerdict | undefined> {
  const name = loggingBucketName(ctx.target);
  if (entry.service !== 's3' || (entry.params as { Bucket?: string }).Bucket !== name) return undefined;
  const bucket = await readLoggingBucket(ctx);
  if (!bucket.exists) return nothingToUndo(`The logging bucket ${name} no longer exists.`);
  const others = otherDeliveries(bucket.policy, own);
  const shared = others.length ? `it also receives logs from ${others.join(' and ')} (its policy lets ${others.length === 1 ? 'that service' : 'those services'} in)` : '';
  switch (entry.operation) {
    case 'CreateBucket': {
      if ((entry.output as { reused?: boolean } | undefined)?.reused) return nothingToUndo(`The logging bucket ${name} existed already; this fix did not create it.`);
      if (shared) return { kind: 'drifted', reason: `The logging bucket ${name} is kept: ${shared}. Undo that step first.` };
      const full = await hasObjects(ctx, bucket);
      const action = deleteBucketAction(bucket, full, ctx.target.accountId);
      return full
        ? { kind: 'undo', actions: [action], warnings: [`The logging bucket ${name} holds log files: it is deleted with them only if you choose to (default No).`] }
        : undoWith(action);
    }
    case 'PutBucketPolicy': {
      const wrote = (entry.params as { Policy: string }).Policy;
      const same = bucket.policy !== null && sameJson(JSON.parse(bucket.policy) as unknown, JSON.parse(wrote) as unknown);
      if (!same) return { kind: 'drifted', reason: `The policy of the logging bucket ${name} changed after the fix${shared ? `: ${shared}` : ''}, so undo leaves it alone.` };
      return undoWith(recordedInverse(entry));
    }
    case 'PutPublicAccessBlock':
    case 'PutBucketOwnershipControls':
    case 'PutBucketEncryption':
      if ((entry.output as { withNewBucket?: boolean } | undefined)?.withNewBucket)
        return nothingToUndo(`Made together with the logging bucket ${name}: it goes when the bucket goes, and stays while the bucket is kept.`);
      return { kind: 'irreversible', reason: `The earlier setting of the logging bucket ${name} was not recorded, so undo leaves this protection on.` };
    default:
      return nothingToUndo(`${entry.operation} is not a change made to the logging bucket.`);
  }
}
