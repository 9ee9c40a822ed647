/**
 * The rollout's in-memory state, how it is summarised for the `status` query, and its compact
 * form carried across continue-as-new. Deterministic: every time comes in as an argument.
 */
import { isInFlight, isTerminal, NodeState, replicasDown } from '../domain/node-state.js';
import type { RolloutSpec } from '../domain/spec.js';
import type { InstalledRecord } from '../domain/verification.js';
import { isActiveNode } from '../domain/rollout-phase.js';
import { phaseOf } from '../domain/rollout-policy.js';
import { nextWindowOpen } from '../domain/window.js';
import { addFrontendStatus } from './frontend-status.js';
import {
  type RolloutPhase,
  type NodeStatus,
  type RolloutCounts,
  type RolloutStatus,
  type StatusQueryOptions,
  WaitReason,
} from './status.js';

/** Steps kept per node for the status view: room for a re-send, the serving steps after it (start check, restore) and a drain and resume. */
const MAX_STEPS = 16;
/** Longest error text kept per node. */
const MAX_ERROR = 500;

/**
 * What was last published, kept in the run's own state: whether an upsert is issued must depend
 * only on the run's history, never on state outside it (a replay must issue the same commands).
 */
export interface VisibilityMark {
  /** Workflow time of the last publication. */
  publishedAt: number;
  /** Phase, progress bucket and failures last written as search attributes. */
  key: string;
}

/** The rollout's state. Only the workflow writes it, through the methods of `Rollout`. */
export interface RolloutState {
  backend: string;
  /** True until discovery and planning are done. */
  discovering: boolean;
  /** Set once the rollout ended. */
  outcome: typeof RolloutPhase.Succeeded | typeof RolloutPhase.Failed | typeof RolloutPhase.Aborted | undefined;
  /** The failure budget was exceeded with `onFailure: revert`. */
  reverting: boolean;
  waiting: WaitReason | undefined;
  message: string;
  nodes: NodeStatus[];
  byId: Map<string, NodeStatus>;
  waves: { kind: string; ids: string[] }[];
  currentWave: number;
  maxParallel: number;
  replicaBudget: number;
  allowedFailures: number;
  /** Failures accepted by an operator's resume after a halt; only failures beyond them count. */
  acceptedFailures: number;
  /** Set by pause until resume. */
  paused: { message: string } | undefined;
  /** Set by a halt until resume. */
  halted: { reason: WaitReason; message: string } | undefined;
  aborted: boolean;
  promoted: boolean;
  /** `promote --full`: no canary gate and no wave barriers any more. */
  promotedFull: boolean;
  canaryGateOpen: boolean;
  /** When the loop reached the canary gate (the canary wave is done and waits for promote or its timer). */
  gateReachedAt: number | undefined;
  startedAt: number;
  finishedAt: number | undefined;
  /** Last time a node reached a terminal state (or the rollout started or resumed). */
  lastProgressAt: number;
  skippedAtDiscovery: { id: string; reason: string }[];
  continueAsNewCount: number;
  /** Bumped on every change; conditions wait for it to move. */
  version: number;
  /** The visibility throttle's memory (search attributes, current details). */
  visibility: VisibilityMark;
}

/** The rollout's phase, derived from its state. */
export function phaseOfState(state: RolloutState): RolloutPhase {
  return phaseOf({
    discovering: state.discovering,
    outcome: state.outcome,
    reverting: state.reverting,
    halted: state.halted !== undefined,
    paused: state.paused !== undefined,
  });
}

export function countNodes(nodes: readonly NodeStatus[]): RolloutCounts {
  const counts: RolloutCounts = {
    total: nodes.length,
    pending: 0,
    inFlight: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    unknown: 0,
  };
  for (const n of nodes) {
    if (n.state === NodeState.Pending) counts.pending += 1;
    else if (n.state === NodeState.Succeeded) counts.succeeded += 1;
    else if (n.state === NodeState.Failed) counts.failed += 1;
    else if (n.state === NodeState.Skipped) counts.skipped += 1;
    else if (n.state === NodeState.UpToDate) counts.upToDate = (counts.upToDate ?? 0) + 1;
    if (n.state === NodeState.Unknown) counts.unknown += 1;
    if (isInFlight(n.state)) counts.inFlight += 1;
  }
  return counts;
}

export function addStep(node: NodeStatus, step: string): void {
  const steps = node.steps ?? [];
  steps.push(step);
  if (steps.length > MAX_STEPS) steps.splice(0, steps.length - MAX_STEPS);
  node.steps = steps;
}

