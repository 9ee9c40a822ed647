/**
 * What a verified node needs before it counts: the start check, the restore of its replicas and
 * the soak. {@link servingWork} says, for the node's state, which of them to run next or why it
 * passes; the workflow does it and records the event, so every step shows in the node's `steps`.
 */
import { NodeEvent, NodeState } from './node-state.js';

/** Facts about one node after its upgrade verified. */
export interface ServingFacts {
  /** The spec's `startCheck`, and whether the running code knows start checks at all. */
  startCheck: boolean;
  /** Replica keys (`modelID#replica`) the upgrade stopped; `undefined` when the worker did not say. */
  stoppedKeys: readonly string[] | undefined;
  /** The node was upgraded through the legacy forced install (its reply names no stopped keys). */
  fallback: boolean;
  /** The spec's `minHealthyTime`, in milliseconds. */
  minHealthyTime: number;
  /** This rollout drained the node in a LocalAI frontend: it is resumed after the restore. */
  drained?: boolean;
  /** Models the node served that the frontend reloads by itself (`min_replicas`/`spread_all`): waited for after resume. */
  reloadedModels?: readonly string[];
}

/** The next piece of work for a node in `starting`, `restoring` or `soaking`. */
export type ServingWork =
  | { kind: 'start-check' }
  | { kind: 'restore'; keys: string[] }
  | { kind: 'soak'; ms: number }
  /** Resume the node in the frontend, then wait until `models` have a `loaded` row on it again. */
  | { kind: 'resume'; models: string[] }
  /** Nothing to do in this state: record `event` with `step` and go on. */
  | { kind: 'pass'; event: NodeEvent; step: string };

/**
 * The work for `state`, or `undefined` when the node is not between verification and success.
 *
 * starting: the start check, unless `startCheck` is off; restoring: the stopped keys, unless there
 * are none or the worker did not report them; resuming (a drained node): the resume and the wait
 * for the models the frontend reloads; soaking: `minHealthyTime`, unless it is 0.
 */
export function servingWork(state: NodeState, facts: ServingFacts): ServingWork | undefined {
  switch (state) {
    case NodeState.Starting:
      return facts.startCheck
        ? { kind: 'start-check' }
        : { kind: 'pass', event: NodeEvent.Started, step: 'start check not run (startCheck false)' };
    case NodeState.Restoring:
      if (facts.stoppedKeys === undefined)
        return {
          kind: 'pass',
          event: restoredEvent(facts),
          step: facts.fallback
            ? 'replicas not restored: the legacy forced install does not say which processes it stopped'
            : 'replicas not restored: the worker did not say which processes the upgrade stopped',
        };
      if (facts.stoppedKeys.length === 0)
        return { kind: 'pass', event: restoredEvent(facts), step: 'no replicas to restore' };
      return { kind: 'restore', keys: [...facts.stoppedKeys] };
    case NodeState.Resuming:
      return { kind: 'resume', models: [...new Set(facts.reloadedModels ?? [])].sort() };
    case NodeState.Soaking:
      return facts.minHealthyTime > 0
        ? { kind: 'soak', ms: facts.minHealthyTime }
        : { kind: 'pass', event: NodeEvent.Soaked, step: 'succeeded' };
    default:
      return undefined;
  }
}

/** The event that ends `restoring`: `resume` for a node this rollout drained, else `restored`. */
export function restoredEvent(facts: Pick<ServingFacts, 'drained'>): NodeEvent {
  return facts.drained === true ? NodeEvent.Resume : NodeEvent.Restored;
}
