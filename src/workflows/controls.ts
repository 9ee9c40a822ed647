/**
 * Operator controls: the `status` query and the updates, wired to the methods of {@link Rollout}
 * (the only writers of the state). Each update has a validator that refuses an illegal request
 * with a message saying what is possible instead; accepted updates return the rollout's status
 * after the change.
 */
import { patched, setHandler } from '@temporalio/workflow';
import { MAX_PARALLEL } from '../domain/budget.js';
import { NodeEvent } from '../domain/node-state.js';
import {
  abortUpdate,
  pauseUpdate,
  promoteUpdate,
  resumeUpdate,
  type PromoteArgs,
  retryNodeUpdate,
  setMaxParallelUpdate,
  skipNodeUpdate,
  statusQuery,
} from './messages.js';
import type { Rollout } from './rollout-owner.js';
import type { RolloutStatus } from './status.js';

/** The `patched()` id of `promote --full` (rollouts started before it never skip a wave barrier). */
export const PROMOTE_FULL_PATCH = 'promote-full';

/** Registers the `status` query and the operator updates of `rollout`. */
export function registerControls(rollout: Rollout): void {
  const summary = (): Promise<RolloutStatus> => Promise.resolve(rollout.status({ nodes: 'none' }));
  const state = rollout.state;

  setHandler(statusQuery, (options) => rollout.status(options));

  setHandler(
    pauseUpdate,
    (args) => {
      rollout.pause(args.reason);
      return summary();
    },
    {
      validator: (_args) => {
        rollout.refuseWhenEnded('pause');
        if (state.paused !== undefined) throw new Error('the rollout is already paused; resume it or abort it');
      },
    },
  );

  setHandler(
    resumeUpdate,
    (args) => {
      const given: { reason?: string } | undefined = args; // absent from older clients
      rollout.resume(Date.now(), given?.reason);
      return summary();
    },
    {
      validator: (_args) => {
        rollout.refuseWhenEnded('resume');
        if (state.paused === undefined && state.halted === undefined)
          throw new Error(`the rollout is ${rollout.phase}, not paused or halted; nothing to resume`);
      },
    },
  );

  setHandler(
    abortUpdate,
    (args) => {
      rollout.abort(args.reason);
      return summary();
    },
    { validator: (_args) => rollout.refuseWhenEnded('abort') },
  );

  setHandler(
    promoteUpdate,
    (args) => {
      const given: PromoteArgs | undefined = args; // absent from older clients
      // Skipping the wave barriers changes which commands follow: only code that knows it may do so.
      const full = given?.full === true && patched(PROMOTE_FULL_PATCH);
      rollout.promote(given?.reason, full);
      return summary();
    },
    {
      validator: (args: PromoteArgs) => {
        const given: PromoteArgs | undefined = args; // absent from older clients
        rollout.refuseWhenEnded('promote');
        if (given?.full === true) rollout.refuseFullPromote();
        else {
          if (rollout.spec.canary === undefined)
            throw new Error(
              "this rollout has no canary wave; nothing to promote ('promote --full' skips the wave barriers)",
            );
          if (state.canaryGateOpen || state.promoted) throw new Error('the canary was already promoted');
        }
      },
    },
  );

  setHandler(
    setMaxParallelUpdate,
    (n) => {
      rollout.setMaxParallel(n);
      return summary();
    },
    {
      validator: (n) => {
        rollout.refuseWhenEnded('change maxParallel');
        if (!Number.isInteger(n) || n < 1 || n > MAX_PARALLEL)
          throw new Error(`maxParallel must be a whole number from 1 to ${MAX_PARALLEL}, got ${String(n)}`);
      },
    },
  );

  setHandler(
    skipNodeUpdate,
    (id: string) => {
      rollout.skip(id);
      return summary();
    },
    {
      validator: (id: string) => {
        rollout.refuseWhenEnded('skip a node');
        rollout.nodeFor(id, NodeEvent.Skip);
      },
    },
  );

  setHandler(
    retryNodeUpdate,
    (id: string) => {
      rollout.retry(id);
      return summary();
    },
    {
      validator: (id: string) => {
        rollout.refuseWhenEnded('retry a node');
        rollout.nodeFor(id, NodeEvent.Retry);
      },
    },
  );
}
