/**
 * A class in the long-lived sandbox: `sandbox start --learners N|FILE [--host ADDRESS]` (an account
 * per learner in the emulator's organization, each seeded, a join line each) and
 * `sandbox reset --learner NAME` (one learner's account made afresh, the others untouched).
 */
import { rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { UserError } from '../../engine/errors.js';
import { forEachAccount, type OrgAccount } from '../../engine/org.js';
import { seedScenario } from '../../engine/scenario.js';
import { defaultProgressPath } from '../../progress/index.js';
import { registry } from '../../../steps/index.js';
import {
  baseProfileBlock,
  closeLearnerAccount,
  createLearnerAccount,
  ensureOrganization,
  joinEndpointFor,
  joinLine,
  learnerProfileBlock,
  parseLearners,
} from '../../sandbox/classroom.js';
import { SANDBOX_REGION, noteScenario, sandboxStatus, startLongLived, writeSandboxRecord } from '../../sandbox/index.js';
import type { LearnerRecord, SandboxRecord } from '../../sandbox/index.js';
import type { Session } from '../../engine/session.js';
import { scorecardPath } from '../../wizard/scorecard.js';
import type { GlobalOptions } from '../options.js';
import { info, startSession } from '../session.js';
import { startSpinner } from '../spinner.js';
import { plural, wrap } from '../../engine/wrap.js';

/** Prose for the person on stderr, wrapped at spaces to the terminal so no word is cut at its edge. */
function say(line: string): void {
  info(process.stderr.isTTY && process.stderr.columns ? wrap(line, process.stderr.columns).join('\n') : line);
}

const NONE = 'none';
/** Learner accounts seeded at once: moto is one process, and seeding is many small writes. */
const SEED_CONCURRENCY = 2;

/** `--host`: an IP address or a host name, nothing else (it lands in a URL and on moto's command line). */
function hostOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const host = value.trim();
  if (isIP(host) || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(host)) return host;
  throw new UserError(`--host ${JSON.stringify(value)} is not an address.`, 'Give an IP address of this machine (e.g. 0.0.0.0 for every interface, or 192.168.1.20) or a host name.');
}

async function classSession(opts: GlobalOptions, endpoint: string): Promise<Session> {
  const { learner: _learner, ...rest } = opts;
  return startSession({ ...rest, endpointUrl: endpoint, sandbox: endpoint }, { quiet: true });
}

/** Seeds `scenario` into each learner's account (through their role); returns the learners whose seeding failed, with why. */
async function seedLearners(session: Session, learners: readonly LearnerRecord[], scenario: string, onDone: (n: number) => void): Promise<string[]> {
  let done = 0;
  const accounts: OrgAccount[] = learners.map((l) => ({ id: l.accountId, name: l.name, status: 'ACTIVE' }));
  const outcomes = await forEachAccount(
    {
      factory: session.factory,
      caller: session.target,
      accounts,
      regions: () => async () => ({ regions: [SANDBOX_REGION], source: 'sandbox' }),
      concurrency: SEED_CONCURRENCY,
    },
    async ({ ctx }) => {
      const seeded = await seedScenario(scenario, ctx, registry);
      onDone(++done);
      return seeded;
    },
  );
  return outcomes.filter((o) => o.error !== undefined).map((o) => `${o.account.name}: ${o.error}`);
}

/** What the facilitator hands out: a join line per learner, then the AWS CLI profiles. */
export function joinText(record: SandboxRecord): string {
  const url = record.joinEndpoint ?? record.endpoint;
  const learners = record.learners ?? [];
  return [
    `# Join lines, one per learner (each works in an account of their own):`,
    ...learners.map((l) => joinLine(url, l.name)),
    '',
    `# AWS CLI profiles for the same accounts (add to ~/.aws/config; then: aws --profile classroom-NAME ...):`,
    baseProfileBlock(url),
    '',
    ...learners.flatMap((l) => [learnerProfileBlock(url, l), '']),
  ].join('\n');
}

const HOST_WARNING =
  'Warning: the emulator now answers anyone who can reach this address. It has no authentication: anyone on the network can read and change every learner account. Keep it on the room network and put nothing real in it.';

