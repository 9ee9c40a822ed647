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
  /** Taken out of the LocalAI frontend's routing; requests already running may finish (`drainGrace`). */
  Draining: 'draining',
  /** The upgrade request is out; progress may be streaming. */
  Upgrading: 'upgrading',
  /** The node replied; checking `backend.list` for the new install. */
  Verifying: 'verifying',
  /** Verified; the start check spawns a probe process from the new build and stops it again. */
  Starting: 'starting',
  /** The start check passed; the replicas the upgrade stopped are being started again. */
  Restoring: 'restoring',
  /** Replicas back on the worker; the node is resumed in the LocalAI frontend and its replicas reloaded. */
  Resuming: 'resuming',
  /** Serving again; waiting `minHealthyTime` before it counts. */
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
  /** With a LocalAI frontend: take the node out of routing before its upgrade. */
  Drain: 'drain',
  /** The frontend drained it and requests in flight had their grace: upgrade it. */
  Drained: 'drained',
  Replied: 'replied',
  TimedOut: 'timedOut',
  Resend: 'resend',
  Verified: 'verified',
  /** A successful reply, yet `backend.list` still shows the old install: verify again. */
  Unverified: 'unverified',
  /** The start check passed (or was not asked for). */
  Started: 'started',
  /** Every stopped replica runs again (or there was none to restore). */
  Restored: 'restored',
  /** Like `restored`, for a drained node: resume it in the frontend next. */
  Resume: 'resume',
  /** The frontend routes to the node again. */
  Resumed: 'resumed',
  Soaked: 'soaked',
  /** The rollout was aborted while the node was in flight. */
  Abandoned: 'abandoned',
  Fail: 'fail',
  Skip: 'skip',
  Retry: 'retry',
} as const;
export type NodeEvent = (typeof NodeEvent)[keyof typeof NodeEvent];

/** Result of a transition: the new state, or why the event does not apply. */
export type NodeTransition = { ok: true; state: NodeState } | { ok: false; message: string };

const TRANSITIONS: Readonly<Record<NodeState, Partial<Record<NodeEvent, NodeState>>>> = {
  pending: { start: 'upgrading', drain: 'draining', fail: 'failed', skip: 'skipped' },
  draining: { drained: 'upgrading', fail: 'failed', abandoned: 'pending' },
  upgrading: { replied: 'verifying', timedOut: 'unknown', fail: 'failed', abandoned: 'unknown' },
  verifying: { verified: 'starting', unverified: 'unknown', fail: 'failed', abandoned: 'unknown' },
  starting: { started: 'restoring', fail: 'failed', abandoned: 'unknown' },
  restoring: { restored: 'soaking', resume: 'resuming', fail: 'failed', abandoned: 'unknown' },
  resuming: { resumed: 'soaking', fail: 'failed', abandoned: 'succeeded' },
  soaking: { soaked: 'succeeded', fail: 'failed', abandoned: 'succeeded' },
  unknown: { verified: 'starting', resend: 'upgrading', fail: 'failed', abandoned: 'unknown' },
  succeeded: {},
  failed: { skip: 'skipped', retry: 'pending' },
  skipped: { retry: 'pending' },
  'up-to-date': {},
};

/** Events that report an observation rather than ask for an action; worded differently in messages. */
const OBSERVED: ReadonlySet<NodeEvent> = new Set<NodeEvent>([
  'replied',
  'drained',
  'resumed',
  'timedOut',
  'verified',
  'unverified',
  'started',
  'restored',
  'soaked',
  'abandoned',
]);

/**
 * Applies `event` to a node in `state`.
 *
 * Transitions: pending –start→ upgrading –replied→ verifying –verified→ starting –started→
 * restoring –restored→ soaking –soaked→ succeeded; with a LocalAI frontend, pending –drain→
 * draining –drained→ upgrading and restoring –resume→ resuming –resumed→ soaking (an abort leaves
 * a draining node pending, since nothing was sent to it, and a resuming one succeeded); upgrading –timedOut→ unknown and verifying
 * –unverified→ unknown, then unknown –verified→ starting (the upgrade was applied after all) or
 * unknown –resend→ upgrading; every non-terminal state –fail→ failed; an abort (`abandoned`) leaves
 * a soaking node succeeded and any other in-flight node unknown; pending or failed –skip→ skipped;
 * failed or skipped –retry→ pending. Anything else is refused with a message naming the
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

/** Whether the node occupies a `maxParallel` slot: draining through soaking, or unknown. */
export function isInFlight(state: NodeState): boolean {
  return isDown(state) || state === NodeState.Soaking;
}

/** Whether the node's replicas count as down: from its drain (or upgrade request) until they serve again. */
export function isDown(state: NodeState): boolean {
  return (
    state === NodeState.Draining ||
    state === NodeState.Resuming ||
    state === NodeState.Upgrading ||
    state === NodeState.Verifying ||
    state === NodeState.Starting ||
    state === NodeState.Restoring ||
    state === NodeState.Unknown
  );
}

/**
 * Replicas down right now: every replica of a node whose backend is down (from its drain or upgrade
 * request until its replicas serve again, or unknown). The workflow's budget and every view count alike.
 */
export function replicasDown(nodes: readonly { state: NodeState; replicas: number }[]): number {
  let down = 0;
  for (const n of nodes) if (isDown(n.state)) down += n.replicas;
  return down;
}
