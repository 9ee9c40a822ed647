/**
 * Reading a rollout: the workflow's `status` query (or its result once it ended) merged with the
 * live progress that in-flight `upgradeNode`/`verifyNode` activities report in their heartbeats.
 */
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { parseHeartbeat } from '../domain/heartbeat.js';
import { rolloutWorkflowId, STATUS_QUERY } from '../addressing.js';
import { isActiveNode, isSettled, RolloutPhase } from '../domain/rollout-phase.js';
import type { rolloutWorkflow } from '../workflows/rollout.js';
import type { RolloutStatus, StatusQueryOptions } from '../workflows/status.js';
import { RolloutNotFoundError, RolloutUnavailableError } from './errors.js';

/** Latest progress of one in-flight node, from the heartbeat of its running activity. */
export interface LiveProgress {
  nodeId: string;
  /** `upgradeNode` or `verifyNode`. */
  activity: string;
  pct?: number;
  phase?: string;
  fileName?: string;
  /** When the agent reported it (epoch ms). */
  at: number;
}

/** Options of {@link getStatus}. */
export interface GetStatusOptions extends StatusQueryOptions {
  /** How long the `status` query may wait for a worker to answer. @default 10000 */
  queryTimeoutMs?: number;
  /** Read this run (and the runs it continued as) instead of the latest run. */
  runId?: string;
}

/** A rollout as seen from the client. */
export interface RolloutSnapshot {
  workflowId: string;
  /** The current run (continue-as-new makes new runs of the same rollout). */
  runId: string;
  /** Temporal's execution status of that run. */
  execution: WorkflowExecutionStatusName;
  /** The rollout's own status; node `pct`/`phase` already carry the live heartbeat values. */
  status: RolloutStatus;
  /** Live progress by node id (in-flight nodes whose activity has heartbeated). */
  live: Record<string, LiveProgress>;
  /** Why the workflow ended without a status of its own (failed, terminated, timed out). */
  failure?: string;
}

/** A pending activity as `describe()` reports it. */
export type PendingActivity = NonNullable<WorkflowExecutionDescription['raw']['pendingActivities']>[number];

/** Decodes the heartbeat details of pending rollout activities; anything that does not parse is ignored. */
export function liveProgressOf(pending: readonly PendingActivity[]): Record<string, LiveProgress> {
  const live: Record<string, LiveProgress> = {};
  for (const activity of pending) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    if (payload === undefined || payload === null) continue;
    let decoded: unknown;
    try {
      decoded = defaultPayloadConverter.fromPayload(payload);
    } catch {
      continue;
    }
    const beat = parseHeartbeat(decoded);
    if (beat === undefined) continue;
    const entry: LiveProgress = { nodeId: beat.nodeId, activity: activity.activityType?.name ?? '', at: beat.at };
    if (beat.pct !== undefined) entry.pct = beat.pct;
    if (beat.phase !== undefined) entry.phase = beat.phase;
    if (beat.fileName !== undefined) entry.fileName = beat.fileName;
    const previous = live[entry.nodeId];
    if (previous === undefined || previous.at <= entry.at) live[entry.nodeId] = entry;
  }
  return live;
}

function mergeLive(status: RolloutStatus, live: Record<string, LiveProgress>): RolloutStatus {
  return {
    ...status,
    nodes: status.nodes.map((node) => {
      const progress = live[node.id];
      if (progress === undefined) return node;
      const merged = { ...node };
      if (progress.pct !== undefined) merged.pct = progress.pct;
      if (progress.phase !== undefined) merged.phase = progress.phase;
      return merged;
    }),
  };
}

function selectNodes(status: RolloutStatus, which: StatusQueryOptions['nodes']): RolloutStatus {
  if (which === undefined || which === 'all') return status;
  if (which === 'none') return { ...status, nodes: [] };
  return {
    ...status,
    nodes: status.nodes.filter((n) => isActiveNode(n.state)),
  };
}