export function setError(node: NodeStatus, message: string): void {
  node.lastError = message.length > MAX_ERROR ? `${message.slice(0, MAX_ERROR)}…` : message;
}

/** When what the rollout waits for happens by itself: the window opens, the canary gate's timer ends. */
function waitingUntil(state: RolloutState, spec: RolloutSpec, now: number): number | undefined {
  if (state.waiting === WaitReason.WindowClosed && spec.window !== undefined) return nextWindowOpen(spec.window, now);
  const promote = spec.canary?.promote;
  if (state.waiting === WaitReason.CanaryGate && typeof promote === 'number' && state.gateReachedAt !== undefined)
    return state.gateReachedAt + promote;
  return undefined;
}

/** The `status` query's answer. */
export function renderStatus(
  state: RolloutState,
  spec: RolloutSpec,
  now: number,
  options: StatusQueryOptions = {},
): RolloutStatus {
  const counts = countNodes(state.nodes);
  const terminal = counts.succeeded + counts.failed + counts.skipped + (counts.upToDate ?? 0);
  const status: RolloutStatus = {
    backend: state.backend,
    phase: phaseOfState(state),
    message: state.message,
    counts,
    progressPct: counts.total === 0 ? 100 : Math.floor((terminal * 100) / counts.total),
    currentWave: state.currentWave,
    waves: state.waves.length,
    maxParallel: state.maxParallel,
    replicasDown: replicasDown(state.nodes),
    replicasTotal: state.nodes.reduce((sum, n) => sum + n.replicas, 0),
    replicaBudget: state.replicaBudget,
    allowedFailures: state.allowedFailures,
    startedAt: state.startedAt,
    skippedAtDiscovery: state.skippedAtDiscovery,
    continueAsNewCount: state.continueAsNewCount,
    nodes: selectNodes(state.nodes, options.nodes ?? 'all'),
  };
  if (state.waiting !== undefined) status.waiting = state.waiting;
  const until = waitingUntil(state, spec, now);
  if (until !== undefined) status.waitingUntil = until;
  if (state.finishedAt !== undefined) status.finishedAt = state.finishedAt;
  if (spec.requestedBy !== undefined) status.requestedBy = spec.requestedBy;
  if (spec.reason !== undefined) status.reason = spec.reason;
  if (spec.target !== undefined) status.target = spec.target;
  const eta = estimateRemaining(state, counts, now);
  if (eta !== undefined) status.etaMs = eta;
  addFrontendStatus(status, state.nodes, spec);
  return status;
}

/**
 * Above this many nodes, succeeded nodes are summarised (id, name, zone, wave, state, attempts,
 * fallback, times) so the status and the result stay well inside gRPC's 4 MB message and
 * Temporal's 2 MB payload limits; failed, unknown and in-flight nodes always keep every field.
 */
export const FULL_DETAIL_NODES = 1_000;

function summarise(n: NodeStatus): NodeStatus {
  const short: NodeStatus = {
    id: n.id,
    name: n.name,
    zone: n.zone,
    wave: n.wave,
    replicas: n.replicas,
    state: n.state,
    attempts: n.attempts,
    fallback: n.fallback,
  };
  if (n.startedAt !== undefined) short.startedAt = n.startedAt;
  if (n.finishedAt !== undefined) short.finishedAt = n.finishedAt;
  return short;
}

function selectNodes(nodes: NodeStatus[], which: 'all' | 'active' | 'none'): NodeStatus[] {
  if (which === 'none') return [];
  if (which === 'active') return nodes.filter((n) => isActiveNode(n.state));
  if (nodes.length <= FULL_DETAIL_NODES) return nodes;
  return nodes.map((n) => (n.state === NodeState.Succeeded || n.state === NodeState.Pending ? summarise(n) : n));
}

/** Mean node duration so far × remaining nodes ÷ parallelism. */
function estimateRemaining(state: RolloutState, counts: RolloutCounts, now: number): number | undefined {
  const done = state.nodes.filter(
    (n) => isTerminal(n.state) && n.startedAt !== undefined && n.finishedAt !== undefined,
  );
  if (done.length === 0 || state.finishedAt !== undefined) return undefined;
  const mean = done.reduce((sum, n) => sum + ((n.finishedAt ?? 0) - (n.startedAt ?? 0)), 0) / done.length;
  const remaining = counts.pending + counts.inFlight / 2;
  const sinceLast = Math.min(mean, Math.max(0, now - state.lastProgressAt));
  return Math.max(0, Math.round((mean * remaining) / Math.max(1, state.maxParallel) - sinceLast));
}

