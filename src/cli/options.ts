import type { StepEntry } from '../engine/types.js';
import { registry } from '../../steps/index.js';
import { UserError } from '../engine/errors.js';
import { AREAS } from '../engine/types.js';
import type { TargetOptions } from '../engine/session.js';
import { invokedAs } from '../engine/invocation.js';

/** Every flag, as commander hands them over (names in camelCase). */
export interface GlobalOptions {
  step?: string[];
  area?: string[];
  regions?: string;
  profile?: string;
  region?: string;
  endpointUrl?: string;
  sandbox?: string | boolean;
  progress?: string;
  color?: boolean;
  verbose?: boolean;
  yes?: boolean;
  answers?: string;
  format?: string;
  for?: string;
  template?: boolean;
  provider?: string;
  scenario?: string;
  /** false with --no-lessons. */
  lessons?: boolean;
  /** The wizard: walk the selected steps again even when done or skipped. */
  redo?: boolean;
  /** The wizard as an exercise: no fix shown; the learner changes the account by hand; hints reveal the plan. */
  challenge?: boolean;
  /** With --sandbox: act in this learner's account (classroom). */
  learner?: string;
  /** check: every account of the organization (through --role-name). */
  org?: boolean;
  roleName?: string;
  /** check: only these accounts of the organization (implies --org). */
  accounts?: string;
  /** sandbox start: a number of learners, or a file of names. */
  learners?: string;
  /** sandbox start: the address the emulator listens on. */
  host?: string;
  /** sandbox scoreboard: refresh every N seconds. */
  watch?: string;
  /** undo: the changes made at or after this ISO-8601 time. */
  since?: string;
}

function suggest(id: string): string {
  const close = registry.map((e) => e.meta.id).filter((x) => x.includes(id.split('.').pop() ?? id) || id.includes(x.split('.').pop()!));
  return close.length ? `Did you mean ${close.join(' or ')}? ` : '';
}

/** The steps a command works on, in catalogue order. */
export function selectSteps(opts: Pick<GlobalOptions, 'step' | 'area'>): StepEntry[] {
  const ids = new Set(registry.map((e) => e.meta.id));
  for (const id of opts.step ?? [])
    if (!ids.has(id)) throw new UserError(`Unknown step "${id}".`, `${suggest(id)}Run \`${invokedAs()} lessons\` to list the steps.`);
  for (const a of opts.area ?? [])
    if (!(AREAS as readonly string[]).includes(a)) throw new UserError(`Unknown area "${a}".`, `Areas: ${AREAS.join(', ')}.`);
  const selected = registry.filter(
    (e) => (!opts.step?.length && !opts.area?.length) || opts.step?.includes(e.meta.id) || opts.area?.includes(e.meta.area),
  );
  if (!selected.length) throw new UserError(`No step is implemented yet in area ${opts.area?.join(', ')}.`, `Run \`${invokedAs()} lessons\` to list the steps.`);
  return selected;
}

export function targetOf(opts: GlobalOptions): TargetOptions {
  return {
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}),
    ...(opts.sandbox ? { sandbox: opts.sandbox } : {}),
    ...(opts.learner !== undefined ? { learner: opts.learner } : {}),
    // `--regions ""` is given too: an empty list is refused, never read as "all regions".
    ...(opts.regions !== undefined ? { regions: [opts.regions] } : {}),
  };
}
