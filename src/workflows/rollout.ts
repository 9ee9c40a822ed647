/**
 * `rolloutWorkflow`: upgrades one backend across the targeted nodes, durably. Discover → plan →
 * a loop that asks the rules (`domain/rollout-policy`) for its next step and does it: start a
 * node, wait (slots, replica budget, pause, window, canary gate), halt, open the gate, go to the
 * next wave → summary. The state has one owner, {@link Rollout}. Long rollouts continue-as-new
 * carrying their state.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  allHandlersFinished,
  isCancellation,
  patched,
  upsertMemo,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { MemoKey } from '../addressing.js';
import { FailureType } from '../domain/failures.js';
import { NodeEvent, NodeState } from '../domain/node-state.js';
import { parseRolloutSpec, type RolloutSpec, type RolloutSpecInput } from '../domain/spec.js';
import { describeTarget } from '../domain/upgrade-target.js';
import { registerControls } from './controls.js';
import { recordNodeFinished, recordRolloutFinished } from './metrics.js';
import { move, runNode } from './node-runner.js';
import { discoverAndPlan, resolveTarget } from './plan.js';
import { Rollout } from './rollout-owner.js';
import {
  addStep,
  carryState,
  phaseOfState,
  renderStatus,
  restoreNodes,
  type CarriedState,
  type RolloutState,
} from './rollout-state.js';
import type { NodeStatus, RolloutStatus } from './status.js';
import { initialVisibilityMark, publishVisibility } from './visibility.js';
import { revertNodes } from './revert.js';

export interface RolloutInput {
  spec: RolloutSpecInput;
  /** Set by continue-as-new. */
  carried?: CarriedState;
  /** Continue-as-new once history has this many events (Temporal's own suggestion also counts). @default 10000 */
  historyEventLimit?: number;
}

export async function rolloutWorkflow(input: RolloutInput): Promise<RolloutStatus> {
  const parsed = parseRolloutSpec(input.spec);
  if (!parsed.ok) throw ApplicationFailure.nonRetryable(parsed.message, FailureType.InvalidSpec);
  const spec = parsed.spec;
  const rollout = new Rollout(initialState(spec, input.carried), spec);
  registerControls(rollout);
  if (input.carried === undefined) {
    if (spec.target === undefined && patched('resolve-target')) {
      rollout.state.message = 'resolving the target';
      const target = await resolveTarget(spec);
      if (target !== undefined) {
        spec.target = target;
        input.spec = { ...input.spec, target };
        upsertMemo({ [MemoKey.Target]: describeTarget(target) });
      }
    }
    publishVisibility(rollout.state, true);
    const plan = await discoverAndPlan(spec);
    rollout.planned(
      {
        nodes: plan.nodes,
        waves: plan.waves,
        skippedAtDiscovery: plan.skipped,
        replicaBudget: plan.replicaBudget,
        allowedFailures: plan.allowedFailures,
      },
      Date.now(),
    );
  }
  await execute(rollout, input);
  return await finish(rollout);
}

function initialState(spec: RolloutSpec, carried: CarriedState | undefined): RolloutState {
  const now = Date.now();
  const nodes = carried === undefined ? [] : restoreNodes(carried.nodes, carried.records ?? []);
  return {
    backend: spec.backend,
    discovering: carried === undefined,
    outcome: undefined,
    reverting: false,
    waiting: undefined,
    message: carried === undefined ? 'discovering which nodes have the backend' : '',
    nodes,
    byId: new Map(nodes.map((n) => [n.id, n])),
    waves: carried?.waves ?? [],
    currentWave: carried?.currentWave ?? 0,
    maxParallel: carried?.maxParallel ?? spec.maxParallel,
    replicaBudget: carried?.replicaBudget ?? 0,
    allowedFailures: carried?.allowedFailures ?? 0,
    acceptedFailures: carried?.acceptedFailures ?? 0,
    paused:
      carried?.paused === true
        ? { message: carried.pausedMessage ?? 'paused by an operator; resume to go on' }
        : undefined,
    halted: undefined,
    aborted: false,
    promoted: carried?.promoted ?? false,
    promotedFull: carried?.promotedFull ?? false,
    canaryGateOpen: carried?.canaryGateOpen ?? false,
    gateReachedAt: undefined,
    startedAt: carried?.startedAt ?? now,
    finishedAt: undefined,
    lastProgressAt: carried?.lastProgressAt ?? now,
    skippedAtDiscovery: carried?.skippedAtDiscovery ?? [],
    continueAsNewCount: carried?.continueAsNewCount ?? 0,
    version: 0,
    visibility: initialVisibilityMark(),
  };
}

