/**
 * The per-node state machine of a rollout.
 *
 * The workflow drives it with events from activities (`replied`, `timedOut`, `verified`, …) and
 * from operator Updates (`skip`, `retry`); Update validators call {@link nextNodeState} so an
 * illegal request is refused with a readable message before it is accepted into history.
 */

/** Where a node is in its upgrade. */
export const NodeState = {
  /** Planned, not started. */
  Pending: 'pending',
  /** The upgrade request is out; progress may be streaming. */
  Upgrading: 'upgrading',
  /** The node replied; checking `backend.list` for the new install. */
  Verifying: 'verifying',
  /** Verified; waiting `minHealthyTime` before it counts. */
  Soaking: 'soaking',
  Succeeded: 'succeeded',
  Failed: 'failed',
  /** Left alone by an operator (or by policy); may be retried. */
  Skipped: 'skipped',
  /** The request timed out; verification decides whether the upgrade was applied or must be re-sent. */
  Unknown: 'unknown',
  /** Already runs the rollout's target: not touched, never a failure (`--force` upgrades it anyway). */
  UpToDate: 'up-to-date',
} as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

/** What happened to a node, or what an operator asks of it. */
export const NodeEvent = {
  Start: 'start',
  Replied: 'replied',
  TimedOut: 'timedOut',
  Resend: 'resend',
  Verified: 'verified',
  Soaked: 'soaked',
  Fail: 'fail',
  Skip: 'skip',
  Retry: 'retry',
} as const;
export type NodeEvent = (typeof NodeEvent)[keyof typeof NodeEvent];

/** Result of a transition: the new state, or why the event does not apply. */
export type NodeTransition = { ok: true; state: NodeState } | { ok: false; message: string };

const TRANSITIONS: Readonly<Record<NodeState, Partial<Record<NodeEvent, NodeState>>>> = {
  pending: { start: 'upgrading', fail: 'failed', skip: 'skipped' },
  upgrading: { replied: 'verifying', timedOut: 'unknown', fail: 'failed' },
  verifying: { verified: 'soaking', fail: 'failed' },
  soaking: { soaked: 'succeeded', fail: 'failed' },
  unknown: { verified: 'soaking', resend: 'upgrading', fail: 'failed' },
  succeeded: {},
  failed: { skip: 'skipped', retry: 'pending' },
  skipped: { retry: 'pending' },
  'up-to-date': {},
};

/** Events that report an observation rather than ask for an action; worded differently in messages. */
const OBSERVED: ReadonlySet<NodeEvent> = new Set<NodeEvent>(['replied', 'timedOut', 'verified', 'soaked']);

/**
 * Applies `event` to a node in `state`.
 *
 * Transitions: pending –start→ upgrading –replied→ verifying –verified→ soaking –soaked→ succeeded;
 * upgrading –timedOut→ unknown, then unknown –verified→ soaking (the upgrade was applied after all)
 * or unknown –resend→ upgrading; every non-terminal state –fail→ failed; pending or failed –skip→
 * skipped; failed or skipped –retry→ pending. Anything else is refused with a message naming the
 * event and the state, e.g. `cannot retry a node that is succeeded`.
 */
export function nextNodeState(state: NodeState, event: NodeEvent): NodeTransition {
  const next = TRANSITIONS[state][event];
  if (next !== undefined) return { ok: true, state: next };
  const message = OBSERVED.has(event)
    ? `cannot record ${event} for a node that is ${state}`
    : `cannot ${event} a node that is ${state}`;
  return { ok: false, message };
}

/** Events {@link nextNodeState} accepts in `state`, e.g. to show an operator what is possible. */
export function allowedNodeEvents(state: NodeState): NodeEvent[] {
  return Object.values(NodeEvent).filter((event) => TRANSITIONS[state][event] !== undefined);
}

/** Whether the node is done for now: succeeded, failed or skipped (failed and skipped can still be retried). */
export function isTerminal(state: NodeState): boolean {
  return (
    state === NodeState.Succeeded ||
    state === NodeState.Failed ||
    state === NodeState.Skipped ||
    state === NodeState.UpToDate
  );
}

/** Whether the node occupies a `maxParallel` slot (and its replicas count as down): upgrading, verifying, soaking or unknown. */
export function isInFlight(state: NodeState): boolean {
  return (
    state === NodeState.Upgrading ||
    state === NodeState.Verifying ||
    state === NodeState.Soaking ||
    state === NodeState.Unknown
  );
}
