/**
 * Inputs and outputs of the LocalAI frontend activities (drain, resume, model rows, replica
 * wait). Workflows import these as types only.
 */

/** A model row as the rollout records it before a drain. */
export interface NodeModelRow {
  model: string;
  replicaIndex: number;
  address: string;
  state: string;
  /** Only zero versus non-zero means anything: one request shows as 2. */
  inFlight: number;
}

export interface ReadNodeModelsInput {
  nodeId: string;
}

export interface ReadNodeModelsOutput {
  /** The node's status in the frontend (`healthy`, `draining`, …). */
  status: string;
  rows: NodeModelRow[];
  /** True when any row shows requests in flight. */
  inFlight: boolean;
}

export interface DrainNodeInput {
  nodeId: string;
  /** How long requests already running may take to finish after the drain. @default 30000 */
  drainGraceMs?: number;
}

export const DrainOutcome = {
  /** This call drained a healthy node. */
  Drained: 'drained',
  /** The node was already draining (a retry of this activity, or someone else's drain). */
  AlreadyDraining: 'already-draining',
  /** The node is neither healthy nor draining (pending, offline, unhealthy): not drained. */
  NotServing: 'not-serving',
} as const;
export type DrainOutcome = (typeof DrainOutcome)[keyof typeof DrainOutcome];

export interface DrainNodeOutput {
  outcome: DrainOutcome;
  /** Status before the drain. */
  statusBefore: string;
  /** The node's model rows read just before the drain (drain deletes them). */
  rowsBefore: NodeModelRow[];
  /** Whether requests were in flight just before the drain. */
  hadInFlight: boolean;
  /** How long the activity waited for them (0 when nothing was in flight). */
  waitedMs: number;
  /** A retry of the activity (an earlier attempt may have drained the node itself). */
  byRetry: boolean;
}

export interface ResumeNodeInput {
  nodeId: string;
}

export const ResumeOutcome = {
  /** This call resumed a draining node. */
  Resumed: 'resumed',
  /** The node was healthy already: its worker restarted and re-registered, which un-drains it. */
  AlreadyHealthy: 'already-healthy',
  /** The node is pending, offline or unhealthy: not resumed (resume would force it healthy). */
  NotResumed: 'not-resumed',
} as const;
export type ResumeOutcome = (typeof ResumeOutcome)[keyof typeof ResumeOutcome];

export interface ResumeNodeOutput {
  outcome: ResumeOutcome;
  statusBefore: string;
  detail: string;
}

export interface WaitModelLoadedInput {
  nodeId: string;
  /** Models that must have a `loaded` row on the node again. */
  models: string[];
  /** Bound of the wait (`replicaReadyTimeout`). */
  timeoutMs: number;
  /** @default 1000 */
  pollMs?: number;
}

export interface WaitModelLoadedOutput {
  loaded: string[];
  /** Models still without a `loaded` row when the bound ran out. */
  missing: string[];
  waitedMs: number;
}

export interface ReadServingInput {
  /** The node about to be drained (names it in errors). */
  nodeId: string;
  /** The rollout's frontend (spec `frontend.url`): refused when the worker's is another one. */
  url?: string;
}

export interface ReadServingOutput {
  /** Every node of the frontend and its status. */
  nodes: { id: string; status: string }[];
  /** Model names loaded per node (healthy nodes only: a drained node has no rows). */
  serving: Record<string, string[]>;
  /** Models the frontend reloads by itself after a drain (`min_replicas` > 0 or `spread_all`). */
  reloaded: string[];
}
