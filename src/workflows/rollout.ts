/**
 * `rolloutWorkflow`: upgrades one backend across the targeted nodes, durably. Discover → plan →
 * execute with a sliding window (maxParallel, the replica budget, pause, the maintenance window,
 * the canary gate) → judge after every node (failure budget, progress deadline) → summary.
 * Long rollouts continue-as-new carrying their state.
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
import { canStartWithinBudget, failureBudgetExceeded } from '../domain/budget.js';
import { FailureType } from '../domain/failures.js';
import { NodeState } from '../domain/node-state.js';
import { OnFailure, parseRolloutSpec, type RolloutSpec, type RolloutSpecInput } from '../domain/spec.js';
import { describeTarget } from '../domain/upgrade-target.js';
import { isWindowOpen, nextWindowOpen } from '../domain/window.js';
import { registerControls } from './controls.js';
import { runNode } from './node-runner.js';
import { discoverAndPlan, resolveTarget, finishMessage } from './plan.js';
import {
  addStep,
  carryState,
  renderStatus,
  restoreNodes,
  type CarriedState,
  type RolloutState,
} from './rollout-state.js';
import { RolloutPhase, WaitReason, type NodeStatus, type RolloutStatus, type StatusQueryOptions } from './status.js';
import { publishVisibility } from './visibility.js';
import { revertNodes } from './revert.js';

/** `1 node`, `2 nodes`. */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

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
  const state = initialState(spec, input.carried);
  const run = new Runner(state, spec, input);
  registerControls(state, spec, run);
  if (input.carried === undefined) {
    if (spec.target === undefined && patched('resolve-target')) {
      state.message = 'resolving the target';
      const target = await resolveTarget(spec);
      if (target !== undefined) {
        spec.target = target;
        input.spec = { ...input.spec, target };
        upsertMemo({ target: describeTarget(target) });
      }
    }
    state.message = 'discovering which nodes have the backend';
    publishVisibility(state, true);
    const plan = await discoverAndPlan(spec);
    Object.assign(state, { nodes: plan.nodes, waves: plan.waves, skippedAtDiscovery: plan.skipped });
    state.replicaBudget = plan.replicaBudget;
    state.allowedFailures = plan.allowedFailures;
    state.byId = new Map(plan.nodes.map((n) => [n.id, n]));
    state.phase = state.paused ? RolloutPhase.Paused : RolloutPhase.Running;
    state.lastProgressAt = Date.now();
  }
  run.restoreQueues();
  run.recountFailures();
  await run.execute();
  return await run.finish();
}

function initialState(spec: RolloutSpec, carried: CarriedState | undefined): RolloutState {
  const now = Date.now();
  const nodes = carried === undefined ? [] : restoreNodes(carried.nodes, carried.records ?? []);
  return {
    backend: spec.backend,
    phase:
      carried === undefined ? RolloutPhase.Discovering : carried.paused ? RolloutPhase.Paused : RolloutPhase.Running,
    waiting: undefined,
    message: '',
    nodes,
    byId: new Map(nodes.map((n) => [n.id, n])),
    waves: carried?.waves ?? [],
    currentWave: carried?.currentWave ?? 0,
    maxParallel: carried?.maxParallel ?? spec.maxParallel,
    replicaBudget: carried?.replicaBudget ?? 0,
    allowedFailures: carried?.allowedFailures ?? 0,
    acceptedFailures: carried?.acceptedFailures ?? 0,
    paused: carried?.paused ?? false,
    halted: false,
    aborted: false,
    promoted: carried?.promoted ?? false,
    canaryGateOpen: carried?.canaryGateOpen ?? false,
    atCanaryGate: false,
    startedAt: carried?.startedAt ?? now,
    finishedAt: undefined,
    lastProgressAt: carried?.lastProgressAt ?? now,
    skippedAtDiscovery: carried?.skippedAtDiscovery ?? [],
    continueAsNewCount: carried?.continueAsNewCount ?? 0,
    version: 0,
  };
}

/** The execution loop and its bookkeeping. Controls call into it through {@link RunnerControls}. */
export class Runner {
  private readonly running = new Map<string, { scope: CancellationScope; done: Promise<void> }>();
  private readonly retryQueue: NodeStatus[] = [];
  private cursor = 0;
  private replicasDown = 0;
  /** Nodes in state failed, kept incrementally (controls call {@link recountFailures}). */
  failedCount = 0;

  constructor(
    private readonly state: RolloutState,
    private readonly spec: RolloutSpec,
    private readonly input: RolloutInput,
  ) {}

