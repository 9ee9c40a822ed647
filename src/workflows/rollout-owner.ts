/**
 * `Rollout`: the one owner of a rollout's state. Its methods are the only writers (operator
 * controls and the execution loop alike), each bumps the version the loop waits on, and the
 * decisions come from the pure rules of `domain/rollout-policy`.
 */
import type { CancellationScope } from '@temporalio/workflow';
import { NodeEvent, NodeState, nextNodeState } from '../domain/node-state.js';
import { isEnded } from '../domain/rollout-phase.js';
import {
  judge,
  nextStep,
  RolloutPhase,
  WaitReason,
  type RolloutStep,
  type RolloutView,
} from '../domain/rollout-policy.js';
import type { RolloutSpec } from '../domain/spec.js';
import { move } from './node-runner.js';
import { finishMessage } from './plan.js';
import { addStep, phaseOfState, renderStatus, type RolloutState } from './rollout-state.js';
import type { NodeStatus, RolloutStatus, StatusQueryOptions } from './status.js';

/** A node being upgraded: its cancellation scope and the promise of its end. */
export interface RunningNode {
  scope: CancellationScope;
  done: Promise<void>;
}

export class Rollout {
  readonly running = new Map<string, RunningNode>();
  private readonly retryQueue: NodeStatus[] = [];
  private cursor = 0;
  /** Replicas of nodes from their upgrade request until they serve again. */
  private replicasDown = 0;
  /** Nodes of unknown replica count from their upgrade request until they serve again. */
  private unknownDown = 0;

  constructor(
    readonly state: RolloutState,
    readonly spec: RolloutSpec,
  ) {
    for (const n of state.nodes)
      if (n.state === NodeState.Pending && n.wave < state.currentWave) this.retryQueue.push(n);
  }

  get phase(): RolloutPhase {
    return phaseOfState(this.state);
  }

  /** The `status` answer. */
  status(options?: StatusQueryOptions): RolloutStatus {
    return renderStatus(this.state, this.spec, Date.now(), options);
  }

  /** Wakes the loop: called after every write. */
  changed(): void {
    this.state.version += 1;
  }

  // ---- checks for update validators (they throw; they never write) ----

  refuseWhenEnded(what: string): void {
    if (isEnded(this.phase))
      throw new Error(`cannot ${what}: the rollout of ${this.state.backend} already ended (${this.phase})`);
  }

  /** The node `id`, when `event` applies to it; otherwise a readable error. */
  nodeFor(id: string, event: NodeEvent): NodeStatus {
    const node = this.state.byId.get(id);
    if (node === undefined)
      throw new Error(`node ${JSON.stringify(id)} is not part of this rollout; 'status' lists its nodes`);
    const next = nextNodeState(node.state, event);
    if (!next.ok) throw new Error(next.message);
    return node;
  }

  // ---- operator controls ----

  pause(reason: string | undefined): void {
    const why = reason !== undefined ? `: ${reason}` : '';
    this.state.paused = { message: `paused${why}; in-flight nodes finish, no new node starts until resume` };
    this.settle();
  }

  resume(now: number, reason?: string): void {
    const s = this.state;
    if (s.halted !== undefined) {
      s.acceptedFailures = this.failedCount();
      s.halted = undefined;
    }
    s.paused = undefined;
    s.lastProgressAt = now;
    s.message = `resumed${reason !== undefined ? `: ${reason}` : ''}`;
    this.settle();
  }

  abort(reason: string | undefined): void {
    this.state.aborted = true;
    this.state.message = `aborted${reason !== undefined ? `: ${reason}` : ''}`;
    for (const { scope } of this.running.values()) scope.cancel();
    this.changed();
  }

  /** Opens the canary gate; `full` also lifts the barriers between the remaining waves. */
  promote(reason: string | undefined, full: boolean): void {
    const s = this.state;
    const why = reason !== undefined ? ` (${reason})` : '';
    s.promoted = true;
    if (full) s.promotedFull = true;
    s.message = full
      ? `promoted in full${why}: the remaining gates are skipped`
      : `canary promoted${why}; going on with the next wave`;
    this.settle();
  }

