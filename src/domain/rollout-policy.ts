/**
 * The rollout's rules as pure functions: may the next node start (slots, replica budget, pause,
 * maintenance window, canary gate, progress deadline), what the failure budget says after a node
 * finished, and which phase the rollout is in. The workflow feeds them one {@link RolloutView}
 * of its state and does what they answer; nothing here reads a clock or writes state.
 */
import { canStartWithinBudget, failureBudgetExceeded } from './budget.js';
import { OnFailure } from './spec.js';
import { isWindowOpen, nextWindowOpen, zonedTimeText } from './window.js';
import type { MaintenanceWindow } from './spec.js';
import { RolloutPhase, WaitReason } from './rollout-phase.js';

export { FINAL_PHASES, RolloutPhase, WaitReason } from './rollout-phase.js';

/** Everything the rules look at, as plain data. Times are epoch milliseconds. */
export interface RolloutView {
  aborted: boolean;
  reverting: boolean;
  /** Set by a halt (failure budget or progress deadline) until an operator resumes. */
  halted: { reason: WaitReason; message: string } | undefined;
  /** Set by pause until resume; the message carries the operator's reason. */
  paused: { message: string } | undefined;
  /**
   * The node that would start next (retry queue first, then the current wave), if any;
   * `replicasUnknown` when neither `models.running` nor the inventory said how many it serves.
   */
  next: { id: string; replicas: number; replicasUnknown?: boolean } | undefined;
  inFlight: number;
  /** Nodes in flight that got no responders and are being retried within their `unreachableGrace`. */
  unreachable: number;
  maxParallel: number;
  /** Replicas counted down now (nodes from their upgrade request until they serve again). */
  replicasDown: number;
  /** Nodes of unknown replica count down now (in flight, not serving again yet). @default 0 */
  unknownDown?: number;
  replicaBudget: number;
  currentWave: number;
  waveCount: number;
  currentWaveIsCanary: boolean;
  /** The canary's promotion: `manual`, or milliseconds after the gate is reached; absent → no canary. */
  canaryPromote: 'manual' | number | undefined;
  canaryGateOpen: boolean;
  promoted: boolean;
  /** `promote --full`: the remaining gates are skipped (canary gate and wave barriers); absent → false. */
  promotedFull?: boolean;
  /** When the loop first stood at the canary gate (absent until then). */
  gateReachedAt: number | undefined;
  window: MaintenanceWindow | undefined;
  lastProgressAt: number;
  progressDeadline: number;
}

/** What the loop does next. */
export type RolloutStep =
  | { kind: 'start'; nodeId: string }
  | { kind: 'wait'; reason: WaitReason; message: string; untilMs?: number }
  | { kind: 'halt'; reason: WaitReason; message: string }
  /** Record that the canary gate was reached (its timer starts now). */
  | { kind: 'reach-gate' }
  | { kind: 'open-gate' }
  | { kind: 'next-wave' }
  | { kind: 'done' };

/** `1 node`, `2 nodes`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

type Wait = Extract<RolloutStep, { kind: 'wait' }>;

function wait(reason: WaitReason, message: string, untilMs?: number): Wait {
  return untilMs === undefined ? { kind: 'wait', reason, message } : { kind: 'wait', reason, message, untilMs };
}

/**
 * A wait that also watches the progress deadline: it wakes at the deadline at the latest, and
 * once the deadline has passed the answer is a halt instead.
 */
function watched(view: RolloutView, now: number, step: Wait): RolloutStep {
  const deadlineAt = view.lastProgressAt + view.progressDeadline;
  if (now >= deadlineAt)
    return {
      kind: 'halt',
      reason: WaitReason.ProgressDeadline,
      message: `halted: no node finished within the progress deadline (${view.progressDeadline} ms); resume or abort`,
    };
  return wait(step.reason, step.message, Math.min(step.untilMs ?? Infinity, deadlineAt));
}

function canaryGate(view: RolloutView, now: number): RolloutStep {
  if (view.promoted) return { kind: 'open-gate' };
  if (view.gateReachedAt === undefined) return { kind: 'reach-gate' };
  const promote = view.canaryPromote ?? 'manual';
  if (promote === 'manual') {
    if (view.paused !== undefined) return wait(WaitReason.Paused, view.paused.message);
    return wait(WaitReason.CanaryGate, "canary wave done; waiting for 'promote'");
  }
  const opensAt = view.gateReachedAt + promote;
  if (now >= opensAt && view.paused === undefined) return { kind: 'open-gate' };
  if (view.paused !== undefined)
    return wait(WaitReason.Paused, view.paused.message, now < opensAt ? opensAt : undefined);
  return wait(
    WaitReason.CanaryGate,
    `canary wave done; promoting automatically in ${promote} ms unless paused`,
    opensAt,
  );
}

/** Unreachable nodes in flight from which no new node starts: one may be that node, two are an outage. */
export const UNREACHABLE_NODES_STOP = 2;