/** Waits for any change of the state, or until `untilMs`; the timer's Web UI summary is what the wait is for. */
async function waitForChange(rollout: Rollout, untilMs: number | undefined, why: string): Promise<void> {
  const seen = rollout.state.version;
  publishVisibility(rollout.state, false);
  if (untilMs === undefined || untilMs === Infinity) await condition(() => rollout.state.version !== seen);
  else await condition(() => rollout.state.version !== seen, Math.max(1, untilMs - Date.now()), { summary: why });
}

function shouldContinueAsNew(input: RolloutInput): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= (input.historyEventLimit ?? 10_000);
}

async function execute(rollout: Rollout, input: RolloutInput): Promise<void> {
  for (;;) {
    const step = rollout.step(Date.now());
    switch (step.kind) {
      case 'done':
        return;
      case 'wait':
        await waitForChange(rollout, step.untilMs, step.message);
        break;
      case 'halt':
        rollout.halt(step.reason, step.message);
        break;
      case 'reach-gate':
        rollout.reachGate(Date.now());
        publishVisibility(rollout.state, true);
        break;
      case 'open-gate':
        rollout.openGate(Date.now());
        break;
      case 'next-wave':
        rollout.nextWave();
        break;
      case 'start': {
        if (shouldContinueAsNew(input)) await continueAsNewWith(rollout, input);
        const node = rollout.state.byId.get(step.nodeId);
        if (node !== undefined) launch(rollout, node);
        break;
      }
    }
  }
}

function launch(rollout: Rollout, node: NodeStatus): void {
  const spec = rollout.spec;
  if (node.opId === undefined) node.opId = uuid4();
  let up = false;
  const markUp = (): void => {
    if (!up) rollout.replicasUp(node);
    up = true;
  };
  const scope = new CancellationScope();
  const done = scope
    .run(() =>
      runNode(node, {
        spec,
        now: () => Date.now(),
        changed: () => rollout.changed(),
        markUp,
        peers: () => rollout.state.nodes,
      }),
    )
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
      node.finishedAt = Date.now();
      if (node.state === NodeState.Soaking || node.state === NodeState.Resuming) move(node, NodeEvent.Abandoned);
      else if (node.state === NodeState.Draining) {
        move(node, NodeEvent.Abandoned);
        addStep(node, 'aborted before its upgrade: nothing was sent to it');
      } else if (node.state !== NodeState.Succeeded && node.state !== NodeState.Failed) {
        move(node, NodeEvent.Abandoned);
        node.lastError = 'aborted mid-upgrade: the outcome on the node is unknown; check it with backend.list';
        addStep(node, 'aborted mid-upgrade');
      }
    })
    .finally(() => {
      markUp();
      rollout.nodeFinished(node, Date.now());
      recordNodeFinished(spec.backend, node);
    });
  rollout.nodeStarted(node, { scope, done });
}

async function continueAsNewWith(rollout: Rollout, input: RolloutInput): Promise<void> {
  rollout.continuing();
  await condition(() => rollout.running.size === 0);
  await condition(allHandlersFinished);
  await continueAsNew<typeof rolloutWorkflow>({ ...input, carried: carryState(rollout.state) });
}

async function finish(rollout: Rollout): Promise<RolloutStatus> {
  const s = rollout.state;
  await Promise.all([...rollout.running.values()].map((r) => r.done));
  const revertMessage = s.reverting ? await revertNodes(s, rollout.spec) : undefined;
  rollout.finished(Date.now(), revertMessage);
  recordRolloutFinished(s.backend, phaseOfState(s));
  publishVisibility(s, true);
  await condition(allHandlersFinished);
  return renderStatus(s, rollout.spec, Date.now());
}
