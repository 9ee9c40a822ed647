/**
 * Operator controls: the `status` query and the updates, wired to the methods of {@link Rollout}
 * (the only writers of the state). Each update has a validator that refuses an illegal request
 * with a message saying what is possible instead; accepted updates return the rollout's status
 * after the change.
 */
import { setHandler } from '@temporalio/workflow';
import { NodeEvent } from '../domain/node-state.js';
import {
  abortUpdate,
  pauseUpdate,
  promoteUpdate,
  resumeUpdate,
  retryNodeUpdate,
  setMaxParallelUpdate,
  skipNodeUpdate,
  statusQuery,
} from './messages.js';
import type { Rollout } from './rollout-owner.js';
import type { RolloutStatus } from './status.js';

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
    () => {
      rollout.resume(Date.now());
      return summary();
    },
    {
      validator: () => {
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
    () => {
      rollout.promote();
      return summary();
    },
    {
      validator: () => {
        rollout.refuseWhenEnded('promote');
        if (rollout.spec.canary === undefined) throw new Error('this rollout has no canary wave; nothing to promote');
        if (state.canaryGateOpen || state.promoted) throw new Error('the canary was already promoted');
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
        if (!Number.isInteger(n) || n < 1 || n > 10_000)
          throw new Error(`maxParallel must be a whole number from 1 to 10000, got ${String(n)}`);
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
