/**
 * The step contract (ARCHITECTURE.md, "A step"). Steps import only types from here and
 * their AWS clients through `StepContext.client`; they never prompt, print or exit.
 */
import type { z } from 'zod';

export const STATUSES = ['pass', 'fail', 'manual', 'error', 'unsupported', 'skipped'] as const;
export type Status = (typeof STATUSES)[number];

export const AREAS = ['account', 'infrastructure', 'resources', 'data', 'monitoring'] as const;
export type Area = (typeof AREAS)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One observation about one resource. `region` is `global` for account-wide resources. */
export interface Finding {
  status: Status;
  resource: string;
  region: string;
  message: string;
  /** Plain data the step's plan may use (never secrets). Not printed in reports. */
  data?: Record<string, unknown>;
  /**
   * A `manual` finding that is only a recommendation (a billing contact, say): terminals show it as
   * `[ADVICE]`, not `[MANUAL]`. The JSON report keeps the status `manual` and leaves this out.
   */
  advice?: boolean;
}

export interface References {
  cis?: string[];
  fsbp?: string[];
  /** Links to AWS documentation, shown by "explain more". */
  docs?: string[];
}

/** A fix's running cost per month, as an order of magnitude: nothing, cents, or dollars (and up). */
export const COST_SCALES = ['free', 'cents', 'dollars'] as const;
export type CostScale = (typeof COST_SCALES)[number];

export interface FixInfo {
  /** auto: the tool makes the change; guided: part by API, part by hand; advice: nothing to change by API. */
  kind: 'auto' | 'guided' | 'advice';
  /** The monthly cost's order of magnitude for a typical new account, named before every confirmation. */
  costScale: CostScale;
  /** What the fix costs per month, in words: the prices behind `costScale`. */
  cost: string;
  /** What could break or who could notice. */
  risk: string;
  /** A destructive fix removes or disables something; its confirmation defaults to No. */
  destructive: boolean;
  /**
   * For a fix that is destructive only for some accounts (a security group something uses, a
   * subnet that is public): when, in a few words. Its plan marks those actions destructive, and
   * the answers template asks for `"apply"` for it as for a destructive fix.
   */
  destructiveWhen?: string;
  /** A paid fix adds a running cost; its confirmation defaults to No. */
  paid: boolean;
}

/**
 * How some of a step's declared fix actions are granted in the printed policy. Each action named
 * here must also be in `permissions.fix`; one that is also in `permissions.check` stays on every
 * resource, as reads for check and plan always do. Without `resources` and `conditions`
 * the actions stay on every resource, and `why` says why they cannot be narrowed.
 */
export interface PermissionGrant {
  actions: string[];
  /** ARN patterns (`arn:aws:iam::*:role/secure-start-*`); absent: every resource. */
  resources?: string[];
  /** An IAM Condition block: operator → key → value(s). */
  conditions?: Record<string, Record<string, string | string[]>>;
  /** Only the root user calls these, and IAM policies do not govern root: left out of the policy. */
  rootOnly?: boolean;
  /** One sentence for the person reading the policy. */
  why: string;
}

export interface StepMeta {
  id: string;
  area: Area;
  /** States the secure condition ("A strong IAM password policy is set"). */
  title: string;
  severity: Severity;
  scope: 'global' | 'regional';
  references: References;
  /** Path below lessons/, e.g. `account/password-policy.md`. */
  lesson: string;
  /**
   * IAM actions the step needs, for `secure-start policy`: `check` what its check and its plan read
   * (`plan` runs under the check policy), `fix` what applying its plan calls, implied actions
   * included (src/aws/actions.ts, IMPLIED). `grants` says how some of them are granted.
   */
  /** `fix` includes the calls the step's `undo` makes (its reads are in `check`): `policy --for fix` covers undo. */
  permissions: { check: string[]; fix: string[]; grants?: PermissionGrant[] };
  fix: FixInfo;
}

