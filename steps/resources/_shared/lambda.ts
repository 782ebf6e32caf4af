/**
 * The Lambda functions of one region, read once per region per run and shared by the resources
 * area's function steps (lambda-public, lambda-runtimes): ListFunctions, paginated at its largest
 * page (50), memoised under `lambda:functions:<region>`. A failed read is not memoised; an applied
 * fix drops every shared read, so a re-check reads the account as it is now.
 *
 * Lambda has no batch form of GetPolicy or GetFunctionUrlConfig: those are one request per function,
 * made with bounded concurrency (FUNCTION_CONCURRENCY per region) because Lambda's control plane
 * allows about 15 requests a second per API; the adaptive retries of the client factory absorb the rest.
 */
import { GetFunctionUrlConfigCommand, GetPolicyCommand, LambdaClient, paginateListFunctions } from '@aws-sdk/client-lambda';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { Finding, StepContext } from '../../../src/engine/step-kit.js';
import { eachRegion as kitEachRegion, errorCode, mapLimit } from '../../../src/engine/step-kit.js';

/** ListFunctions' largest page (MaxItems, Lambda API reference). */
export const LIST_PAGE_SIZE = 50;
/** Regions read at once. */
export const REGION_CONCURRENCY = 4;
/** Per-function requests in flight per region (GetPolicy, GetFunctionUrlConfig). */
export const FUNCTION_CONCURRENCY = 4;

type Ctx = Pick<StepContext, 'client' | 'shared'>;

/** A function as the steps use it. */
export interface LambdaFunction {
  name: string;
  arn: string;
  region: string;
  /** Absent for container-image functions (PackageType Image): their runtime is inside the image. */
  runtime?: string;
  packageType: string;
}

function toFunction(f: FunctionConfiguration, region: string): LambdaFunction {
  return {
    name: f.FunctionName ?? '(unnamed)',
    arn: f.FunctionArn ?? '',
    region,
    ...(f.Runtime ? { runtime: f.Runtime } : {}),
    packageType: f.PackageType ?? 'Zip',
  };
}

/** The region's functions ($LATEST of each), one paginated read per region per run. */
export function listFunctions(ctx: Ctx, region: string): Promise<LambdaFunction[]> {
  return ctx.shared(`lambda:functions:${region}`, async () => {
    const client = ctx.client(LambdaClient, region);
    const out: LambdaFunction[] = [];
    for await (const page of paginateListFunctions({ client, pageSize: LIST_PAGE_SIZE }, {}))
      for (const f of page.Functions ?? []) out.push(toFunction(f, region));
    // Reports read the same on every run.
    return out.sort((a, b) => a.name.localeCompare(b.name));
  });
}

/**
 * Runs `perRegion` over the run's regions (REGION_CONCURRENCY at a time); a region whose function
 * list cannot be read becomes one finding by the shared regional rule, and the others still report.
 */
export async function eachRegion(
  ctx: StepContext,
  permissions: string[],
  perRegion: (region: string, functions: LambdaFunction[]) => Promise<Finding[]>,
): Promise<Finding[]> {
  return kitEachRegion(
    ctx,
    async (region) => perRegion(region, await listFunctions(ctx, region)),
    (region) => ({ resource: functionsArn(ctx, region), service: 'AWS Lambda', permissions }),
    REGION_CONCURRENCY,
  );
}

/** `arn:aws:lambda:<region>:<account>:function:*`: the resource of a finding about a whole region. */
export function functionsArn(ctx: Pick<StepContext, 'target'>, region: string): string {
  return `arn:${ctx.target.partition}:lambda:${region}:${ctx.target.accountId}:function:*`;
}

const notFound = (err: unknown) => errorCode(err) === 'ResourceNotFoundException';

/** A function's resource policy (the JSON text and its revision), or null when it has none. */
export async function readPolicy(ctx: Ctx, fn: LambdaFunction): Promise<{ policy: string; revisionId?: string } | null> {
  try {
    const out = await ctx.client(LambdaClient, fn.region).send(new GetPolicyCommand({ FunctionName: fn.name }));
    return out.Policy ? { policy: out.Policy, ...(out.RevisionId ? { revisionId: out.RevisionId } : {}) } : null;
  } catch (err) {
    if (notFound(err)) return null;
    throw err;
  }
}

/** A function's (unqualified) function URL: its address and AuthType, or null when it has none. */
export async function readUrl(ctx: Ctx, fn: LambdaFunction): Promise<{ url: string; authType: string } | null> {
  try {
    const out = await ctx.client(LambdaClient, fn.region).send(new GetFunctionUrlConfigCommand({ FunctionName: fn.name }));
    return { url: out.FunctionUrl ?? '', authType: out.AuthType ?? 'NONE' };
  } catch (err) {
    if (notFound(err)) return null;
    throw err;
  }
}

/** Reads something per function, FUNCTION_CONCURRENCY at a time, keeping the functions' order. */
export function perFunction<R>(functions: readonly LambdaFunction[], read: (fn: LambdaFunction) => Promise<R>): Promise<R[]> {
  return mapLimit(functions, FUNCTION_CONCURRENCY, read);
}
