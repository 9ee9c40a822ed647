/**
 * A real orchestrator for a test: a Temporal client, a NATS connection and a running worker on a
 * task queue of its own, against the servers of `useServers()`.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { NatsConnection } from 'nats';
import { connectNats } from '../../src/nats/index.js';
import { createLogger, type Logger } from '../../src/log.js';
import { before } from 'node:test';
import { createOrchestratorWorker, installRuntimeLogger } from '../../src/worker.js';
import type { ServerSet } from './servers.js';
import { uniqueName } from './servers.js';

export interface TestOrchestrator {
  client: Client;
  nc: NatsConnection;
  taskQueue: string;
  log: Logger;
  worker: Worker;
  stop(): Promise<void>;
}

/** A logger for tests: silent unless TEST_LOG_LEVEL is set. */
export function testLogger(): Logger {
  return createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
}

/**
 * Set by {@link replayEveryActivation}: workers of this process keep no workflow in their cache,
 * so every activation replays the history from the start.
 */
const NO_CACHE_ENV = 'FLEET_TEST_REPLAY_EVERY_ACTIVATION';

/** Makes every orchestrator of this test process replay each activation (call before the test files load). */
export function replayEveryActivation(): void {
  process.env[NO_CACHE_ENV] = '1';
}

/** Worker options a test may shorten: the `backend.list` timeout and discovery's re-ask window. */
export interface OrchestratorOptions {
  listTimeoutMs?: number;
  discoveryGraceMs?: number;
}

export async function startOrchestrator(
  servers: ServerSet,
  options: OrchestratorOptions = {},
): Promise<TestOrchestrator> {
  await servers.ready;
  const noCache = process.env[NO_CACHE_ENV] === '1' ? { maxCachedWorkflows: 0 } : {};
  const log = testLogger();
  const taskQueue = uniqueName('tq');
  const nc = await connectNats({ servers: [servers.nats.url] });
  const connection = await Connection.connect({ address: servers.temporal.address });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address: servers.temporal.address });
  const worker = await createOrchestratorWorker({
    connection: nativeConnection,
    nc,
    log,
    taskQueue,
    ...options,
    ...noCache,
  });
  const running = worker.run();
  let stopped = false;
  const orchestrator: TestOrchestrator = {
    client,
    nc,
    taskQueue,
    log,
    worker,
    async stop() {
      if (stopped) return;
      stopped = true;
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await nc.drain();
    },
  };
  servers.beforeStop(() => orchestrator.stop());
  return orchestrator;
}

/**
 * Registers a `before` hook that starts an orchestrator against `servers` once they are ready,
 * and returns it; its fields are filled in before the file's first test runs (it stops itself
 * before the servers do). The Temporal runtime logs through the quiet test logger.
 */
export function useOrchestrator(servers: ServerSet, options: OrchestratorOptions = {}): TestOrchestrator {
  const orchestrator = {} as TestOrchestrator;
  before(async () => {
    installRuntimeLogger(testLogger());
    Object.assign(orchestrator, await startOrchestrator(servers, options));
  });
  return orchestrator;
}
