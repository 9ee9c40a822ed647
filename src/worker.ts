/**
 * The orchestrator worker: hosts the rollout workflows and their activities on one task queue.
 * `createOrchestratorWorker` is used by the CLI (`fleet-rollout worker`), the demo and the tests.
 */
import {
  bundleWorkflowCode,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import type { NatsConnection } from 'nats';
import type { FrontendClient } from './frontend/index.js';
import { createActivities } from './activities/index.js';
import type { ListenAddress } from './metrics/listen-address.js';
import { startWorkerMetrics, prometheusTelemetry } from './metrics/worker-telemetry.js';
import { workflowMetricsSinks } from './metrics/workflow-sinks.js';
import type { Logger } from './log.js';
import { DEFAULT_TASK_QUEUE } from './addressing.js';

export { DEFAULT_TASK_QUEUE };

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle, built once per process (webpack takes seconds). */
export async function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('./workflows/index.js'), logger: quietBundlerLogger });
  return await bundle;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

let runtimeInstalled = false;

/**
 * Routes the Temporal runtime's logs (SDK and workflow `log`) into our pino logger. Once per process.
 * With `metricsListen`, the runtime also serves Prometheus text on `http://HOST:PORT/metrics`: the
 * SDK's worker metrics and ours (`src/metrics`), NATS requests included.
 */
export function installRuntimeLogger(log: Logger, options: { metricsListen?: ListenAddress } = {}): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  const sdkLog = log.child({ component: 'temporal' });
  Runtime.install({
    ...(options.metricsListen !== undefined ? { telemetryOptions: prometheusTelemetry(options.metricsListen) } : {}),
    logger: {
      log: (level: LogLevel, message: string, meta?: LogMetadata) => sdkLog[pinoLevel[level]](meta ?? {}, message),
      trace: (message: string, meta?: LogMetadata) => sdkLog.trace(meta ?? {}, message),
      debug: (message: string, meta?: LogMetadata) => sdkLog.debug(meta ?? {}, message),
      info: (message: string, meta?: LogMetadata) => sdkLog.info(meta ?? {}, message),
      warn: (message: string, meta?: LogMetadata) => sdkLog.warn(meta ?? {}, message),
      error: (message: string, meta?: LogMetadata) => sdkLog.error(meta ?? {}, message),
    },
  });
  if (options.metricsListen !== undefined) startWorkerMetrics();
}

/** The sinks the rollout workflows call (their metrics); replay workers need them too. */
export function workflowSinks(): ReturnType<typeof workflowMetricsSinks> {
  return workflowMetricsSinks(() => Runtime.instance().metricMeter);
}

export interface OrchestratorWorkerOptions {
  connection: NativeConnection;
  nc: NatsConnection;
  log: Logger;
  /** @default "default" */
  namespace?: string;
  /** @default "fleet-rollout" */
  taskQueue?: string;
  /** Activities running at once (mostly NATS waits). @default 1000 */
  maxConcurrentActivities?: number;
  /** Override of the `backend.list` timeout (tests). */
  listTimeoutMs?: number;
  /** Override of how long discovery keeps asking a node that does not answer (tests). @default 60000 */
  discoveryGraceMs?: number;
  /** The fleet's LocalAI frontend, for the drain and resume activities. */
  frontend?: FrontendClient;
  /** Workflows kept in the worker's cache; 0 replays every activation from the start (tests). @default the SDK's */
  maxCachedWorkflows?: number;
}

/** Creates (does not run) the orchestrator worker. */
export async function createOrchestratorWorker(options: OrchestratorWorkerOptions): Promise<Worker> {
  const activities = createActivities({
    nc: options.nc,
    log: options.log,
    ...(options.listTimeoutMs !== undefined ? { listTimeoutMs: options.listTimeoutMs } : {}),
    ...(options.discoveryGraceMs !== undefined ? { discoveryGraceMs: options.discoveryGraceMs } : {}),
    ...(options.frontend !== undefined ? { frontend: options.frontend } : {}),
  });
  return await Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities,
    // Workflow metrics (src/workflows/metrics.ts), recorded on non-replay only.
    sinks: workflowSinks(),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 1_000,
    // Progress travels in heartbeats: send them at most half a second apart for live status views.
    maxHeartbeatThrottleInterval: '500ms',
    defaultHeartbeatThrottleInterval: '500ms',
    shutdownGraceTime: '5s',
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
  });
}