/** A status for a run that ended without returning one (it failed at start or was terminated). */
function endedStatus(
  backend: string,
  execution: WorkflowExecutionStatusName,
  message: string,
  startedAt: Date,
  closedAt: Date | undefined,
): RolloutStatus {
  const phase = execution === 'TERMINATED' || execution === 'CANCELLED' ? RolloutPhase.Aborted : RolloutPhase.Failed;
  const status: RolloutStatus = {
    backend,
    phase,
    message,
    counts: { total: 0, pending: 0, inFlight: 0, succeeded: 0, failed: 0, skipped: 0, unknown: 0 },
    progressPct: 0,
    currentWave: 0,
    waves: 0,
    maxParallel: 0,
    replicasDown: 0,
    replicaBudget: 0,
    allowedFailures: 0,
    startedAt: startedAt.getTime(),
    skippedAtDiscovery: [],
    continueAsNewCount: 0,
    nodes: [],
  };
  if (closedAt !== undefined) status.finishedAt = closedAt.getTime();
  return status;
}

async function failureOf(result: Promise<unknown>, execution: WorkflowExecutionStatusName): Promise<string> {
  try {
    await result;
    return `the workflow ended ${execution.toLowerCase()}`;
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
    return cause?.message ?? (err as Error).message;
  }
}

/**
 * The status of the rollout of `backend` (its latest run). Running: the `status` query merged
 * with live heartbeat progress. Completed: the workflow's result (no worker needed). Failed,
 * terminated or timed out: a status with phase `failed`/`aborted` whose message says why.
 * @throws RolloutNotFoundError when the backend never had a rollout (or it left retention).
 * @throws RolloutUnavailableError when the rollout runs but no worker answers its status query.
 */
export async function getStatus(
  client: Client,
  backend: string,
  options: GetStatusOptions = {},
): Promise<RolloutSnapshot> {
  const workflowId = rolloutWorkflowId(backend);
  let handle = client.workflow.getHandle<typeof rolloutWorkflow>(workflowId, options.runId);
  let description;
  try {
    description = await handle.describe();
    // A pinned run that continued as new goes on in its successor: the latest run of the same chain.
    if (options.runId !== undefined && description.status.name === 'CONTINUED_AS_NEW') {
      handle = client.workflow.getHandle<typeof rolloutWorkflow>(workflowId);
      description = await handle.describe();
    }
  } catch (err) {
    if (err instanceof WorkflowNotFoundError && options.runId !== undefined) {
      throw new RolloutNotFoundError(
        `no run ${options.runId} of rollout ${workflowId}; 'fleet-rollout history ${backend}' lists its runs`,
      );
    }
    if (err instanceof WorkflowNotFoundError) {
      throw new RolloutNotFoundError(
        `no rollout of ${backend} (workflow ${workflowId}) in namespace ${client.options.namespace}; start one with 'fleet-rollout start --backend ${backend} …'`,
      );
    }
    throw err;
  }
  const execution = description.status.name;
  const base = { workflowId, runId: description.runId, execution };
  if (execution === 'RUNNING') {
    const live = liveProgressOf(description.raw.pendingActivities ?? []);
    const deadline = Date.now() + (options.queryTimeoutMs ?? 10_000);
    let status: RolloutStatus;
    try {
      status = await client.withDeadline(deadline, () =>
        handle.query<RolloutStatus, [StatusQueryOptions]>(STATUS_QUERY, { nodes: options.nodes ?? 'all' }),
      );
    } catch (err) {
      throw new RolloutUnavailableError(
        `cannot read the status of ${workflowId}: no orchestrator worker answered (${(err as Error).message}); ` +
          `is 'fleet-rollout worker' polling task queue ${description.taskQueue}?`,
      );
    }
    return { ...base, status: mergeLive(status, live), live };
  }
  const run = client.workflow.getHandle<typeof rolloutWorkflow>(workflowId, description.runId);
  if (execution === 'COMPLETED') return { ...base, status: selectNodes(await run.result(), options.nodes), live: {} };
  const failure = await failureOf(run.result(), execution);
  return {
    ...base,
    status: endedStatus(backend, execution, failure, description.startTime, description.closeTime),
    live: {},
    failure,
  };
}

export { isSettled };
