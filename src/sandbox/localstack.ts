/**
 * LocalStack as a sandbox, through testcontainers' LocalStack module. testcontainers is imported
 * only when one of these functions runs, so loading this module costs nothing.
 */
import { LOCALSTACK_IMAGE } from './constants.js';
import { SandboxError, describeError } from './errors.js';

export interface RunningLocalStack {
  /** `http://HOST:PORT` (the container's mapped edge port). */
  endpoint: string;
  containerId: string;
  stop(): Promise<void>;
}

export const TOKEN_HINT =
  'Newer LocalStack images only start with an auth token: set LOCALSTACK_AUTH_TOKEN (free account at localstack.cloud) and try again, or use moto (`pip install "moto[server]"`).';

/** Whether a Docker engine answers. Never takes much longer than `timeoutMs`; false on any error. */
export async function dockerAvailable(timeoutMs = 5000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  const probe = (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return true;
    } catch {
      return false;
    }
  })();
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface StartLocalStackOptions {
  /**
   * Keep the container when this process ends (`sandbox start`); stop it with
   * `stopLocalStackContainer(containerId)`. Default: testcontainers removes it when we exit.
   */
  longLived?: boolean;
}

/** Starts LocalStack (LOCALSTACK_IMAGE) and waits until it is ready. */
export async function startLocalStack(opts: StartLocalStackOptions = {}): Promise<RunningLocalStack> {
  const token = process.env.LOCALSTACK_AUTH_TOKEN;
  let started;
  try {
    const { LocalstackContainer } = await import('@testcontainers/localstack');
    const container = new LocalstackContainer(LOCALSTACK_IMAGE).withLabels({ 'secure-start.sandbox': 'localstack' });
    if (token) container.withEnvironment({ LOCALSTACK_AUTH_TOKEN: token });
    if (opts.longLived) container.withAutoCleanup(false).withAutoRemove(false);
    started = await container.start();
  } catch (error) {
    throw new SandboxError(
      `LocalStack (${LOCALSTACK_IMAGE}) did not start: ${describeError(error)}`,
      token ? 'Check that the auth token in LOCALSTACK_AUTH_TOKEN is valid and that Docker can pull the image.' : TOKEN_HINT,
      { cause: error },
    );
  }
  const container = started;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: container.getConnectionUri(),
    containerId: container.getId(),
    stop() {
      stopping ??= container.stop({ remove: true }).then(() => undefined);
      return stopping;
    },
  };
}

/** Stops and removes a LocalStack container by id (the long-lived sandbox, from another process). */
export async function stopLocalStackContainer(containerId: string): Promise<void> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(containerId);
    await client.container.stop(container, { timeout: 10_000 });
    await client.container.remove(container, { removeVolumes: true });
  } catch (error) {
    if (/no such container|404/i.test(describeError(error))) return;
    throw new SandboxError(`Could not stop the LocalStack container ${containerId.slice(0, 12)}: ${describeError(error)}`, `Stop it by hand: docker rm -f ${containerId.slice(0, 12)}`);
  }
}

/** Whether LocalStack answers at `endpoint` (GET /_localstack/health). */
export async function isLocalStack(endpoint: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(new URL('/_localstack/health', endpoint), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel();
      return false;
    }
    const body: unknown = await res.json();
    return typeof body === 'object' && body !== null && 'services' in body;
  } catch {
    return false;
  }
}

/** Forgets every resource LocalStack holds (POST /_localstack/state/reset). */
export async function localStackReset(endpoint: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(new URL('/_localstack/state/reset', endpoint), { method: 'POST', signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new SandboxError(`Could not reset the LocalStack sandbox at ${endpoint}: ${describeError(error)}`);
  }
  await res.body?.cancel();
  if (!res.ok) {
    throw new SandboxError(`This LocalStack at ${endpoint} cannot reset its state (HTTP ${res.status}).`, 'Stop the sandbox and start it again for a clean account.');
  }
}