  /** Refuses `promote --full` when no gate is left to skip. */
  refuseFullPromote(): void {
    const s = this.state;
    if (s.promotedFull) throw new Error('the rollout was already promoted in full');
    const canaryAhead = this.spec.canary !== undefined && !s.canaryGateOpen && !s.promoted;
    if (!canaryAhead && !s.discovering && s.currentWave >= s.waves.length - 1)
      throw new Error('no gate is left to skip: the last wave is running');
  }

  setMaxParallel(n: number): void {
    this.state.maxParallel = n;
    this.state.message = `maxParallel set to ${n}`;
    this.settle();
  }

  skip(id: string): void {
    const node = this.nodeFor(id, NodeEvent.Skip);
    move(node, NodeEvent.Skip);
    addStep(node, 'skipped by an operator');
    this.settle();
  }

  retry(id: string): void {
    const node = this.nodeFor(id, NodeEvent.Retry);
    move(node, NodeEvent.Retry);
    node.attempts = 0;
    delete node.opId;
    delete node.lastError;
    delete node.finishedAt;
    addStep(node, 'retry requested by an operator (new op id)');
    const s = this.state;
    if (node.wave < s.currentWave || this.cursor > (s.waves[node.wave]?.ids.indexOf(node.id) ?? 0))
      this.retryQueue.push(node);
    this.settle();
  }

  // ---- the execution loop ----

  /** The rules' view of the state right now. */
  view(): RolloutView {
    const s = this.state;
    const next = this.nextPending();
    const wave = s.waves[s.currentWave];
    return {
      aborted: s.aborted,
      reverting: s.reverting,
      halted: s.halted,
      paused: s.paused,
      next:
        next === undefined
          ? undefined
          : {
              id: next.id,
              replicas: next.replicas,
              ...(next.replicasUnknown === true ? { replicasUnknown: true } : {}),
            },
      inFlight: this.running.size,
      unreachable: [...this.running.keys()].filter((id) => s.byId.get(id)?.unreachableSince !== undefined).length,
      maxParallel: s.maxParallel,
      replicasDown: this.replicasDown,
      unknownDown: this.unknownDown,
      replicaBudget: s.replicaBudget,
      currentWave: s.currentWave,
      waveCount: s.waves.length,
      currentWaveIsCanary: wave?.kind === 'canary',
      canaryPromote: this.spec.canary?.promote,
      canaryGateOpen: s.canaryGateOpen,
      promoted: s.promoted,
      promotedFull: s.promotedFull,
      gateReachedAt: s.gateReachedAt,
      window: this.spec.window,
      lastProgressAt: s.lastProgressAt,
      progressDeadline: this.spec.progressDeadline,
    };
  }

  /** The next step of the loop; a wait is shown as the rollout's `waiting` and message. */
  step(now: number): RolloutStep {
    const step = nextStep(this.view(), now);
    if (step.kind === 'wait') {
      this.state.waiting = step.reason;
      this.state.message = step.message;
    }
    return step;
  }

  /** After an operator's change: show what the rollout waits for now (a resume at the canary gate shows the gate). */
  private settle(): void {
    if (this.state.discovering || this.state.outcome !== undefined) {
      this.changed();
      return;
    }
    const step = this.step(Date.now());
    if (step.kind !== 'wait') this.state.waiting = undefined;
    this.changed();
  }

  halt(reason: WaitReason, message: string): void {
    this.state.halted = { reason, message };
    this.state.waiting = reason;
    this.state.message = message;
    this.changed();
  }

  reachGate(now: number): void {
    this.state.gateReachedAt = now;
    this.changed();
  }

  openGate(now: number): void {
    this.state.canaryGateOpen = true;
    this.state.gateReachedAt = undefined;
    this.state.lastProgressAt = now;
    this.changed();
  }