  changed(): void {
    this.state.version += 1;
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** After continue-as-new: pending nodes of earlier waves go to the retry queue. */
  restoreQueues(): void {
    for (const n of this.state.nodes)
      if (n.state === NodeState.Pending && n.wave < this.state.currentWave) this.retryQueue.push(n);
  }

  enqueueRetry(node: NodeStatus): void {
    if (node.wave < this.state.currentWave || this.cursor > (this.state.waves[node.wave]?.ids.indexOf(node.id) ?? 0))
      this.retryQueue.push(node);
  }

  recountFailures(): void {
    this.failedCount = this.state.nodes.reduce((sum, n) => sum + (n.state === NodeState.Failed ? 1 : 0), 0);
  }

  /** The `status` answer. */
  status(options?: StatusQueryOptions): RolloutStatus {
    return renderStatus(this.state, this.spec, Date.now(), options);
  }

  cancelAll(): void {
    for (const { scope } of this.running.values()) scope.cancel();
  }

  private nextPending(): NodeStatus | undefined {
    while (this.retryQueue.length > 0 && this.retryQueue[0]?.state !== NodeState.Pending) this.retryQueue.shift();
    if (this.retryQueue[0] !== undefined) return this.retryQueue[0];
    const ids = this.state.waves[this.state.currentWave]?.ids ?? [];
    while (this.cursor < ids.length && this.state.byId.get(ids[this.cursor] as string)?.state !== NodeState.Pending)
      this.cursor += 1;
    return this.cursor < ids.length ? this.state.byId.get(ids[this.cursor] as string) : undefined;
  }

  /** Why `node` cannot start now, and until when at most to wait before looking again. */
  private blocker(
    node: NodeStatus,
    now: number,
  ): { reason: WaitReason; message: string; untilMs?: number } | undefined {
    const s = this.state;
    if (s.paused) return { reason: WaitReason.Paused, message: 'paused by an operator; resume to go on' };
    if (s.halted) return { reason: WaitReason.FailureBudget, message: s.message };
    if (this.spec.window !== undefined && !isWindowOpen(this.spec.window, now)) {
      const opens = nextWindowOpen(this.spec.window, now);
      return {
        reason: WaitReason.WindowClosed,
        message: `maintenance window closed; opens at ${new Date(opens).toISOString()}`,
        untilMs: opens,
      };
    }
    if (this.running.size >= s.maxParallel)
      return {
        reason: WaitReason.Slots,
        message: `${plural(this.running.size, 'node')} upgrading (maxParallel ${s.maxParallel})`,
      };
    if (
      !canStartWithinBudget({ replicasDown: this.replicasDown, nodeReplicas: node.replicas, budget: s.replicaBudget })
    ) {
      return {
        reason: WaitReason.UnavailabilityBudget,
        message: `${this.replicasDown} replicas down; budget ${s.replicaBudget}`,
      };
    }
    return undefined;
  }

  /** Waits for any change, or until `untilMs`, or until the progress deadline would pass. */
  private async waitForChange(untilMs?: number): Promise<void> {
    const seen = this.state.version;
    publishVisibility(this.state, false);
    const now = Date.now();
    const deadlineAt = this.state.lastProgressAt + this.spec.progressDeadline;
    const watchDeadline = !this.state.paused && !this.state.halted;
    const wakeAt = Math.min(untilMs ?? Infinity, watchDeadline ? deadlineAt : Infinity);
    if (wakeAt === Infinity) await condition(() => this.state.version !== seen);
    else await condition(() => this.state.version !== seen, Math.max(1, wakeAt - now));
    if (
      watchDeadline &&
      !this.state.paused &&
      !this.state.halted &&
      Date.now() >= this.state.lastProgressAt + this.spec.progressDeadline
    ) {
      this.halt(
        WaitReason.ProgressDeadline,
        `halted: no node finished within the progress deadline (${this.spec.progressDeadline} ms); resume or abort`,
      );
    }
  }

  halt(reason: WaitReason, message: string): void {
    const s = this.state;
    s.halted = true;
    s.phase = RolloutPhase.Halted;
    s.waiting = reason;
    s.message = message;
    this.changed();
  }

  private shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= (this.input.historyEventLimit ?? 10_000);
  }

  async execute(): Promise<void> {
    const s = this.state;
    for (;;) {
      if (s.aborted || s.phase === RolloutPhase.Reverting) break;
      const node = this.nextPending();
      if (node === undefined) {
        if (this.running.size > 0) {
          s.waiting = WaitReason.WaveBarrier;
          if (!s.halted && !s.paused)
            s.message = `wave ${s.currentWave + 1}/${s.waves.length}: ${plural(this.running.size, 'node')} in flight`;
          await this.waitForChange();
          continue;
        }
        if (s.waves[s.currentWave]?.kind === 'canary' && !s.canaryGateOpen && !s.halted) {
          await this.canaryGate();
          continue;
        }
        if (s.currentWave < s.waves.length - 1) {
          s.currentWave += 1;
          this.cursor = 0;
          this.changed();
          continue;
        }
        if (s.halted && !s.aborted) {
          await this.waitForChange();
          continue;
        }
        break;
      }
      const blocked = this.blocker(node, Date.now());
      if (blocked !== undefined) {
        s.waiting = blocked.reason;
        if (!s.halted) s.message = blocked.message;
        await this.waitForChange(blocked.untilMs);
        continue;
      }
      if (this.shouldContinueAsNew()) {
        await this.continueAsNew();
      }
      s.waiting = undefined;
      if (s.phase === RolloutPhase.Paused || s.phase === RolloutPhase.Running) s.phase = RolloutPhase.Running;
      s.message = `upgrading wave ${s.currentWave + 1}/${s.waves.length}`;
      this.launch(node);
    }
  }

