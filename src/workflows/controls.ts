/**
 * Operator controls: the `status` query and the updates. Each update has a validator that refuses
 * an illegal transition with a message saying what is possible instead; accepted updates return
 * the rollout's status after the change.
 */
import { setHandler } from '@temporalio/workflow';
import { nextNodeState, NodeEvent, NodeState } from '../domain/node-state.js';
import type { RolloutSpec } from '../domain/spec.js';
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
import { addStep, type RolloutState } from './rollout-state.js';
import { FINAL_PHASES, RolloutPhase, WaitReason } from './status.js';
import type { Runner } from './rollout.js';

function refuseWhenEnded(state: RolloutState, what: string): void {
  if (FINAL_PHASES.includes(state.phase))
    throw new Error(`cannot ${what}: the rollout of ${state.backend} already ended (${state.phase})`);
}

function nodeOf(state: RolloutState, id: string, event: NodeEvent) {
  const node = state.byId.get(id);
  if (node === undefined)
    throw new Error(`node ${JSON.stringify(id)} is not part of this rollout; 'status' lists its nodes`);
  const next = nextNodeState(node.state, event);
  if (!next.ok) throw new Error(next.message);
  return node;
}

export function registerControls(state: RolloutState, spec: RolloutSpec, run: Runner): void {
  setHandler(statusQuery, (options) => run.status(options));

  setHandler(
    pauseUpdate,
    (args) => {
      state.paused = true;
      if (!state.halted) state.phase = RolloutPhase.Paused;
      state.waiting = WaitReason.Paused;
      state.message = `paused${args.reason !== undefined ? `: ${args.reason}` : ''}; in-flight nodes finish, no new node starts until resume`;
      run.changed();
      return Promise.resolve(run.status({ nodes: 'none' }));
    },
    {
      validator: (_args) => {
        refuseWhenEnded(state, 'pause');
        if (state.paused) throw new Error('the rollout is already paused; resume it or abort it');
      },
    },
  );

  setHandler(
    resumeUpdate,
    () => {
      if (state.halted) {
        state.acceptedFailures = state.nodes.filter((n) => n.state === NodeState.Failed).length;
        state.halted = false;
      }
      state.paused = false;
      state.phase = RolloutPhase.Running;
      state.waiting = state.atCanaryGate ? WaitReason.CanaryGate : undefined;
      state.message = state.atCanaryGate ? "resumed; the canary wave is done and waits for 'promote'" : 'resumed';
      state.lastProgressAt = Date.now();
      run.changed();
      return Promise.resolve(run.status({ nodes: 'none' }));
    },
    {
      validator: () => {
        refuseWhenEnded(state, 'resume');
        if (!state.paused && !state.halted)
          throw new Error(`the rollout is ${state.phase}, not paused or halted; nothing to resume`);
      },
    },
  );

  setHandler(
    abortUpdate,
    (args) => {
      state.aborted = true;
      state.message = `aborted${args.reason !== undefined ? `: ${args.reason}` : ''}`;
      run.cancelAll();
      run.changed();
      return Promise.resolve(run.status({ nodes: 'none' }));
    },
    { validator: (_args) => refuseWhenEnded(state, 'abort') },
  );

  setHandler(
    promoteUpdate,
    () => {
      state.promoted = true;
      state.message = 'canary promoted; going on with the next wave';
      run.changed();
      return Promise.resolve(run.status({ nodes: 'none' }));
    },
    {
      validator: () => {
        refuseWhenEnded(state, 'promote');
        if (spec.canary === undefined) throw new Error('this rollout has no canary wave; nothing to promote');
        if (state.canaryGateOpen || state.promoted) throw new Error('the canary was already promoted');
      },
    },
  );

  setHandler(
    setMaxParallelUpdate,
    (n) => {
      state.maxParallel = n;
      state.message = `maxParallel set to ${n}`;
      run.changed();
      return Promise.resolve(run.status({ nodes: 'none' }));
    },
    {
      validator: (n) => {
        refuseWhenEnded(state, 'change maxParallel');
        if (!Number.isInteger(n) || n < 1 || n > 10_000)
          throw new Error(`maxParallel must be a whole number from 1 to 10000, got ${String(n)}`);
      },
    },
  );

  setHandler(
    skipNodeUpdate,
    (id: string) => {
      const node = nodeOf(state, id, NodeEvent.Skip);
      node.state = NodeState.Skipped;
      addStep(node, 'skipped by an operator');
      run.recountFailures();
      run.changed();
      return Promise.resolve(run.status({ nodes: 'none' }));
    },
    {
      validator: (id: string) => {
        refuseWhenEnded(state, 'skip a node');
        nodeOf(state, id, NodeEvent.Skip);
      },
    },
  );

  setHandler(
    retryNodeUpdate,
    (id: string) => {
      const node = nodeOf(state, id, NodeEvent.Retry);
      node.state = NodeState.Pending;
      node.attempts = 0;
      delete node.opId;
      delete node.lastError;
      delete node.finishedAt;
      addStep(node, 'retry requested by an operator (new op id)');
      run.enqueueRetry(node);
      run.recountFailures();
      run.changed();
      return Promise.resolve(run.status({ nodes: 'none' }));
    },
    {
      validator: (id: string) => {
        refuseWhenEnded(state, 'retry a node');
        nodeOf(state, id, NodeEvent.Retry);
      },
    },
  );
}
