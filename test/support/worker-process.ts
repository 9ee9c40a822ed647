/**
 * The orchestrator worker as a separate process (`fleet-rollout worker`), for tests that kill it
 * with SIGKILL and start another: ready once its log says it runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ManagedProcess, waitUntil } from '../../src/local/managed-process.js';
import { PROJECT_ROOT } from '../../src/local/tools.js';
import { uniqueName, type ServerSet } from './servers.js';

/** Starts `fleet-rollout worker` on `taskQueue`; `extraArgs` are appended (e.g. `--localai-url`). */
export async function spawnWorker(
  servers: ServerSet,
  taskQueue: string,
  extraArgs: readonly string[] = [],
): Promise<ManagedProcess> {
  const logFile = path.join(servers.logDir, `${uniqueName('worker')}.log`);
  const proc = ManagedProcess.start(
    'worker',
    process.execPath,
    [
      path.join(PROJECT_ROOT, 'dist/src/cli/main.js'),
      'worker',
      '--temporal-address',
      servers.temporal.address,
      '--task-queue',
      taskQueue,
      '--nats-url',
      servers.nats.url,
      ...extraArgs,
    ],
    logFile,
  );
  await waitUntil(
    'the orchestrator worker process',
    () => Promise.resolve(readFileSync(logFile, 'utf8').includes('orchestrator worker running')),
    60_000,
  );
  return proc;
}