  nextWave(): void {
    this.state.currentWave += 1;
    this.cursor = 0;
    this.changed();
  }

  /** Discovery and planning are done. */
  planned(
    plan: Pick<RolloutState, 'nodes' | 'waves' | 'skippedAtDiscovery' | 'replicaBudget' | 'allowedFailures'>,
    now: number,
  ): void {
    Object.assign(this.state, plan);
    this.state.byId = new Map(plan.nodes.map((n) => [n.id, n]));
    this.state.discovering = false;
    this.state.lastProgressAt = now;
    this.changed();
  }

  /** `node` was launched; its replicas count as down until {@link replicasUp}. */
  nodeStarted(node: NodeStatus, running: RunningNode): void {
    const s = this.state;
    this.replicasDown += node.replicas;
    if (node.replicasUnknown === true) this.unknownDown += 1;
    this.running.set(node.id, running);
    s.waiting = undefined;
    s.message = `upgrading wave ${s.currentWave + 1}/${s.waves.length}`;
    this.changed();
  }

  /** `node`'s replicas serve again. */
  replicasUp(node: NodeStatus): void {
    this.replicasDown -= node.replicas;
    if (node.replicasUnknown === true) this.unknownDown -= 1;
    this.changed();
  }

  /** `node` reached the end of its run: free its slot and judge the failure budget. */
  nodeFinished(node: NodeStatus, now: number): void {
    const s = this.state;
    this.running.delete(node.id);
    s.lastProgressAt = now;
    const verdict = judge({
      aborted: s.aborted,
      reverting: s.reverting,
      halted: s.halted !== undefined,
      failed: this.failedCount(),
      acceptedFailures: s.acceptedFailures,
      allowedFailures: s.allowedFailures,
      onFailure: this.spec.onFailure,
    });
    if (verdict.kind === 'halt') this.halt(verdict.reason, verdict.message);
    else if (verdict.kind === 'revert') {
      s.reverting = true;
      s.message = verdict.message;
    }
    this.changed();
  }

  /** The rollout ended. */
  finished(now: number, message: string | undefined): void {
    const s = this.state;
    const failed = s.nodes.some((n) => n.state === NodeState.Failed || n.state === NodeState.Unknown);
    s.outcome = s.aborted ? RolloutPhase.Aborted : failed || s.reverting ? RolloutPhase.Failed : RolloutPhase.Succeeded;
    s.waiting = undefined;
    s.finishedAt = now;
    if (message !== undefined) s.message = message;
    else if (!s.aborted) s.message = failed ? 'finished with failed nodes' : 'every targeted node upgraded';
    // Nothing was upgraded: every node already ran the target (a success), or every candidate was left out (a failure).
    const concluded = s.outcome === RolloutPhase.Succeeded ? finishMessage(s, this.spec) : undefined;
    if (concluded !== undefined) {
      s.outcome = concluded.failed ? RolloutPhase.Failed : RolloutPhase.Succeeded;
      s.message = concluded.message;
    }
    this.changed();
  }

  continuing(): void {
    this.state.message = 'continuing as new to keep history small';
    this.changed();
  }

  private failedCount(): number {
    return this.state.nodes.reduce((sum, n) => sum + (n.state === NodeState.Failed ? 1 : 0), 0);
  }

  private nextPending(): NodeStatus | undefined {
    const s = this.state;
    while (this.retryQueue.length > 0 && this.retryQueue[0]?.state !== NodeState.Pending) this.retryQueue.shift();
    if (this.retryQueue[0] !== undefined) return this.retryQueue[0];
    const ids = s.waves[s.currentWave]?.ids ?? [];
    while (this.cursor < ids.length && s.byId.get(ids[this.cursor] as string)?.state !== NodeState.Pending)
      this.cursor += 1;
    return this.cursor < ids.length ? s.byId.get(ids[this.cursor] as string) : undefined;
  }
}