  private async canaryGate(): Promise<void> {
    const s = this.state;
    const promote = this.spec.canary?.promote ?? 'manual';
    s.waiting = WaitReason.CanaryGate;
    s.message =
      promote === 'manual'
        ? "canary wave done; waiting for 'promote'"
        : `canary wave done; promoting automatically in ${promote} ms unless paused`;
    this.changed();
    publishVisibility(s, true);
    if (promote === 'manual') await condition(() => s.promoted || s.aborted);
    else {
      const timedOut = !(await condition(() => s.promoted || s.aborted, promote));
      if (timedOut) await condition(() => !s.paused || s.aborted || s.promoted);
    }
    s.canaryGateOpen = true;
    s.atCanaryGate = false;
    s.lastProgressAt = Date.now();
    this.changed();
  }

  private launch(node: NodeStatus): void {
    const s = this.state;
    if (node.opId === undefined) node.opId = uuid4();
    this.replicasDown += node.replicas;
    let up = false;
    const markUp = (): void => {
      if (!up) this.replicasDown -= node.replicas;
      up = true;
    };
    const scope = new CancellationScope();
    const done = scope
      .run(() => runNode(node, { spec: this.spec, now: () => Date.now(), changed: () => this.changed(), markUp }))
      .catch((err: unknown) => {
        if (!isCancellation(err)) throw err;
        node.finishedAt = Date.now();
        if (node.state === NodeState.Soaking) node.state = NodeState.Succeeded;
        else if (node.state !== NodeState.Succeeded && node.state !== NodeState.Failed) {
          node.state = NodeState.Unknown;
          node.lastError = 'aborted mid-upgrade: the outcome on the node is unknown; check it with backend.list';
          addStep(node, 'aborted mid-upgrade');
        }
      })
      .finally(() => {
        markUp();
        if (node.state === NodeState.Failed) this.failedCount += 1;
        this.running.delete(node.id);
        s.lastProgressAt = Date.now();
        this.judge();
        this.changed();
      });
    this.running.set(node.id, { scope, done });
    this.changed();
  }

  /** Acts on the failure budget after a node finished. */
  private judge(): void {
    const s = this.state;
    if (s.aborted || s.halted || s.phase === RolloutPhase.Reverting) return;
    const failures = this.failedCount - s.acceptedFailures;
    if (!failureBudgetExceeded(failures, s.allowedFailures)) return;
    if (this.spec.onFailure === OnFailure.Halt) {
      this.halt(
        WaitReason.FailureBudget,
        `halted: ${failures} failed nodes exceed maxFailures (${s.allowedFailures}); fix or skip them, then resume, or abort`,
      );
    } else if (this.spec.onFailure === OnFailure.Revert) {
      s.phase = RolloutPhase.Reverting;
      s.message = `${failures} failed nodes exceed maxFailures (${s.allowedFailures}): reverting upgraded nodes`;
    }
  }

  private async continueAsNew(): Promise<void> {
    const s = this.state;
    s.message = 'continuing as new to keep history small';
    await condition(() => this.running.size === 0);
    await condition(allHandlersFinished);
    await continueAsNew<typeof rolloutWorkflow>({ ...this.input, carried: carryState(s) });
  }

  async finish(): Promise<RolloutStatus> {
    const s = this.state;
    await Promise.all([...this.running.values()].map((r) => r.done));
    const reverted = s.phase === RolloutPhase.Reverting;
    if (reverted) await revertNodes(s, this.spec);
    const failed = s.nodes.some((n) => n.state === NodeState.Failed || n.state === NodeState.Unknown);
    s.phase = s.aborted ? RolloutPhase.Aborted : failed || reverted ? RolloutPhase.Failed : RolloutPhase.Succeeded;
    s.waiting = undefined;
    s.finishedAt = Date.now();
    if (!s.aborted && !reverted) s.message = failed ? 'finished with failed nodes' : 'every targeted node upgraded';
    const outcome = finishMessage(s, this.spec);
    if (outcome !== undefined && !s.aborted && !reverted && !failed) {
      s.phase = outcome.failed ? RolloutPhase.Failed : RolloutPhase.Succeeded;
      s.message = outcome.message;
    }
    this.changed();
    publishVisibility(s, true);
    await condition(allHandlersFinished);
    return renderStatus(s, this.spec, Date.now());
  }
}
