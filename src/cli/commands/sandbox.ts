import { seedScenario } from '../../engine/scenario.js';
import { registry } from '../../../steps/index.js';
import { resetLongLived, sandboxStatus, startLongLived, stopLongLived } from '../../sandbox/index.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../sandbox/index.js';
import type { GlobalOptions } from '../options.js';
import { info, startSession } from '../session.js';
import { invokedAs } from '../../engine/invocation.js';

function exportLines(endpoint: string): string {
  return [
    `export AWS_ENDPOINT_URL=${endpoint}`,
    `export AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey}`,
    `export AWS_REGION=${SANDBOX_REGION}`,
  ].join('\n');
}

async function seedInto(opts: GlobalOptions, scenario: string): Promise<void> {
  const session = await startSession({ ...opts, sandbox: 'auto' }, { quiet: true });
  try {
    const seeded = await seedScenario(scenario, session.ctx, registry);
    info(`Seeded scenario ${scenario} into ${session.target.endpoint}: ${seeded.join(', ') || 'nothing'}.`);
  } finally {
    await session.close();
  }
}

export async function start(opts: GlobalOptions): Promise<number> {
  const provider = (opts.provider ?? 'auto') as 'auto' | 'moto' | 'localstack';
  const { record, alreadyRunning } = await startLongLived(provider);
  info(alreadyRunning ? `A ${record.provider} sandbox is already running.` : `Started a ${record.provider} sandbox; it keeps running until \`${invokedAs()} sandbox stop\`.`);
  process.stdout.write(`Endpoint: ${record.endpoint}\n\n# To point the AWS CLI or SDKs at it (throw-away credentials):\n${exportLines(record.endpoint)}\n`);
  info(`\nEvery secure-start command with --sandbox now uses it, e.g. \`secure-start --sandbox\`.`);
  if (opts.scenario) await seedInto(opts, opts.scenario);
  return 0;
}

export async function seed(opts: GlobalOptions): Promise<number> {
  const status = await sandboxStatus();
  if (!status.running && !opts.endpointUrl) {
    info('secure-start: no sandbox is running.');
    info(`  Start one with \`${invokedAs()} sandbox start\`, then seed it.`);
    return 2;
  }
  await seedInto(opts, opts.scenario ?? 'day-one');
  return 0;
}

export async function reset(): Promise<number> {
  const record = await resetLongLived();
  info(`Reset the ${record.provider} sandbox at ${record.endpoint}: it is empty now.`);
  return 0;
}

export async function status(): Promise<number> {
  const s = await sandboxStatus();
  const lines = s.running
    ? [`Running: ${s.running.provider} at ${s.running.endpoint} (since ${s.running.startedAt})`, '', exportLines(s.running.endpoint)]
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
