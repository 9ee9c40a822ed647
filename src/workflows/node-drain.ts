/**
 * A node's drain and resume in a LocalAI frontend around its upgrade (spec `frontend`): before
 * the upgrade, check that the drain leaves every model somewhere to run, drain (the activity reads
 * `in_flight` first and waits `drainGrace` only when something ran), and after the start check and
 * the restore, resume and wait for the models the frontend reloads by itself.
 *
 * A node this rollout drained is always resumed, in a non-cancellable scope (abort, failure and
 * a worker crash included), except when its new build failed the start check: it cannot serve,
 * so it stays drained and `status` lists it until a retry, or an operator resumes it.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import { judgeDrain } from '../domain/drain-guard.js';
import { FailureType, NON_RETRYABLE_FAILURES } from '../domain/failures.js';
import { NodeEvent } from '../domain/node-state.js';
import type { RolloutSpec } from '../domain/spec.js';
import { parseProcessKey } from '../protocol/process-key.js';
import type { RolloutActivities } from '../activities/index.js';
import { addStep } from './rollout-state.js';
import { summarised, timerSummary } from './summaries.js';
import type { NodeStatus } from './status.js';

/** Patch id of drain → upgrade → resume: rollouts recorded before it never drain. */
export const FRONTEND_DRAIN_PATCH = 'frontend-drain';

/** Backoff while the drain would leave a model with nowhere to run and another drained node of this rollout may free it. */
const BLOCKED_BACKOFF = { initialMs: 1_000, maximumMs: 10_000 } as const;

/** What the drain and resume need from the node's run. */
export interface DrainContext {
  spec: RolloutSpec;
  now: () => number;
  changed: () => void;
  /** Every node of the rollout: which of them this rollout holds drained. */
  peers: () => readonly NodeStatus[];
}

/** The drain could not start or was refused: the node fails with this message (nothing was upgraded). */
export class DrainRefused extends Error {}

function activitiesFor(spec: RolloutSpec) {
  const retry = { maximumAttempts: 5, initialInterval: 1_000, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES] };
  const quick = proxyActivities<RolloutActivities>({ startToCloseTimeout: 60_000, retry });
  const drain = proxyActivities<RolloutActivities>({
    startToCloseTimeout: spec.drainGrace + 60_000,
    // The grace heartbeats every 2 s: a lost worker is noticed within 10 s and the drain retried.
    heartbeatTimeout: 10_000,
    // An abort waits until the activity stopped, so no drain can land after the resume.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry,
  });
  // A resume outlasts a frontend restart: about 5 minutes of retries before the node is reported held.
  const resume = proxyActivities<RolloutActivities>({
    startToCloseTimeout: 60_000,
    retry: { ...retry, maximumAttempts: 12, backoffCoefficient: 2, maximumInterval: 30_000 },
  });
  const wait = proxyActivities<RolloutActivities>({
    startToCloseTimeout: spec.replicaReadyTimeout + 60_000,
    retry,
  });
  return {
    readServing: summarised(quick.readServing, () => 'read what the frontend serves'),
    resumeNode: summarised(resume.resumeNode, (i) => `resume ${i.nodeId} in the frontend`),
    drainNode: summarised(drain.drainNode, (i) => `drain ${i.nodeId} in the frontend`),
    waitModelLoaded: summarised(wait.waitModelLoaded, (i) => `wait for ${i.models.join(', ')} loaded on ${i.nodeId}`),
  };
}

/** True when this rollout drains nodes (a frontend in the spec, and code that knows how). */
export function drainsNodes(spec: RolloutSpec): boolean {
  return spec.frontend !== undefined && patched(FRONTEND_DRAIN_PATCH);
}

/** Ids of nodes this rollout holds drained now (or is draining). */
function drainedByRollout(peers: readonly NodeStatus[], self: string): Set<string> {
  return new Set(peers.filter((p) => p.id !== self && p.drainedAt !== undefined).map((p) => p.id));
}