/** One node as carried across continue-as-new: [id, name, zone, wave, replicas, state, attempts, fallback, extra]. */
export type CarriedNode = [string, string, string, number, number, NodeState, number, 0 | 1, CarriedExtra?];
interface CarriedExtra {
  /** Last error. */
  e?: string;
  /** Pre-upgrade install: index into `CarriedState.records` (digest, version, uri are shared by many nodes)… */
  b?: number;
  /** …and this node's own installed_at. */
  t?: string;
  s?: number;
  f?: number;
  /** The replica count is unknown. */
  u?: 1;
  /** Held drained in the LocalAI frontend, and why. */
  h?: string;
}

/** Everything needed to go on after continue-as-new. Nodes are never in flight when it is taken. */
export interface CarriedState {
  nodes: CarriedNode[];
  /** Distinct pre-upgrade installs without installed_at; nodes refer to them by index. */
  records: InstalledRecord[];
  waves: { kind: string; ids: string[] }[];
  currentWave: number;
  maxParallel: number;
  acceptedFailures: number;
  paused: boolean;
  /** The operator's pause message (absent in states carried by older code). */
  pausedMessage?: string;
  promoted: boolean;
  /** Absent in states carried by older code, and when not promoted in full. */
  promotedFull?: boolean;
  canaryGateOpen: boolean;
  startedAt: number;
  lastProgressAt: number;
  skippedAtDiscovery: { id: string; reason: string }[];
  continueAsNewCount: number;
  replicaBudget: number;
  allowedFailures: number;
}

export function carryState(state: RolloutState): CarriedState {
  const records: InstalledRecord[] = [];
  const recordIndex = new Map<string, number>();
  const indexOf = (before: InstalledRecord): number => {
    const shared: InstalledRecord = { ...before };
    delete shared.installedAt;
    const key = JSON.stringify([shared.digest, shared.version, shared.uri]);
    let index = recordIndex.get(key);
    if (index === undefined) {
      index = records.push(shared) - 1;
      recordIndex.set(key, index);
    }
    return index;
  };
  return {
    records,
    nodes: state.nodes.map((n): CarriedNode => {
      const extra: CarriedExtra = {};
      if (n.lastError !== undefined && n.state !== NodeState.Succeeded) extra.e = n.lastError;
      if (n.before !== undefined) {
        extra.b = indexOf(n.before);
        if (n.before.installedAt !== undefined) extra.t = n.before.installedAt;
      }
      if (n.startedAt !== undefined) extra.s = n.startedAt;
      if (n.finishedAt !== undefined) extra.f = n.finishedAt;
      if (n.replicasUnknown === true) extra.u = 1;
      if (n.heldDrained !== undefined) extra.h = n.heldDrained;
      const base: CarriedNode = [
        n.id,
        n.name === n.id ? '' : n.name,
        n.zone,
        n.wave,
        n.replicas,
        n.state,
        n.attempts,
        n.fallback ? 1 : 0,
      ];
      if (Object.keys(extra).length > 0) base.push(extra);
      return base;
    }),
    waves: state.waves,
    currentWave: state.currentWave,
    maxParallel: state.maxParallel,
    acceptedFailures: state.acceptedFailures,
    paused: state.paused !== undefined,
    ...(state.paused !== undefined ? { pausedMessage: state.paused.message } : {}),
    promoted: state.promoted,
    ...(state.promotedFull ? { promotedFull: true } : {}),
    canaryGateOpen: state.canaryGateOpen,
    startedAt: state.startedAt,
    lastProgressAt: state.lastProgressAt,
    skippedAtDiscovery: state.skippedAtDiscovery,
    continueAsNewCount: state.continueAsNewCount + 1,
    replicaBudget: state.replicaBudget,
    allowedFailures: state.allowedFailures,
  };
}

export function restoreNodes(carried: CarriedNode[], records: readonly InstalledRecord[]): NodeStatus[] {
  return carried.map(([id, name, zone, wave, replicas, state, attempts, fallback, extra]) => {
    const node: NodeStatus = {
      id,
      name: name === '' ? id : name,
      zone,
      wave,
      replicas,
      state,
      attempts,
      fallback: fallback === 1,
    };
    if (extra?.e !== undefined) node.lastError = extra.e;
    if (extra?.b !== undefined) {
      node.before = { ...records[extra.b] };
      if (extra.t !== undefined) node.before.installedAt = extra.t;
    }
    if (extra?.s !== undefined) node.startedAt = extra.s;
    if (extra?.f !== undefined) node.finishedAt = extra.f;
    if (extra?.u === 1) node.replicasUnknown = true;
    if (extra?.h !== undefined) node.heldDrained = extra.h;
    return node;
  });
}
