/**
 * resources.lambda-public (FSBP Lambda.1): in every region of the run, no function can be invoked
 * by anyone: its (unqualified) function URL does not take unauthenticated requests (AuthType NONE),
 * and no statement of its resource policy allows everyone without a condition that limits the
 * caller (../_shared/lambda-policy.ts).
 *
 * Reads: the shared ListFunctions per region, then GetPolicy and GetFunctionUrlConfig per function
 * (no batch form exists), FUNCTION_CONCURRENCY at a time per region.
 *
 * The fix is per function and only for the functions the person names (a confirmation each in
 * the wizard, default No; the `functions` list in the answers file for `fix --yes`): the URL's
 * AuthType becomes AWS_IAM, and each public statement is removed by its statement id. Nothing else
 * in the policy changes. The inverse of each action (the previous AuthType, the statement as it
 * was) goes to the journal.
 */
import {
  AddPermissionCommand,
  CreateFunctionUrlConfigCommand,
  LambdaClient,
  RemovePermissionCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { z } from 'zod';
import type { Asker, Finding, Plan, PlanAction, Step, StepContext, StepInputs } from '../../../src/engine/step-kit.js';
import {
  describeError,
  drifted,
  errorKind,
  formatZodError,
  irreversible,
  nothingToUndo,
  plural,
  recordedInverse,
  sameJson,
  sandboxOnly,
  undoWith,
} from '../../../src/engine/step-kit.js';
import type { UndoEntry, UndoVerdict } from '../../../src/engine/step-kit.js';
import type { LambdaFunction } from '../_shared/lambda.js';
import { eachRegion, listFunctions, perFunction, readPolicy, readUrl } from '../_shared/lambda.js';
import type { PublicStatement } from '../_shared/lambda-policy.js';
import { addPermissionFor, parsePolicy, publicStatements } from '../_shared/lambda-policy.js';
import { ensureDayOneRole, ensureFunction } from '../_shared/lambda-fixtures.js';
import meta from './meta.js';

/** The day-one functions: one behind a URL anyone can call, one with a policy statement for everyone. */
export const DAY_ONE_URL_FUNCTION = 'day-one-webhook';
export const DAY_ONE_OPEN_FUNCTION = 'day-one-thumbnailer';
export const DAY_ONE_OPEN_SID = 'AllowAnyoneToInvoke';

/** A function name, or its ARN (unqualified). */
const functionRef = z
  .string()
  .trim()
  .regex(
    /^(arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/,
    'a function name (letters, digits, - and _, up to 64) or its ARN, such as my-function or arn:aws:lambda:us-east-1:123456789012:function:my-function',
  );

export const inputsSchema = z.strictObject({ functions: z.array(functionRef).default([]).transform((xs) => [...new Set(xs)]) });
export interface LambdaPublicInputs {
  /** Functions to close, by name (in any region of the run) or ARN. */
  functions: string[];
}

/** What a failing finding carries for the plan. */
const dataSchema = z.object({
  name: z.string(),
  arn: z.string(),
  region: z.string(),
  url: z.object({ url: z.string(), authType: z.string() }).nullable(),
  statements: z.array(z.object({ sid: z.string(), actions: z.array(z.string()), statement: z.record(z.string(), z.unknown()), urlNone: z.boolean() })),
});
type PublicData = z.infer<typeof dataSchema>;

const where = (d: { name: string; region: string }) => `${d.name} (${d.region})`;

const urlOpen = (d: Pick<PublicData, 'url'>) => d.url?.authType === 'NONE';
/** The statements the fix removes: the URL's own statement is closed by the URL's AuthType instead. */
const removable = (d: PublicData) => d.statements.filter((s) => !s.urlNone);

function reasons(d: PublicData): string[] {
  const out: string[] = [];
  if (urlOpen(d)) out.push(`its function URL ${d.url!.url} takes requests without authentication (AuthType NONE)`);
  for (const s of removable(d)) out.push(`policy statement "${s.sid}" allows everyone (Principal "*") ${s.actions.join(', ') || 'an action'} with no condition that limits the caller`);
  return out;
}

/** The finding for one function, from what was read (exported for unit tests). */
export function functionFinding(fn: LambdaFunction, url: PublicData['url'], statements: PublicStatement[]): Finding {
  const data: PublicData = { name: fn.name, arn: fn.arn, region: fn.region, url, statements: statements.map((s) => ({ ...s, statement: { ...s.statement } })) };
  const base = { resource: fn.arn, region: fn.region };
  const name = `Function ${where(fn)}`;
  if (!urlOpen(data) && !removable(data).length) {
    const urlNote = url ? ` Its function URL requires AWS credentials (AuthType ${url.authType}).` : '';
    const inert = statements.some((s) => s.urlNone) ? ' A policy statement for unauthenticated URL calls remains, but it matches no request while the URL requires credentials.' : '';
    return { ...base, status: 'pass', message: `${name} has no function URL open to anyone and no policy statement for everyone.${urlNote}${inert}` };
  }
  return { ...base, status: 'fail', message: `${name} can be invoked by anyone: ${reasons(data).join('; and ')}.`, data: { ...data } };
}

async function checkFunction(ctx: StepContext, fn: LambdaFunction): Promise<Finding> {
  try {
    const [policy, url] = await Promise.all([readPolicy(ctx, fn), readUrl(ctx, fn)]);
    let statements: PublicStatement[];
    try {
      statements = policy ? publicStatements(policy.policy) : [];
    } catch (err) {
      return { status: 'fail', resource: fn.arn, region: fn.region, message: `Function ${where(fn)} may be public: ${(err as Error).message}; read it with aws lambda get-policy.` };
    }
    return functionFinding(fn, url, statements);
  } catch (err) {
    if (errorKind(err) === 'blocked') throw err;
    const why = describeError(err, { permissions: ['lambda:GetPolicy', 'lambda:GetFunctionUrlConfig'] });
    return { status: errorKind(err) === 'unsupported' ? 'unsupported' : 'error', resource: fn.arn, region: fn.region, message: `Function ${where(fn)} could not be checked: ${why}` };
  }
}

function found(findings: Finding[]): PublicData[] {
  return findings.filter((f) => f.status === 'fail' && f.data && 'statements' in f.data).map((f) => dataSchema.parse(f.data));
}

/** Whether the inputs name this function (by name or ARN). */
export function names(selection: readonly string[], d: Pick<PublicData, 'name' | 'arn'>): boolean {
  return selection.includes(d.name) || selection.includes(d.arn);
}

function urlAction(d: PublicData): PlanAction {
  const params = { FunctionName: d.name, AuthType: 'AWS_IAM' as const };
  return {
    service: 'lambda',
    operation: 'UpdateFunctionUrlConfig',
    region: d.region,
    params,
    destructive: true,
    summary: `Require AWS credentials (AuthType AWS_IAM) on the function URL of ${where(d)}: unauthenticated callers get 403 Forbidden`,
    inverse: {
      service: 'lambda',
      operation: 'UpdateFunctionUrlConfig',
      region: d.region,
      params: { FunctionName: d.name, AuthType: d.url!.authType },
      summary: `Put the function URL of ${d.name} back to AuthType ${d.url!.authType}`,
    },
    async run(ctx) {
      await ctx.client(LambdaClient, d.region).send(new UpdateFunctionUrlConfigCommand(params));
      return { output: { previousAuthType: d.url!.authType, url: d.url!.url } };
    },
  };
}

function removeAction(d: PublicData, s: PublicData['statements'][number]): PlanAction {
  const params = { FunctionName: d.name, StatementId: s.sid };
  const back = addPermissionFor(d.name, s as PublicStatement);
  const removed = JSON.stringify(s.statement);
  return {
    service: 'lambda',
    operation: 'RemovePermission',
    region: d.region,
    params,
    destructive: true,
    ...(back ? {} : { irreversible: CANNOT_ADD_BACK }),
    summary: `Remove policy statement "${s.sid}" (everyone may call ${s.actions.join(', ')}) from function ${where(d)}`,
    inverse: back
      ? // The parameters below say what goes back; the statement's JSON in a one-line summary only wrapped mid-word.
        { service: 'lambda', operation: 'AddPermission', region: d.region, params: back, summary: `Add statement "${s.sid}" back to the policy of ${d.name}` }
      : {
          service: 'lambda',
          operation: 'AddPermission',
          region: d.region,
          params: { FunctionName: d.name, StatementId: s.sid, Statement: removed },
          summary: `Put statement "${s.sid}" of ${d.name} back by hand (AddPermission cannot express all of it): ${removed}`,
        },
    async run(ctx) {
      await ctx.client(LambdaClient, d.region).send(new RemovePermissionCommand(params));
      return { output: { removedStatement: removed } };
    },
  };
}

/**
 * Who loses access once the function is closed. Only a function URL answers calls without AWS
 * credentials; a policy statement for everyone still needs signed calls, from any AWS account.
 */
export function whoLosesAccess(d: PublicData): string {
  const who: string[] = [];
  if (urlOpen(d)) who.push('callers of its function URL without AWS credentials (webhooks, browsers, partners) get 403 Forbidden');
  if (removable(d).length) who.push('callers from other AWS accounts that relied on the removed statement get AccessDenied');
  return who.join('; ');
}

/** Why a removed statement that AddPermission cannot express is not put back by undo. */
const CANNOT_ADD_BACK =
  'AddPermission cannot write this statement back as it was (several actions, or conditions it has no field for); the journal keeps the statement, to put back by hand.';

/**
 * Undo of one change: the URL's AuthType back to what it was, or the removed statement added back
 * with the recorded AddPermission fields, while the URL still has the AuthType the fix set and no
 * statement has taken that id since. Both re-open the function to everyone, so they are
 * destructive: confirmed with a default of No, left out by `undo --yes`.
 */
async function undoChange(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict> {
  const name = (entry.params as { FunctionName?: string }).FunctionName ?? '';
  const fn = (await listFunctions(ctx, entry.region)).find((f) => f.name === name);
  if (!fn) return nothingToUndo(`Function ${name} (${entry.region}) no longer exists.`);
  if (entry.operation === 'UpdateFunctionUrlConfig' && entry.inverse) {
    const before = (entry.inverse.params as { AuthType?: string }).AuthType;
    const wrote = (entry.params as { AuthType?: string }).AuthType;
    const url = await readUrl(ctx, fn);
    if (!url) return nothingToUndo(`Function ${where(fn)} has no function URL any more.`);
    if (url.authType === before) return nothingToUndo(`The function URL of ${where(fn)} has AuthType ${before} again, as before the fix.`);
    if (url.authType !== wrote) return drifted(`The function URL of ${where(fn)}`, { now: `AuthType ${url.authType}`, wrote: `AuthType ${wrote}` });
    return undoWith(recordedInverse(entry, { destructive: true }));
  }
  if (entry.operation === 'RemovePermission') {
    const sid = (entry.params as { StatementId?: string }).StatementId;
    if (!entry.inverse || 'Statement' in entry.inverse.params) return irreversible(CANNOT_ADD_BACK);
    const policy = await readPolicy(ctx, fn);
    const now = policy ? parsePolicy(policy.policy).find((x) => x.Sid === sid) : undefined;
    if (now) {
      const removed = typeof entry.output?.removedStatement === 'string' ? (JSON.parse(entry.output.removedStatement) as unknown) : undefined;
      if (removed !== undefined && sameJson(now, removed)) return nothingToUndo(`Function ${where(fn)} has statement "${sid}" again, as before the fix.`);
      return drifted(`Statement "${sid}" of function ${where(fn)}`, { now, wrote: 'no statement with that id' });
    }
    return undoWith(recordedInverse(entry, { destructive: true }));
  }
  return irreversible(`${meta.id} made no ${entry.operation} change that it knows how to undo.`);
}

function parseInputs(given: unknown): LambdaPublicInputs {
  const parsed = inputsSchema.safeParse(given ?? {});
  if (!parsed.success) throw new Error(`Invalid inputs for ${meta.id}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

const inputs: StepInputs<LambdaPublicInputs> = {
  schema: inputsSchema,
  // The defaults close nothing: fix --yes without an entry leaves every function as it is.
  requiredInAnswers: false,
  defaults: () => ({ functions: [] }),

  async ask(asker: Asker, initial, findings) {
    const open = found(findings);
    const chosen: string[] = [];
    if (!open.length) return { functions: initial?.functions ?? [] };
    asker.note(`One question per function; Enter keeps it as it is. ${plural(open.length, 'function')} can be invoked by anyone.`);
    for (const d of open) {
      const yes = await asker.confirm({
        message: `Close function ${where(d)}? Anyone can invoke it: ${reasons(d).join('; and ')}. Afterwards ${whoLosesAccess(d)}.`,
        default: names(initial?.functions ?? [], d),
      });
      if (yes) chosen.push(d.name);
    }
    return { functions: chosen };
  },
};

const step: Step<LambdaPublicInputs> = {
  meta,
  inputs,

  async check(ctx) {
    return eachRegion(ctx, ['lambda:ListFunctions'], async (region, functions) => {
      if (!functions.length)
        return [
          { status: 'pass', resource: `arn:${ctx.target.partition}:lambda:${region}:${ctx.target.accountId}:function:*`, region, message: `No Lambda functions in ${region}.` },
        ];
      return perFunction(functions, (fn) => checkFunction(ctx, fn));
    });
  },

  async plan(_ctx, findings, given): Promise<Plan> {
    const { functions: selection } = parseInputs(given);
    const actions: PlanAction[] = [];
    const warnings: string[] = [];
    for (const d of found(findings)) {
      if (!names(selection, d)) {
        warnings.push(
          `Function ${where(d)} is left as it is, and anyone can invoke it: ${reasons(d).join('; and ')}. A function is closed only when it is named ` +
            `(wizard: answer yes for it; answers file: "${meta.id}": { "functions": ["${d.name}", …], "apply": true }).`,
        );
        continue;
      }
      if (urlOpen(d)) actions.push(urlAction(d));
      for (const s of removable(d)) actions.push(removeAction(d, s));
      warnings.push(`Function ${where(d)} stops being public: ${whoLosesAccess(d)}.`);
    }
    return { actions, ...(warnings.length ? { warnings } : {}) };
  },

  undo: undoChange,

  /**
   * day-one scenario, home region: "day-one-webhook" behind a function URL with AuthType NONE, and
   * "day-one-thumbnailer" whose policy lets anyone invoke it. Seeding again puts both back.
   */
  async seed(ctx) {
    sandboxOnly(ctx);
    const region = ctx.target.homeRegion;
    const lambda = ctx.client(LambdaClient, region);
    const role = await ensureDayOneRole(ctx);
    for (const name of [DAY_ONE_URL_FUNCTION, DAY_ONE_OPEN_FUNCTION]) await ensureFunction(lambda, { name, role, runtime: 'python3.13' });
    const url = await readUrl(ctx, { name: DAY_ONE_URL_FUNCTION, arn: '', region, packageType: 'Zip' });
    if (!url) await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: DAY_ONE_URL_FUNCTION, AuthType: 'NONE' }));
    else if (url.authType !== 'NONE') await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: DAY_ONE_URL_FUNCTION, AuthType: 'NONE' }));
    const policy = await readPolicy(ctx, { name: DAY_ONE_OPEN_FUNCTION, arn: '', region, packageType: 'Zip' });
    if (!policy || !publicStatements(policy.policy).some((s) => s.sid === DAY_ONE_OPEN_SID))
      await lambda.send(new AddPermissionCommand({ FunctionName: DAY_ONE_OPEN_FUNCTION, StatementId: DAY_ONE_OPEN_SID, Action: 'lambda:InvokeFunction', Principal: '*' }));
  },
};

export default step;