/**
 * pending → draining → upgrading: waits until the drain leaves every model of the node somewhere
 * to run, drains, and records the models the node served.
 * @throws DrainRefused when it cannot be drained (nothing was sent to the node).
 */
export async function drainNode(node: NodeStatus, move: (e: NodeEvent) => void, ctx: DrainContext): Promise<void> {
  const { spec } = ctx;
  const acts = activitiesFor(spec);
  const deadline = (node.startedAt ?? ctx.now()) + spec.healthyDeadline;
  move(NodeEvent.Drain);
  ctx.changed();
  let delay: number = BLOCKED_BACKOFF.initialMs;
  let reloaded: string[];
  for (;;) {
    const view = await acts.readServing({
      nodeId: node.id,
      ...(spec.frontend === undefined ? {} : { url: spec.frontend.url }),
    });
    if (!view.nodes.some((n) => n.id === node.id)) {
      // The frontend does not route to it, so there is nothing to drain (and nothing to resume).
      addStep(node, 'not registered in the LocalAI frontend: upgraded without a drain');
      move(NodeEvent.Drained);
      ctx.changed();
      return;
    }
    const ours = drainedByRollout(ctx.peers(), node.id);
    const drained = new Set([...ours, ...view.nodes.filter((n) => n.status === 'draining').map((n) => n.id)]);
    const healthy = view.nodes.filter((n) => n.status === 'healthy').map((n) => n.id);
    const verdict = judgeDrain(node.id, view.serving, healthy, drained);
    if (verdict.blocked.length === 0) {
      reloaded = view.reloaded;
      if (verdict.coldLoad.length > 0)
        addStep(node, `drain: ${verdict.coldLoad.join(', ')} will be cold-loaded on another node meanwhile`);
      break;
    }
    const what = `it is the last node serving ${verdict.blocked.join(', ')}`;
    if (ours.size === 0 || ctx.now() + delay > deadline)
      throw new DrainRefused(
        `not drained: ${what}, and draining it would fail every request for them; load them on another node (or give them min_replicas in the frontend), then retry the node, or skip it`,
      );
    addStep(node, `drain waits: ${what} while ${[...ours].join(', ')} is drained`);
    ctx.changed();
    await sleep(delay, { summary: timerSummary(`drain of ${node.id} waits`, delay) });
    delay = Math.min(delay * 2, BLOCKED_BACKOFF.maximumMs);
  }
  const held = node.heldDrained !== undefined;
  // Recorded before the request: an abort or a crash from here on resumes the node.
  node.drainedAt = ctx.now();
  delete node.heldDrained;
  addStep(node, held ? 'drain: still held drained from its failed start check' : 'drain requested in the frontend');
  ctx.changed();
  const out = await acts.drainNode({ nodeId: node.id, drainGraceMs: spec.drainGrace });
  if (out.outcome === 'not-serving' || (out.outcome === 'already-draining' && !held && !out.byRetry)) {
    delete node.drainedAt;
    throw new DrainRefused(
      out.outcome === 'not-serving'
        ? `not drained: the frontend shows it ${out.statusBefore}, so it takes no traffic; approve or resume it there, then retry`
        : 'not drained: someone else drained it in the frontend; resume it there, then retry the node (this rollout resumes only nodes it drained)',
    );
  }
  const models = [...new Set(out.rowsBefore.map((r) => r.model))];
  node.servedModels = models;
  node.reloadedModels = reloaded;
  addStep(
    node,
    out.waitedMs > 0
      ? `drained; waited ${out.waitedMs} ms for requests in flight`
      : `drained; ${out.hadInFlight ? 'requests were in flight' : 'nothing in flight'}`,
  );
  move(NodeEvent.Drained);
  ctx.changed();
}

