/**
 * year-one scenario: the CI pipeline's deploy key, 400 days old and used every day. It is overdue
 * for rotation, but deactivating it would stop every deployment: the fix leaves it alone unless
 * someone names it, and the check says it was used today.
 */
import { CreateAccessKeyCommand, CreateUserCommand, EntityAlreadyExistsException, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import type { StepContext } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import { SANDBOX_AGE_PATH } from '../_shared/credentials-inputs.js';

export const YEAR_ONE_CI_USER = 'shop-deploy-pipeline';

export async function seedYearOne(ctx: StepContext): Promise<void> {
  sandboxOnly(ctx);
  const iam = ctx.client(IAMClient);
  try {
    await iam.send(new CreateUserCommand({ UserName: YEAR_ONE_CI_USER, Path: SANDBOX_AGE_PATH(400, { inUse: true }) }));
  } catch (err) {
    if (err instanceof EntityAlreadyExistsException) return;
    throw err;
  }
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: YEAR_ONE_CI_USER }))).AccessKey!;
  // "Used today": one call signed with the key, so the emulator records its last use, as AWS would
  // after the pipeline's morning deploy. Only the sandbox's emulator ever sees this key.
  const asPipeline = new IAMClient({
    region: ctx.target.homeRegion,
    endpoint: ctx.target.endpoint,
    credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
    maxAttempts: 1,
  });
  try {
    await asPipeline.send(new GetUserCommand({}));
  } finally {
    asPipeline.destroy();
  }
}