export async function startClass(opts: GlobalOptions): Promise<number> {
  if (opts.scenario === NONE) throw new UserError('A class needs a scenario to practise on.', 'Leave --scenario out (day-one), or name a scenario.');
  const scenario = opts.scenario ?? 'day-one';
  const names = await parseLearners(opts.learners ?? '');
  const host = hostOption(opts.host);
  const provider = opts.provider ?? 'auto';
  if (provider === 'localstack')
    throw new UserError("A class needs moto: LocalStack's free edition has no AWS Organizations, which gives each learner an account.", 'Use --provider moto (or leave --provider out).');

  const spinner = startSpinner('Starting a long-lived moto sandbox for the class…');
  let started: Awaited<ReturnType<typeof startLongLived>>;
  try {
    started = await startLongLived('moto', host !== undefined ? { host } : {});
  } finally {
    spinner.stop();
  }
  let record = started.record;
  if (started.alreadyRunning) {
    if (!record.learners?.length)
      throw new UserError(`A ${record.provider} sandbox without a class is already running at ${record.endpoint}.`, 'Stop it first with `secure-start sandbox stop`, then start the class.');
    say(`A class of ${plural(record.learners.length, 'learner')} is already running at ${record.endpoint}; nothing new was started. Its join lines:`);
    process.stdout.write(joinText(record));
    return 0;
  }
  say(`Started a moto sandbox at ${record.endpoint}; it keeps running until \`secure-start sandbox stop\`.`);
  if (host !== undefined) say(HOST_WARNING);

  const session = await classSession(opts, record.endpoint);
  const work = startSpinner(`Creating an account for each of ${plural(names.length, 'learner')}…`);
  try {
    session.factory.readOnly = false;
    const learners: LearnerRecord[] = [];
    try {
      await ensureOrganization(session.factory);
      for (const name of names) learners.push({ name, accountId: await createLearnerAccount(session.factory, name) });
    } finally {
      session.factory.readOnly = true;
    }
    const joinEndpoint = joinEndpointFor(record.endpoint, host);
    record = { ...record, learners, ...(joinEndpoint !== record.endpoint ? { joinEndpoint } : {}) };
    await writeSandboxRecord(record);
    work.update(`Seeding the ${scenario} scenario into ${plural(learners.length, 'learner account')}…`);
    const failed = await seedLearners(session, learners, scenario, (n) => work.update(`Seeding the ${scenario} scenario: ${n} of ${learners.length} learner accounts done…`));
    await noteScenario(record.endpoint, scenario);
    work.stop();
    if (failed.length) {
      for (const f of failed) say(`Could not seed ${f}`);
      say(`Try \`secure-start sandbox reset --learner NAME\` for each learner above.`);
    }
    say(`Class ready: ${plural(learners.length, 'learner')}, ${learners.length === 1 ? 'in an account' : 'each in an account'} of their own, seeded with ${scenario}.`);
    process.stdout.write(`Endpoint: ${record.joinEndpoint ?? record.endpoint}\n\n${joinText(record)}`);
    return failed.length ? 1 : 0;
  } finally {
    work.stop();
    await session.close();
  }
}

/**
 * `sandbox reset --learner NAME`: the learner's account is closed and a fresh account of the same
 * name is created and seeded, so everything the scenario and the learner made there is gone (moto
 * cannot empty one account of many); the other learners' accounts are not touched. The learner's
 * join line still works (it names the learner); their AWS CLI profile needs the new account id.
 */
export async function resetLearner(opts: GlobalOptions): Promise<number> {
  const name = opts.learner ?? '';
  const status = await sandboxStatus();
  const record = status.running;
  if (!record) throw new UserError('No sandbox is running.', 'Start a class with `secure-start sandbox start --learners N`.');
  const learners = record.learners ?? [];
  const old = learners.find((l) => l.name === name);
  if (!old)
    throw new UserError(
      `No learner "${name}" in the running sandbox.`,
      learners.length ? `Learners: ${learners.map((l) => l.name).join(', ')}.` : 'It holds no class: `sandbox reset` without --learner resets it.',
    );
  const scenario = record.scenario && record.scenario !== NONE ? record.scenario : 'day-one';
  const session = await classSession(opts, record.endpoint);
  const spinner = startSpinner(`Resetting ${name}'s account…`);
  let fresh: LearnerRecord;
  try {
    session.factory.readOnly = false;
    try {
      await closeLearnerAccount(session.factory, old.accountId);
      fresh = { name, accountId: await createLearnerAccount(session.factory, name) };
    } finally {
      session.factory.readOnly = true;
    }
    const updated: SandboxRecord = { ...record, learners: learners.map((l) => (l.name === name ? fresh : l)) };
    await writeSandboxRecord(updated);
    spinner.update(`Seeding the ${scenario} scenario into ${name}'s new account…`);
    const failed = await seedLearners(session, [fresh], scenario, () => undefined);
    if (failed.length) throw new UserError(`Could not seed ${failed[0]}`, 'Run the reset again.');
    // The old account's progress (on this machine) describes an account that is gone.
    const file = defaultProgressPath(old.accountId, true);
    await Promise.all([rm(file, { force: true }), rm(scorecardPath(file), { force: true })]);
  } finally {
    spinner.stop();
    await session.close();
  }
  const url = record.joinEndpoint ?? record.endpoint;
  say(`Reset ${name}: a fresh account ${fresh.accountId} (was ${old.accountId}) with the ${scenario} scenario; the other learners are untouched.`);
  say(`Their join line is unchanged. Their AWS CLI profile now needs this block:`);
  process.stdout.write(`${learnerProfileBlock(url, fresh)}\n`);
  return 0;
}
