/**
 * What a rollout's phase and a node's state mean for the people and scripts watching it: ended,
 * settled, succeeded, held by a person or a clock, active. Declared once here (importing only the
 * node states, so the CLI's light commands can read it) and used by the workflow, the client, the
 * CLI and the demo.
 */
import { NodeState } from './node-state.js';

export const RolloutPhase = {
  Discovering: 'discovering',
  Running: 'running',
  Paused: 'paused',
  Halted: 'halted',
  Reverting: 'reverting',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Aborted: 'aborted',
} as const;
export type RolloutPhase = (typeof RolloutPhase)[keyof typeof RolloutPhase];

/** Phases after which the workflow has ended. */
export const FINAL_PHASES: readonly RolloutPhase[] = [
  RolloutPhase.Succeeded,
  RolloutPhase.Failed,
  RolloutPhase.Aborted,
];

/** Why no new node is starting right now. */
export const WaitReason = {
  Paused: 'paused',
  WindowClosed: 'window-closed',
  CanaryGate: 'canary-gate',
  FailureBudget: 'failure-budget',
  UnavailabilityBudget: 'unavailability-budget',
  ProgressDeadline: 'progress-deadline',
  Slots: 'max-parallel',
  WaveBarrier: 'wave-barrier',
  /** Two or more nodes in flight get no responders (in their `unreachableGrace`): something larger than one node is away. */
  UnreachableNodes: 'unreachable-nodes',
} as const;
export type WaitReason = (typeof WaitReason)[keyof typeof WaitReason];

/** Waits that end only when a person acts or a clock says so: no estimate of the rest is meaningful. */
export const HELD_WAITS: readonly WaitReason[] = [
  WaitReason.Paused,
  WaitReason.CanaryGate,
  WaitReason.WindowClosed,
  WaitReason.FailureBudget,
  WaitReason.ProgressDeadline,
];

/** Whether the workflow has ended in this phase (succeeded, failed or aborted). */
export function isEnded(phase: string): boolean {
  return (FINAL_PHASES as readonly string[]).includes(phase);
}

/** Whether a follower stops here: the rollout has ended, or halted and waits for an operator. */
export function isSettled(phase: string): boolean {
  return isEnded(phase) || phase === RolloutPhase.Halted;
}

/** Whether the rollout ended as it should: the one outcome a follower exits 0 for. */
export function isSucceeded(phase: string): boolean {
  return phase === RolloutPhase.Succeeded;
}

/** Whether the rollout moves by itself: discovering or running (no person or clock holds it). */
export function isMoving(phase: string): boolean {
  return phase === RolloutPhase.Discovering || phase === RolloutPhase.Running;
}

/** Whether a node is worth showing among the active ones: anything but pending, succeeded or skipped. */
export function isActiveNode(state: string): boolean {
  return state !== NodeState.Pending && state !== NodeState.Succeeded && state !== NodeState.Skipped;
}