/** A value a person may type, with its validation; the wizard renders these through @inquirer/prompts. */
export type Validator = (value: string) => true | string;

/**
 * The questions of a step's fix, asked through this interface so that steps stay free of
 * prompt libraries. The wizard implements it with @inquirer/prompts; tests script it.
 */
export interface Asker {
  text(q: { message: string; default?: string; validate?: Validator; required?: boolean }): Promise<string>;
  number(q: { message: string; default?: number; min?: number; max?: number }): Promise<number>;
  confirm(q: { message: string; default: boolean }): Promise<boolean>;
  select<T extends string>(q: { message: string; choices: { value: T; name: string; description?: string }[]; default?: T }): Promise<T>;
  checkbox<T extends string>(q: { message: string; choices: { value: T; name: string; checked?: boolean }[]; required?: boolean }): Promise<T[]>;
  /** Shows a short note between questions (never a secret). */
  note(text: string): void;
}

export interface StepInputs<I> {
  /** Validates the answers file entry and the wizard's result. */
  schema: z.ZodType<I>;
  /** Defaults for `answers --template` and for prompts, from what the check found. */
  defaults(findings: Finding[]): I;
  /** Whether `fix --yes` may apply without an answers entry (the defaults are safe). */
  requiredInAnswers: boolean;
  /** Asks the person, starting from `initial` (answers file or defaults). */
  ask(asker: Asker, initial: I, findings: Finding[]): Promise<I>;
}

/** An AWS call the plan will make: what the person sees, what the journal records. */
export interface OperationSpec {
  service: string;
  operation: string;
  /** `global` or a region name. */
  region: string;
  /** Parameters as sent; secret values must already be replaced by `redacted()`. */
  params: Record<string, unknown>;
}

export interface ActionOutcome {
  /** Non-secret result data recorded in the journal. */
  output?: Record<string, unknown>;
  /** One-time secrets for the person's eyes only: shown once on screen, never stored. */
  secrets?: { label: string; value: string }[];
}

/**
 * What an action may use while it runs in front of a person (the wizard): questions, and one-time
 * secrets shown on screen at once (a QR code for an MFA app, a first password). Absent under
 * `fix --yes`: a plan that needs it is `interactive` and is not applied without a person.
 */
export interface ActionIO {
  asker: Asker;
  /** Shows a one-time secret now; `qr` is text to draw as a QR code (an otpauth:// URI). Never stored. */
  secret(s: { label: string; value: string; qr?: string }): Promise<void>;
}

export interface PlanAction extends OperationSpec {
  /** One line: what changes. */
  summary: string;
  destructive?: boolean;
  /** The call that undoes this one, when there is one. */
  inverse?: OperationSpec & { summary: string };
  /**
   * Why this change cannot be undone, when AWS cannot put the prior state back (a deleted access
   * key, a revoked session, a root MFA device): shown in the plan before the fix and in `undo`.
   */
  irreversible?: string;
  /** Performs the call. Only the engine calls this, after confirmation; `io` only in front of a person. */
  run(ctx: StepContext, io?: ActionIO): Promise<ActionOutcome | void>;
}

export interface Plan {
  actions: PlanAction[];
  /** Markdown: what the person must do by hand (guided and advice steps). */
  guidance?: string;
  /** Warnings the person must read before confirming. */
  warnings?: string[];
  /** Some action needs a person during apply (ActionIO): the wizard only, never `fix --yes`. */
  interactive?: boolean;
  /**
   * This plan's own cost, when it depends on what the plan does (how many regions, which option):
   * shown instead of the step's `meta.fix.costScale` / `cost`.
   */
  cost?: { scale: CostScale; detail: string };
  /** This plan's own risk, when it differs from the step's `meta.fix.risk` (an existing user, say): shown instead. */
  risk?: string;
}

export interface Target {
  accountId: string;
  principalArn: string;
  isRoot: boolean;
  sandbox: boolean;
  endpoint?: string;
  partition: string;
  homeRegion: string;
}

