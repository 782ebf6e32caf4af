/**
 * For unit tests of steps on paths moto cannot reach (a root user, an organization, Identity
 * Center), where the SDK is stubbed with aws-sdk-client-mock: a run context of a made-up real
 * account whose clients the stubs answer, the credential report's shape, and the way the wizard
 * applies an interactive plan with a person at the keyboard.
 */
import { afterEach } from 'vitest';
import { ClientFactory } from '../../src/aws/factory.js';
import { RunContext } from '../../src/engine/context.js';
import { applyAction } from '../../src/engine/runner.js';
import type { JournalEntry } from '../../src/engine/runner.js';
import type { ActionIO, Plan } from '../../src/engine/types.js';
import { ScriptedAsker } from './scripted-asker.js';
import type { ScriptedAnswer } from './scripted-asker.js';

/** The made-up account of stubbed tests (never the sandbox's). */
export const STUB_ACCOUNT = '111122223333';
export const ROOT_ARN = `arn:aws:iam::${STUB_ACCOUNT}:root`;

/** The header row of IAM's credential report. */
export const CREDENTIAL_REPORT_HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

export interface StubContextOptions {
  /** Default: a user, `alice`. */
  isRoot?: boolean;
  /** The IAM user the caller is, when not root (default `alice`). */
  user?: string;
  sandbox?: boolean;
  /** The caller's access key id (default a session key). */
  accessKeyId?: string;
  /** The run's regions (default the home region, us-east-1). */
  regions?: string[];
}

const made: RunContext[] = [];
let cleanupRegistered = false;

/**
 * A run context for STUB_ACCOUNT whose clients the file's `mockClient` stubs answer. Contexts made
 * in a test are destroyed after it (the first call registers the afterEach).
 */
export function stubContext(opts: StubContextOptions = {}): RunContext {
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    afterEach(() => {
      for (const c of made.splice(0)) c.factory.destroy();
    });
  }
  const isRoot = opts.isRoot ?? false;
  const factory = new ClientFactory({
    region: 'us-east-1',
    credentials: { accessKeyId: opts.accessKeyId ?? 'ASIAEXAMPLESESSION01', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
    userAgent: 'secure-start-test',
  });
  const regions = opts.regions ?? ['us-east-1'];
  const ctx = new RunContext(
    {
      accountId: STUB_ACCOUNT,
      principalArn: isRoot ? ROOT_ARN : `arn:aws:iam::${STUB_ACCOUNT}:user/${opts.user ?? 'alice'}`,
      isRoot,
      sandbox: opts.sandbox ?? false,
      partition: 'aws',
      homeRegion: 'us-east-1',
    },
    factory,
    async () => [...regions],
  );
  made.push(ctx);
  return ctx;
}

/** A person at the keyboard: scripted answers, and the secrets shown to them. */
export function person(script: ScriptedAnswer[]): { io: ActionIO; asker: ScriptedAsker; shown: { label: string; value: string; qr?: string }[] } {
  const asker = new ScriptedAsker(script);
  const shown: { label: string; value: string; qr?: string }[] = [];
  return { asker, shown, io: { asker, secret: async (s) => void shown.push(s) } };
}

/** Applies an interactive plan the way the wizard does: one action after the other, with a person, stopping at the first failure. */
export async function applyWith(stepId: string, ctx: RunContext, plan: Plan, io?: ActionIO): Promise<JournalEntry[]> {
  const journal: JournalEntry[] = [];
  for (const action of plan.actions) {
    const { entry: e } = await applyAction(stepId, action, ctx, io);
    journal.push(e);
    if (e.result === 'failed') break;
  }
  return journal;
}
