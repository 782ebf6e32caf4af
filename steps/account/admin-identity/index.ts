/**
 * account.admin-identity: someone other than root can administer the account, so root can be put
 * away. Either an IAM group with the AdministratorAccess managed policy and at least one member, or
 * IAM Identity Center assigning a permission set with AdministratorAccess in this account.
 *
 * Check: groups, their policies and members come from the shared GetAccountAuthorizationDetails read
 * (no per-user calls); Identity Center from identity-center.ts, where an unreadable region counts
 * as "not known", never as an error. A root caller adds a `manual` finding: fine for setting up,
 * not for daily work.
 *
 * Fix: create the group when missing, attach AdministratorAccess, create the user when missing, give
 * it a generated console password that must be changed at first sign-in, add it to the group. Each
 * call has its inverse. The password is generated inside the action, returned once as an
 * ActionOutcome secret with the sign-in URL, and appears nowhere else: the plan shows `Password:
 * «redacted»`, the journal records those params. moto ignores PasswordResetRequired on create
 * (moto-coverage.md); that is noted in the sandbox, not faked with a second call.
 *
 * Undo (undo.ts): each of those goes only while it is as the fix left it; an administrator the tool
 * made who has started using the account keeps everything.
 */
import type { Step } from '../../../src/engine/step-kit.js';
import { sandboxOnly } from '../../../src/engine/step-kit.js';
import { AttachGroupPolicyCommand, CreateGroupCommand, EntityAlreadyExistsException, IAMClient } from '@aws-sdk/client-iam';
import meta from './meta.js';
import type { AdminIdentityInputs } from './inputs.js';
import { check, adminPolicyArn, DEFAULT_GROUP } from './check.js';
import { inputs } from './inputs.js';
import { plan } from './plan.js';
import { undoAdminIdentity } from './undo.js';

export { CREATED_BY_TAG, DEFAULT_GROUP, adminPolicyArn, signInUrl } from './check.js';
export type { AdminIdentityInputs } from './inputs.js';

const step: Step<AdminIdentityInputs> = {
  meta,
  inputs,
  check,
  plan,
  undo: undoAdminIdentity,

  /** day-one scenario: an Administrators group that looks done (AdministratorAccess attached) but has nobody in it. */
  async seed(ctx) {
    sandboxOnly(ctx);
    const iam = ctx.client(IAMClient);
    try {
      await iam.send(new CreateGroupCommand({ GroupName: DEFAULT_GROUP }));
    } catch (err) {
      if (!(err instanceof EntityAlreadyExistsException)) throw err;
    }
    await iam.send(new AttachGroupPolicyCommand({ GroupName: DEFAULT_GROUP, PolicyArn: adminPolicyArn(ctx) }));
  },
};

export default step;
