import { rm } from 'node:fs/promises';
import { SCENARIOS, seedScenario } from '../../engine/scenario.js';
import { UserError } from '../../engine/errors.js';
import { ProgressStore, defaultProgressPath } from '../../progress/index.js';
import { registry } from '../../../steps/index.js';
import { noteScenario, resetLongLived, sandboxStatus, startLongLived, stopLongLived } from '../../sandbox/index.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../sandbox/index.js';
import type { SandboxRecord } from '../../sandbox/index.js';
import type { GlobalOptions } from '../options.js';
import { info, startSession } from '../session.js';
import { invokedAs } from '../../engine/invocation.js';
import { startSpinner } from '../spinner.js';

/** What to export for the AWS CLI (v1 reads AWS_DEFAULT_REGION, v2 and the SDKs AWS_REGION) and SDKs. */
export function exportLines(endpoint: string): string {
  return [
    `export AWS_ENDPOINT_URL=${endpoint}`,
    `export AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey}`,
    `export AWS_REGION=${SANDBOX_REGION}`,
    `export AWS_DEFAULT_REGION=${SANDBOX_REGION}`,
  ].join('\n');
}

const NONE = 'none';

/** `--scenario`: a known scenario, or `none` (an empty account). Checked before anything starts. */
function scenarioOption(value: string | undefined, { allowNone }: { allowNone: boolean }): string {
  const name = value ?? 'day-one';
  if (name in SCENARIOS || (allowNone && name === NONE)) return name;
  const known = [...Object.keys(SCENARIOS), ...(allowNone ? [NONE] : [])];
  throw new UserError(`Unknown scenario "${name}".`, `Scenarios: ${known.join(', ')}.`);
}

/** One line on what the long-lived sandbox holds, from its record. */
function scenarioLine(record: SandboxRecord): string {
  if (!record.scenario) return 'Scenario: not recorded (this sandbox was started by an older version).';
  if (record.scenario === NONE) return `Scenario: none, an empty account${record.seededAt ? ` (since ${record.seededAt})` : ''}; \`sandbox seed\` puts day-one in.`;
  return `Scenario: ${record.scenario}, seeded at ${record.seededAt ?? 'an unrecorded time'}; \`sandbox reset\` puts it back.`;
}

/** Seeds `scenario` into the sandbox at `endpoint` and notes it in the long-lived sandbox's record. */
async function seedInto(opts: GlobalOptions, endpoint: string, scenario: string): Promise<void> {
  const spinner = startSpinner(`Seeding the ${scenario} scenario into ${endpoint}…`);
  try {
    const session = await startSession({ ...opts, endpointUrl: endpoint, sandbox: endpoint }, { quiet: true });
    try {
      const seeded = await seedScenario(scenario, session.ctx, registry);
      await noteScenario(endpoint, scenario);
      spinner.stop();
      info(`Seeded scenario ${scenario} into ${endpoint}: ${seeded.join(', ') || 'nothing'}.`);
    } finally {
      await session.close();
    }
  } finally {
    spinner.stop();
  }
}

export async function start(opts: GlobalOptions): Promise<number> {
  if (opts.learners !== undefined) return (await import('./classroom.js')).startClass(opts);
  if (opts.host !== undefined) throw new UserError('--host is for a class of learners on other machines.', 'Add --learners N (or a file of names).');
  const scenario = scenarioOption(opts.scenario, { allowNone: true });
  const provider = (opts.provider ?? 'auto') as 'auto' | 'moto' | 'localstack';
  const spinner = startSpinner(`Starting a long-lived ${provider === 'auto' ? '' : `${provider} `}sandbox…`);
  let started: Awaited<ReturnType<typeof startLongLived>>;
  try {
    started = await startLongLived(provider);
  } finally {
    spinner.stop();
  }
  const { record, alreadyRunning } = started;
  info(alreadyRunning ? `A ${record.provider} sandbox is already running.` : `Started a ${record.provider} sandbox; it keeps running until \`${invokedAs()} sandbox stop\`.`);
  process.stdout.write(`Endpoint: ${record.endpoint}\n\n# To point the AWS CLI (v1 or v2) or an SDK at it (throw-away credentials):\n${exportLines(record.endpoint)}\n`);
  info(`\nEvery secure-start command with --sandbox now uses it, e.g. \`${invokedAs()} --sandbox\`.`);
  if (alreadyRunning) {
    // Its account may hold a workshop's work: seeding again is `sandbox seed` or `sandbox reset`, on purpose.
    info(scenarioLine(record));
    return 0;
  }
  if (scenario === NONE) await noteScenario(record.endpoint, NONE);
  else await seedInto(opts, record.endpoint, scenario);
  return 0;
}

