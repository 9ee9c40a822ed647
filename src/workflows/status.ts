/**
 * The rollout's observable state: what the `status` query returns and what the workflow returns
 * when it ends. Plain data (JSON), shared by the workflow, the client and the CLI.
 */
import type { NodeState } from '../domain/node-state.js';
import type { InstalledRecord } from '../domain/verification.js';
import type { RolloutPhase, WaitReason } from '../domain/rollout-phase.js';
import type { Build, UpgradeTarget } from '../domain/upgrade-target.js';

export { FINAL_PHASES, RolloutPhase, WaitReason } from '../domain/rollout-phase.js';

/** One node of the rollout. Times are epoch milliseconds (workflow time). */
export interface NodeStatus {
  id: string;
  name: string;
  zone: string;
  wave: number;
  replicas: number;
  /**
   * Neither `models.running` nor the inventory said how many replicas the node serves: it may take
   * every replica with it, so it is upgraded only while no other replica is down.
   */
  replicasUnknown?: boolean;
  state: NodeState;
  /** Upgrade requests sent (re-sends included). */
  attempts: number;
  /** The node only knew the legacy `backend.install` with `force:true`. */
  fallback: boolean;
  opId?: string;
  /** Last progress percentage / phase seen by the workflow (live values come from heartbeats). */
  pct?: number;
  phase?: string;
  lastError?: string;
  /** Keys of the processes the upgrade stopped (kept from a failure reply too). */
  stoppedProcessKeys?: string[];
  /** Since when the node gets no responders (retried within `unreachableGrace`); absent once it answers. */
  unreachableSince?: number;
  /** Since when this rollout holds the node drained in the LocalAI frontend (set before the drain request). */
  drainedAt?: number;
  /** Why the node stays drained after its run (its new build failed the start check). */
  heldDrained?: string;
  /** Models the frontend showed on the node just before its drain. */
  servedModels?: string[];
  /** Models the frontend reloads by itself after a drain (`min_replicas`/`spread_all`), as read before the drain. */
  reloadedModels?: string[];
  /** Replicas started again after the upgrade. */
  replicasRestored?: number;
  /** What `models.running` listed before the upgrade was sent (absent when the node does not serve it). */
  replicasBefore?: string[];
  startedAt?: number;
  finishedAt?: number;
  before?: InstalledRecord;
  after?: InstalledRecord;
  /** The build this node must reach (its concrete build for a meta backend), when the target is known. */
  target?: Build;
  /** Meta backends: the concrete backend the node runs. */
  concrete?: string;
  /** The most recent steps, newest last (bounded). */
  steps?: string[];
}

export interface RolloutCounts {
  total: number;
  pending: number;
  inFlight: number;
  succeeded: number;
  failed: number;
  skipped: number;
  unknown: number;
  /** Nodes that already ran the target and were left alone (absent from rollouts older than this field). */
  upToDate?: number;
}

export interface RolloutStatus {
  backend: string;
  phase: RolloutPhase;
  waiting?: WaitReason;
  /** A readable sentence on what the rollout is doing or waiting for. */
  message: string;
  /** When what it waits for happens by itself (the maintenance window opens, the canary promotes itself), epoch ms. */
  waitingUntil?: number;
  counts: RolloutCounts;
  /** Percentage of targeted nodes that reached a terminal state. */
  progressPct: number;
  currentWave: number;
  waves: number;
  maxParallel: number;
  /** Replicas down right now: of nodes from their upgrade request until their replicas are restored. */
  replicasDown: number;
  /** Replicas of all targeted nodes. */
  replicasTotal?: number;
  replicaBudget: number;
  allowedFailures: number;
  startedAt: number;
  finishedAt?: number;
  /** Estimated milliseconds until the last node finishes (absent until one node finished). */
  etaMs?: number;
  /** Nodes left out at discovery or by the target selection, and why. */
  skippedAtDiscovery: { id: string; reason: string }[];
  requestedBy?: string;
  reason?: string;
  /** What the rollout upgrades to, when known. */
  target?: UpgradeTarget;
  continueAsNewCount: number;
  /** Nodes this rollout leaves drained in the LocalAI frontend (failed start check), and how to resume each. */
  heldDrained?: { id: string; reason: string; resume: string }[];
  nodes: NodeStatus[];
}

/** What the `status` query includes. */
export interface StatusQueryOptions {
  /** `all` nodes, only `active` (non-pending, non-succeeded) nodes, or `none`. @default "all" */
  nodes?: 'all' | 'active' | 'none';
}
