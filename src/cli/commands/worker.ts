/**
 * `fleet-rollout worker`: runs the orchestrator worker (the rollout workflows and their NATS
 * activities) until SIGINT or SIGTERM, then finishes in-flight tasks and exits 0.
 */
import { NativeConnection } from '@temporalio/worker';
import { describeTemporalSettings, temporalConnectionOptions, unreachableMessage } from '../../client/index.js';
import { createFrontendClient } from '../../frontend/index.js';
import { createLogger } from '../../log.js';
import { connectNats } from '../../nats/index.js';
import { createOrchestratorWorker, installRuntimeLogger } from '../../worker.js';
import { formatListenAddress } from '../../metrics/listen-address.js';
import { metricsListenFromFlags, METRICS_FLAG_OPTIONS, METRICS_FLAGS_HELP } from '../metrics-flags.js';
import { parseCommandArgs, expectPositionals } from '../args.js';
import { CONNECTION_FLAG_OPTIONS, TASK_QUEUE_HELP, TEMPORAL_FLAGS_HELP } from '../connection-flags.js';
import { ExitCode, UnreachableError } from '../exit.js';
import { frontendConfigFromFlags, LOCALAI_FLAG_OPTIONS, LOCALAI_FLAGS_HELP } from '../localai-flags.js';
import { describeServers, NATS_FLAGS_HELP, natsOptionsFromFlags } from '../nats-flags.js';
import { resolveConnection } from '../session.js';

const HELP = `Usage: fleet-rollout worker [flags]

Runs the orchestrator worker: hosts the rollout workflows and the activities that talk to nodes
over NATS. Run one or more; they share the task queue. Stops cleanly on SIGINT or SIGTERM.

Flags:
${TASK_QUEUE_HELP}${METRICS_FLAGS_HELP}  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
${NATS_FLAGS_HELP}
${LOCALAI_FLAGS_HELP}
Logs are JSON lines on stderr; LOG_LEVEL sets the level (default info).

Examples:
  fleet-rollout worker
  TEMPORAL_ADDRESS=temporal.internal:7233 NATS_URL=nats://nats.internal:4222 fleet-rollout worker
  fleet-rollout worker --config /etc/fleet-rollout.yaml --temporal-task-queue fleet-rollout-eu
`;

/** Runs the worker until a shutdown signal. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('worker', args, {
    ...CONNECTION_FLAG_OPTIONS,
    ...METRICS_FLAG_OPTIONS,
    ...LOCALAI_FLAG_OPTIONS,
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  expectPositionals('worker', positionals, []);
  const connection = resolveConnection(values);
  const natsOptions = natsOptionsFromFlags(values, connection.env);
  const frontendConfig = frontendConfigFromFlags(values, connection.env);
  const options = temporalConnectionOptions(connection.settings);
  const metricsListen = await metricsListenFromFlags(values['metrics-listen']);
  const log = createLogger();
  installRuntimeLogger(log, metricsListen === undefined ? {} : { metricsListen });
  const nc = await connectNats(natsOptions);
  let native: NativeConnection;
  try {
    native = await NativeConnection.connect(options);
  } catch (err) {
    await nc.close();
    throw new UnreachableError(unreachableMessage(connection.settings, (err as Error).message.split('\n')[0] ?? ''));
  }
  try {
    const worker = await createOrchestratorWorker({
      connection: native,
      nc,
      log,
      namespace: connection.settings.namespace,
      taskQueue: connection.taskQueue,
      ...(frontendConfig === undefined ? {} : { frontend: createFrontendClient(frontendConfig) }),
    });
    log.info(
      {
        temporal: describeTemporalSettings(connection.settings),
        nats: describeServers(natsOptions),
        taskQueue: connection.taskQueue,
        ...(metricsListen !== undefined ? { metrics: `http://${formatListenAddress(metricsListen)}/metrics` } : {}),
        localai: frontendConfig?.url ?? 'none',
      },
      'orchestrator worker running; SIGINT or SIGTERM stops it',
    );
    await worker.run();
    log.info('orchestrator worker stopped');
  } finally {
    await nc.drain().catch(() => undefined);
    await native.close();
  }
  return ExitCode.Ok;
}