export async function seed(opts: GlobalOptions): Promise<number> {
  const scenario = scenarioOption(opts.scenario, { allowNone: false });
  const status = await sandboxStatus();
  const endpoint = opts.endpointUrl ?? status.running?.endpoint;
  if (!endpoint) {
    info('secure-start: no sandbox is running.');
    info(`  Start one with \`${invokedAs()} sandbox start\`, then seed it.`);
    return 2;
  }
  await seedInto(opts, endpoint, scenario);
  return 0;
}

/**
 * Empties the long-lived sandbox, seeds its scenario again (day-one unless it was started with
 * another, or with none) and removes the sandbox progress file and scorecard: a fresh practice
 * account. Refused while a wizard holds that progress file.
 */
export async function reset(opts: GlobalOptions): Promise<number> {
  if (opts.learner !== undefined) return (await import('./classroom.js')).resetLearner(opts);
  const status = await sandboxStatus();
  const record = status.running;
  if (!record) throw new UserError('No sandbox is running.', `Start one with \`${invokedAs()} sandbox start\`.`);
  // Emptying the emulator would take every learner's account (and the organization) with it.
  if (record.learners?.length)
    throw new UserError(
      `This sandbox holds a class of ${record.learners.length}: resetting all of it would remove every learner's account.`,
      `Reset one learner with \`${invokedAs()} sandbox reset --learner NAME\`, or stop the sandbox and start the class again.`,
    );
  const session = await startSession({ ...opts, endpointUrl: record.endpoint, sandbox: record.endpoint }, { quiet: true });
  let progress: ProgressStore | undefined;
  const file = defaultProgressPath(session.target.accountId, true);
  try {
    // Take the progress file's lock first: a wizard still working in the sandbox stops the reset.
    progress = await ProgressStore.open(file, session.target, { toolVersion: session.version }).catch((err: unknown) => {
      if ((err as { kind?: string }).kind === 'locked')
        throw new UserError(`A wizard is still using the sandbox: ${(err as Error).message.split('\n')[0]}`, 'Finish or quit it, then reset the sandbox.');
      info(`secure-start: ${(err as Error).message.split('\n')[0]} It was left as it is.`);
      return undefined;
    });
  } catch (err) {
    await session.close();
    throw err;
  }
  const scenario = record.scenario ?? 'day-one';
  const spinner = startSpinner(`Resetting the ${record.provider} sandbox at ${record.endpoint}…`);
  try {
    await resetLongLived();
    if (scenario !== NONE) {
      spinner.update(`Seeding the ${scenario} scenario…`);
      await seedScenario(scenario, session.ctx, registry);
    }
    await noteScenario(record.endpoint, scenario);
    if (progress) {
      // Loaded here, not at the top: the scorecard module brings the wizard's renderer (marked,
      // marked-terminal, cli-highlight), over a second of start-up that every other sandbox command would pay.
      const { scorecardPath } = await import('../../wizard/scorecard.js');
      await Promise.all([rm(file, { force: true }), rm(scorecardPath(file), { force: true })]);
    }
  } finally {
    spinner.stop();
    await progress?.close();
    await session.close();
  }
  info(
    scenario === NONE
      ? `Reset the ${record.provider} sandbox at ${record.endpoint}: it is empty again.`
      : `Reset the ${record.provider} sandbox at ${record.endpoint}: the ${scenario} scenario is back.`,
  );
  if (progress) info(`Cleared its progress: ${file} (the next \`--sandbox\` run starts at the first step).`);
  return 0;
}

export async function status(): Promise<number> {
  const s = await sandboxStatus();
  const lines = s.running
    ? [
        `Running: ${s.running.provider} at ${s.running.endpoint} (since ${s.running.startedAt})`,
        scenarioLine(s.running),
        ...(s.running.learners?.length
          ? [`Class: ${s.running.learners.length} learners (${s.running.learners.map((l) => l.name).join(', ')}), joining at ${s.running.joinEndpoint ?? s.running.endpoint}.`]
          : []),
        '',
        exportLines(s.running.endpoint),
      ]
    : [`No sandbox is running. Start one with \`${invokedAs()} sandbox start\`.`];
  lines.push(
    '',
    `Available here: moto_server ${s.available.motoServer ? `(${s.available.motoServer})` : 'not installed'}, Docker ${s.available.docker ? 'answers' : 'not answering'}.`,
    `LocalStack image: ${s.localstackImage}${s.localstackAuthToken ? ' (LOCALSTACK_AUTH_TOKEN is set)' : ''}`,
  );
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

export async function stop(): Promise<number> {
  const record = await stopLongLived();
  info(record ? `Stopped the ${record.provider} sandbox at ${record.endpoint}.` : 'No sandbox was running.');
  return 0;
}
