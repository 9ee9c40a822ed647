/**
 * How a rollout is addressed in Temporal, declared once: the workflow type names, the workflow id
 * `rollout:<backend>` (one rollout per backend), the default task queue, the query and update
 * names, the search attribute names and the memo keys. Plain constants with no imports, so the
 * workflow code, the worker, the client and the CLI's light control commands (which load no
 * Temporal SDK) all read the same ones.
 */

/** Task queue of the orchestrator unless told otherwise. */
export const DEFAULT_TASK_QUEUE = 'fleet-rollout';

/** Workflow type name of the rollout, as registered by the orchestrator worker. */
export const ROLLOUT_WORKFLOW_TYPE = 'rolloutWorkflow';
/** Workflow type name of the trigger a Temporal Schedule starts. */
export const SCHEDULED_WORKFLOW_TYPE = 'scheduledRolloutWorkflow';

const ROLLOUT_ID_PREFIX = 'rollout:';

/** Workflow id of the one rollout of a backend. */
export function rolloutWorkflowId(backend: string): string {
  return `${ROLLOUT_ID_PREFIX}${backend}`;
}

/** The backend of a rollout's workflow id (`rollout:llama-cpp` → `llama-cpp`); other ids come back as they are. */
export function backendOfWorkflowId(workflowId: string): string {
  return workflowId.startsWith(ROLLOUT_ID_PREFIX) ? workflowId.slice(ROLLOUT_ID_PREFIX.length) : workflowId;
}

/** Default id of the Temporal Schedule of a backend's recurring upgrade. */
export function defaultScheduleId(backend: string): string {
  return `fleet-upgrade:${backend}`;
}

/** Workflow id prefix of a schedule's trigger runs (Temporal appends the time of each action). */
export function triggerWorkflowId(backend: string): string {
  return `rollout-trigger:${backend}`;
}

/** Name of the rollout's one query. */
export const STATUS_QUERY = 'status';

/** Names of the rollout workflow's updates (the operator controls). */
export const RolloutUpdate = {
  pause: 'pause',
  resume: 'resume',
  abort: 'abort',
  promote: 'promote',
  setMaxParallel: 'setMaxParallel',
  skipNode: 'skipNode',
  retryNode: 'retryNode',
} as const;
/** One of {@link RolloutUpdate}. */
export type RolloutUpdate = (typeof RolloutUpdate)[keyof typeof RolloutUpdate];

/** The search attributes that make rollouts findable in the Temporal Web UI and by `list`, with their types. */
export const RolloutSearchAttribute = {
  Backend: { name: 'RolloutBackend', type: 'Keyword' },
  Phase: { name: 'RolloutPhase', type: 'Keyword' },
  ProgressPct: { name: 'RolloutProgressPct', type: 'Int' },
  FailedNodes: { name: 'RolloutFailedNodes', type: 'Int' },
} as const;

/** The `RolloutPhase` of a scheduled trigger run that found the fleet on the target and started nothing; `history` lists these runs. */
export const UP_TO_DATE_PHASE = 'up-to-date';

/** Keys of a rollout's (and a trigger run's) memo. */
export const MemoKey = {
  /** Who asked. */
  RequestedBy: 'requestedBy',
  /** Why. */
  Reason: 'reason',
  /** What the run upgrades to, as one readable line. */
  Target: 'target',
  /** What a scheduled trigger did (started, skipped, up to date, not started). */
  Outcome: 'outcome',
} as const;

/** The memo a rollout starts with: who asked, and why and to what when known. */
export function rolloutMemo(fields: {
  requestedBy: string;
  reason?: string | undefined;
  target?: string | undefined;
}): Record<string, string> {
  const memo: Record<string, string> = { [MemoKey.RequestedBy]: fields.requestedBy };
  if (fields.reason !== undefined) memo[MemoKey.Reason] = fields.reason;
  if (fields.target !== undefined) memo[MemoKey.Target] = fields.target;
  return memo;
}