/** Why `next` cannot start now, if it cannot. */
function blocker(view: RolloutView, next: NonNullable<RolloutView['next']>, now: number): Wait | undefined {
  if (view.paused !== undefined) return wait(WaitReason.Paused, view.paused.message);
  if (view.window !== undefined && !isWindowOpen(view.window, now)) {
    const opens = nextWindowOpen(view.window, now);
    return wait(
      WaitReason.WindowClosed,
      `maintenance window closed; opens at ${new Date(opens).toISOString()} (${zonedTimeText(opens, view.window.timeZone)})`,
      opens,
    );
  }
  if (view.unreachable >= UNREACHABLE_NODES_STOP)
    return wait(
      WaitReason.UnreachableNodes,
      `${plural(view.unreachable, 'node')} unreachable (no responders), retried within unreachableGrace; starting no new node until one answers again or fails`,
    );
  if (view.inFlight >= view.maxParallel)
    return wait(WaitReason.Slots, `${plural(view.inFlight, 'node')} upgrading (maxParallel ${view.maxParallel})`);
  const unknownDown = view.unknownDown ?? 0;
  if (unknownDown > 0)
    return wait(
      WaitReason.UnavailabilityBudget,
      `${plural(unknownDown, 'node')} of unknown replica count down (it may take every replica with it); starting no other node until it serves again`,
    );
  if (next.replicasUnknown === true && view.replicasDown > 0)
    return wait(
      WaitReason.UnavailabilityBudget,
      `${view.replicasDown} replicas down; the next node's replica count is unknown (no models.running, no inventory value), so it starts only when none is down`,
    );
  if (
    !canStartWithinBudget({ replicasDown: view.replicasDown, nodeReplicas: next.replicas, budget: view.replicaBudget })
  )
    return wait(WaitReason.UnavailabilityBudget, `${view.replicasDown} replicas down; budget ${view.replicaBudget}`);
  return undefined;
}

/**
 * The loop's next step. In order: an aborted or reverting rollout is done; a halted one waits for
 * resume; a node that may start starts; otherwise the wave barrier (none after `promote --full`),
 * the canary gate, the next wave, or the end. Paused rollouts, closed windows, full slots and an exhausted replica budget
 * wait; every wait except pause and the canary gate also watches the progress deadline.
 */
export function nextStep(view: RolloutView, now: number): RolloutStep {
  if (view.aborted || view.reverting) return { kind: 'done' };
  if (view.halted !== undefined) return wait(view.halted.reason, view.halted.message);
  if (view.next !== undefined) {
    const blocked = blocker(view, view.next, now);
    if (blocked === undefined) return { kind: 'start', nodeId: view.next.id };
    return blocked.reason === WaitReason.Paused ? blocked : watched(view, now, blocked);
  }
  // Promoted in full: a later wave's nodes start beside the ones still in flight (no wave barrier).
  const skipBarrier = view.promotedFull === true && view.currentWave < view.waveCount - 1;
  if (view.inFlight > 0 && !skipBarrier) {
    if (view.paused !== undefined) return wait(WaitReason.Paused, view.paused.message);
    const message = `wave ${view.currentWave + 1}/${view.waveCount}: ${plural(view.inFlight, 'node')} in flight`;
    return watched(view, now, wait(WaitReason.WaveBarrier, message));
  }
  if (view.currentWaveIsCanary && !view.canaryGateOpen) return canaryGate(view, now);
  if (view.currentWave < view.waveCount - 1) return { kind: 'next-wave' };
  return { kind: 'done' };
}

/** The failure budget as the judge sees it after a node finished. */
export interface FailureView {
  aborted: boolean;
  reverting: boolean;
  halted: boolean;
  failed: number;
  /** Failures accepted by an operator's resume after a halt; only failures beyond them count. */
  acceptedFailures: number;
  allowedFailures: number;
  onFailure: OnFailure;
}

/** What the failure budget asks for. */
export type Judgement =
  { kind: 'carry-on' } | { kind: 'halt'; reason: WaitReason; message: string } | { kind: 'revert'; message: string };

/** Acts on the failure budget: halt, revert or carry on (`onFailure: continue` always carries on). */
export function judge(view: FailureView): Judgement {
  if (view.aborted || view.halted || view.reverting) return { kind: 'carry-on' };
  const failures = view.failed - view.acceptedFailures;
  if (!failureBudgetExceeded(failures, view.allowedFailures)) return { kind: 'carry-on' };
  if (view.onFailure === OnFailure.Halt)
    return {
      kind: 'halt',
      reason: WaitReason.FailureBudget,
      message: `halted: ${failures} failed nodes exceed maxFailures (${view.allowedFailures}); fix or skip them, then resume, or abort`,
    };
  if (view.onFailure === OnFailure.Revert)
    return {
      kind: 'revert',
      message: `${failures} failed nodes exceed maxFailures (${view.allowedFailures}): reverting upgraded nodes`,
    };
  return { kind: 'carry-on' };
}

/** What the phase is derived from. */
export interface PhaseView {
  discovering: boolean;
  /** Set once the rollout ended. */
  outcome: typeof RolloutPhase.Succeeded | typeof RolloutPhase.Failed | typeof RolloutPhase.Aborted | undefined;
  reverting: boolean;
  halted: boolean;
  paused: boolean;
}

/** The rollout's phase, derived (never assigned): outcome, then reverting, halted, paused, discovering, running. */
export function phaseOf(view: PhaseView): RolloutPhase {
  if (view.outcome !== undefined) return view.outcome;
  if (view.reverting) return RolloutPhase.Reverting;
  if (view.halted) return RolloutPhase.Halted;
  if (view.paused) return RolloutPhase.Paused;
  if (view.discovering) return RolloutPhase.Discovering;
  return RolloutPhase.Running;
}