/** Models whose replicas the frontend reloads on the node after its resume: served there before and scheduled. */
export function modelsToReload(node: NodeStatus): string[] {
  const served = new Set(node.servedModels ?? []);
  for (const key of node.stoppedProcessKeys ?? []) {
    const parsed = parseProcessKey(key);
    if (parsed !== null) served.add(parsed.modelId);
  }
  const reloaded = new Set(node.reloadedModels ?? []);
  return [...served].filter((m) => reloaded.has(m)).sort();
}

/**
 * Resumes a node this rollout drained, whatever happens to the rollout meanwhile (it runs in a
 * non-cancellable scope), and records the outcome. Does nothing for a node it did not drain.
 */
export async function resumeDrained(node: NodeStatus, ctx: DrainContext, why: string): Promise<void> {
  if (node.drainedAt === undefined) return;
  const acts = activitiesFor(ctx.spec);
  await CancellationScope.nonCancellable(async () => {
    const out = await acts.resumeNode({ nodeId: node.id });
    delete node.drainedAt;
    addStep(node, out.outcome === 'resumed' ? `resumed in the frontend (${why})` : `resume: ${out.detail}`);
    ctx.changed();
  });
}

/** The node's new build failed its start check: it stays drained (it cannot serve) and is reported. */
export function holdDrained(node: NodeStatus, ctx: DrainContext): void {
  if (node.drainedAt === undefined) return;
  delete node.drainedAt;
  node.heldDrained = 'its new build failed the start check';
  addStep(node, 'kept drained in the frontend: the new build failed its start check');
  ctx.changed();
}

/**
 * resuming → soaking: resume the node, then wait (bounded by `replicaReadyTimeout`) until the
 * models the frontend reloads by itself have a `loaded` row on it again; the others load on
 * their next request.
 */
export async function resumeAndReload(node: NodeStatus, models: string[], ctx: DrainContext): Promise<void> {
  await resumeDrained(node, ctx, 'upgraded');
  const onRequest = (node.servedModels ?? []).filter((m) => !models.includes(m));
  if (onRequest.length > 0)
    addStep(node, `${onRequest.join(', ')}: no min_replicas in the frontend, will load on the next request`);
  if (models.length === 0) return;
  addStep(node, `waiting for the frontend to reload ${models.join(', ')}`);
  ctx.changed();
  const out = await activitiesFor(ctx.spec).waitModelLoaded({
    nodeId: node.id,
    models,
    timeoutMs: ctx.spec.replicaReadyTimeout,
  });
  addStep(
    node,
    out.missing.length === 0
      ? `replicas loaded again in the frontend after ${out.waitedMs} ms`
      : `not loaded again within ${ctx.spec.replicaReadyTimeout} ms: ${out.missing.join(', ')}`,
  );
}

/**
 * Releases the drain after the node's run ended early: held for a failed start check, else
 * resumed. Never throws: a resume the frontend keeps refusing leaves the node reported as held.
 */
export async function releaseAfter(node: NodeStatus, err: unknown, failureType: string | undefined, ctx: DrainContext) {
  if (node.drainedAt === undefined) return;
  if (!isCancellation(err) && failureType === FailureType.StartCheckFailed) {
    holdDrained(node, ctx);
    return;
  }
  await resumeOrHold(node, ctx, isCancellation(err) ? 'aborted' : 'failed');
}

/** {@link resumeDrained}, except that a resume the frontend keeps refusing leaves the node reported as held. */
export async function resumeOrHold(node: NodeStatus, ctx: DrainContext, why: string): Promise<void> {
  try {
    await resumeDrained(node, ctx, why);
  } catch (resumeErr) {
    delete node.drainedAt;
    const cause = resumeErr instanceof ActivityFailure && resumeErr.cause !== undefined ? resumeErr.cause : resumeErr;
    node.heldDrained = `its resume failed: ${cause instanceof Error ? cause.message : String(cause)}`;
    addStep(node, `not resumed in the frontend: ${node.heldDrained}`);
    ctx.changed();
  }
}