/** Anything with a `send`, e.g. an AWS SDK v3 client. */
export interface SdkClient {
  send(command: unknown, options?: unknown): Promise<unknown>;
  destroy(): void;
}
export type ClientClass<C> = new (config: Record<string, unknown>) => C;

export interface StepContext {
  target: Target;
  /** The regions regional steps work on (resolved once per run). */
  regions(): Promise<string[]>;
  /** A client from the one factory; `region` defaults to the home region. */
  client<C extends SdkClient>(cls: ClientClass<C>, region?: string): C;
  /** Memoises shared reads for the run (credential report, bucket list…). */
  shared<T>(key: string, load: () => Promise<T>): Promise<T>;
  /**
   * When this run last changed the account (an applied fix, or a re-check after a change by hand):
   * a bulk read older than that, such as a reused credential report, is out of date.
   */
  changedAt?(): Date | undefined;
}

export interface Step<I = unknown> {
  meta: StepMeta;
  check(ctx: StepContext): Promise<Finding[]>;
  /** Inputs the fix asks for; absent when it needs none. */
  inputs?: StepInputs<I>;
  plan(ctx: StepContext, findings: Finding[], inputs: I): Promise<Plan>;
  /**
   * Decisions from the inputs that outlive the step, saved in the progress file after the fix:
   * `regions` becomes the run's regions for every regional step after it (account.regions).
   */
  remember?(inputs: I): { regions?: string[] };
  /** Makes the insecure fixture this step teaches on (sandbox scenarios only). */
  seed?(ctx: StepContext): Promise<void>;
  /**
   * Undo of one applied change this step made (an entry of the journal with `step` = this id):
   * reads the current state (read-only: the guard is on), checks for drift, and returns the
   * verdict. Every step with an automatic fix has it; the engine never runs a recorded inverse
   * without the step's drift check.
   */
  undo?(ctx: StepContext, entry: UndoEntry): Promise<UndoVerdict>;
}

// Each step has its own input type; the engine validates inputs with the step's schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = Step<any>;

/** A step in the registry: its metadata now, its implementation (and SDK clients) when a run needs it. */
export interface StepEntry {
  meta: StepMeta;
  load(): Promise<AnyStep>;
  /**
   * The step's part of the `year-one` scenario (a lived-in account), beside its day-one `seed`:
   * things that look wrong but are in use, which the default plan must not break. Loaded only
   * when that scenario is seeded.
   */
  yearOne?(): Promise<(ctx: StepContext) => Promise<void>>;
}

/**
 * One applied change, as `undo` hands it to the step that made it: the journal entry (parameters
 * as sent, secrets redacted; `output` what the call returned; `inverse` what the plan recorded
 * before the change) and its position in the journal.
 */
export interface UndoEntry extends OperationSpec {
  /** Position in the progress file's journal (append-only, so stable). */
  index: number;
  step: string;
  at: string;
  output?: Record<string, unknown>;
  inverse?: OperationSpec & { summary: string };
}

/**
 * What `undo` can do for one applied change. The step decides after reading the current state,
 * read-only: it compares what is there now with what the fix wrote, and builds the inverse from
 * the prior value the journal recorded, never from a guess.
 */
export type UndoVerdict =
  /** Reverse it with these actions (in order); destructive ones are confirmed with default No and left out under `--yes`. */
  | { kind: 'undo'; actions: PlanAction[]; warnings?: string[] }
  /** The resource changed since the fix (someone edited it): refused, never overwritten. `reason` says what differs. */
  | { kind: 'drifted'; reason: string }
  /** AWS cannot put the prior state back; `reason` says why. */
  | { kind: 'irreversible'; reason: string }
  /** Nothing to do: the account is already as it was before this change (say, the resource is gone). */
  | { kind: 'nothing'; reason: string };

/** Marks a secret parameter in an OperationSpec. */
export const REDACTED = '«redacted»';
