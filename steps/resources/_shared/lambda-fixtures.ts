/**
 * What the function steps' day-one seeds share: the execution role the functions are made with
 * and a function made once (seeding twice duplicates nothing). Sandbox only.
 */
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import type { LambdaClient, Runtime } from '@aws-sdk/client-lambda';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { errorCode } from '../../../src/engine/step-kit.js';

/** The execution role of the day-one functions. */
export const DAY_ONE_LAMBDA_ROLE = 'day-one-lambda-role';

/** An empty zip archive (its end-of-central-directory record alone): the emulator stores the code and never runs it. */
export const ZIP_PLACEHOLDER = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** The role's ARN, making the role when it does not exist yet. */
export async function ensureDayOneRole(ctx: Pick<StepContext, 'client'>): Promise<string> {
  const iam = ctx.client(IAMClient);
  try {
    return (await iam.send(new GetRoleCommand({ RoleName: DAY_ONE_LAMBDA_ROLE }))).Role!.Arn!;
  } catch (err) {
    if (errorCode(err) !== 'NoSuchEntity') throw err;
  }
  const made = await iam.send(new CreateRoleCommand({ RoleName: DAY_ONE_LAMBDA_ROLE, AssumeRolePolicyDocument: JSON.stringify(TRUST) }));
  return made.Role!.Arn!;
}

/** Makes a small function unless one of that name exists. */
export async function ensureFunction(lambda: LambdaClient, f: { name: string; role: string; runtime: string }): Promise<void> {
  try {
    await lambda.send(new GetFunctionCommand({ FunctionName: f.name }));
    return;
  } catch (err) {
    if (errorCode(err) !== 'ResourceNotFoundException') throw err;
  }
  await lambda.send(
    new CreateFunctionCommand({ FunctionName: f.name, Runtime: f.runtime as Runtime, Role: f.role, Handler: 'index.handler', Code: { ZipFile: ZIP_PLACEHOLDER } }),
  );
}
