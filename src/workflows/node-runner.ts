/**
 * One node's upgrade inside the rollout workflow: request, verify, start check, restore the
 * replicas, soak (the steps `domain/node-lifecycle` names) — and, when the request
 * times out or its outcome is unknown, verify-before-resend (PROTOCOL.md §5): poll `verifyNode`
 * with backoff until the upgrade shows as applied or the node's healthy deadline passes, and
 * re-send (same op id) only when the node still reports the old install and has been quiet.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  log,
  patched,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import { FailureType, NON_RETRYABLE_FAILURES } from '../domain/failures.js';
import { restoredEvent, servingWork } from '../domain/node-lifecycle.js';
import { NodeEvent, NodeState, nextNodeState } from '../domain/node-state.js';
import { installSourceOf } from '../domain/install-source.js';
import type { RolloutSpec } from '../domain/spec.js';
import type { LateUpgradeReply, RolloutActivities, UpgradeOutput, VerifyOutput } from '../activities/index.js';
import {
  recordReplicaRestoreFailure,
  recordStartCheckFailure,
  recordUpgradeAttempt,
  recordVerificationPoll,
} from './metrics.js';
import { upgradeActivityOptions } from './activity-options.js';
import { summarised, timerSummary } from './summaries.js';
import { targetCheckOf } from './plan.js';
import { DrainRefused, drainNode, drainsNodes, modelsToReload, releaseAfter, resumeAndReload } from './node-drain.js';
import { recordReplicasBefore, replicasOfUpgrade } from './replica-steps.js';
import { addStep, setError } from './rollout-state.js';
import type { NodeStatus } from './status.js';

/** Backoff of the still-installing verification loop. */
export const STILL_INSTALLING_BACKOFF = { initialMs: 1_000, coefficient: 2, maximumMs: 30_000 } as const;
/** Longest time one verification listens for progress before asking `backend.list`. */
const MAX_LISTEN_MS = 5_000;

/** How long a node must stay silent (no progress, old install) before a re-send: the request timeout, within [10 s, 5 min]. */
export function resendQuietMs(upgradeTimeoutMs: number): number {
  return Math.min(Math.max(upgradeTimeoutMs, 10_000), 300_000);
}

function activitiesFor(spec: RolloutSpec) {
  const upgrade = proxyActivities<RolloutActivities>(upgradeActivityOptions(spec));
  const verify = proxyActivities<RolloutActivities>({
    startToCloseTimeout: MAX_LISTEN_MS + 60_000,
    retry: {
      maximumAttempts: 5,
      initialInterval: 1_000,
      backoffCoefficient: 2,
      maximumInterval: 15_000,
      nonRetryableErrorTypes: [FailureType.InvalidReply],
    },
  });
  const serving = proxyActivities<RolloutActivities>({
    // Each replica (and the probe) may take replicaReadyTimeout to start, and all of them to be listed.
    startToCloseTimeout: 2 * spec.replicaReadyTimeout + 60_000,
    // They heartbeat every 2 s: a worker that dies mid-step is noticed in 30 s, not the whole timeout.
    heartbeatTimeout: 30_000,
    retry: { maximumAttempts: 3, initialInterval: 1_000, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES] },
  });
  const listing = proxyActivities<RolloutActivities>({
    startToCloseTimeout: 60_000,
    retry: { maximumAttempts: 3, initialInterval: 1_000, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES] },
  });
  return {
    /** Called with its summary at the call site, which knows the attempt. */
    upgradeNode: upgrade.upgradeNode,
    verifyNode: summarised(verify.verifyNode, (i) =>
      i.listenMs !== undefined && i.listenMs > 0
        ? `verify ${i.nodeId} (listen ${i.listenMs} ms)`
        : `verify ${i.nodeId}`,
    ),
    startCheck: summarised(serving.startCheck, (i) => `start check ${i.nodeId}`),
    restoreReplicas: summarised(serving.restoreReplicas, (i) => `restore ${i.keys.length} replicas on ${i.nodeId}`),
    stopBackendProcesses: summarised(serving.stopBackendProcesses, (i) => `stop ${i.backend} processes on ${i.nodeId}`),
    runningReplicas: summarised(listing.runningReplicas, (i) => `read replicas of ${i.nodeId}`),
  };
}

/** The `ApplicationFailure` type behind an activity failure, if any. */
export function failureTypeOf(err: unknown): string | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.type ?? undefined;
  if (err instanceof ApplicationFailure) return err.type ?? undefined;
  return undefined;
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause !== undefined) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

function detailsOf(err: unknown): Record<string, unknown> {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const first = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  return typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
}

/** Moves a node through the state machine; an illegal move is a bug and is logged, not thrown. */
export function move(node: NodeStatus, event: NodeEvent): void {
  const next = nextNodeState(node.state, event);
  if (next.ok) node.state = next.state;
  else log.warn('illegal node transition', { nodeId: node.id, message: next.message });
}

/**
 * Patch id of the serving-safe lifecycle (start check and replica restore): histories recorded
 * before it go straight from verification to the soak.
 */
export const SERVING_SAFE_PATCH = 'serving-safe-node-upgrades';

/**
 * Patch id of the pre-upgrade replica set: `models.running` is asked before the upgrade is sent
 * and once it verified, so replicas are restored when the reply's stopped keys were lost, and
 * restarted on the new build after the legacy forced install. Histories recorded before it send
 * the upgrade first and restore only the keys a reply named.
 */
export const PRE_UPGRADE_REPLICAS_PATCH = 'pre-upgrade-replicas';

/** A node failure the rollout records (and counts toward maxFailures). */
class NodeFailed extends Error {}

export interface NodeRunContext {
  spec: RolloutSpec;
  now: () => number;
  changed: () => void;
  /** The node's replicas are serving again (restored); frees its share of the replica budget. */
  markUp: () => void;
  /** Every node of the rollout (the drain guard counts the nodes this rollout holds drained). */
  peers?: () => readonly NodeStatus[];
}

/**
 * Runs one node to a terminal state (or `unknown` when cancelled mid-upgrade). Never throws
 * except for cancellation, which the caller handles.
 */
export async function runNode(node: NodeStatus, ctx: NodeRunContext): Promise<void> {
  const { spec } = ctx;
  const acts = activitiesFor(spec);
  node.startedAt = ctx.now();
  const drainCtx = { ...ctx, peers: ctx.peers ?? (() => []) };
  const drains = drainsNodes(spec);
  if (!drains) move(node, NodeEvent.Start);
  ctx.changed();
  const deadline = node.startedAt + spec.healthyDeadline;
  try {
    if (drains) await drainNode(node, (event) => move(node, event), drainCtx);
    if (node.replicasBefore === undefined && patched(PRE_UPGRADE_REPLICAS_PATCH))
      await recordReplicasBefore(node, ctx.changed, acts);
    const sent = await sendUpgrade(node, ctx, acts);
    const outcome = sent.outcome === 'unknown' ? await verifyBeforeResend(node, ctx, acts, deadline) : sent.outcome;
    if (outcome !== 'applied') {
      move(node, NodeEvent.Replied);
      ctx.changed();
      const verified =
        (sent.outcome === 'replied' ? sent.check : undefined) ?? (await acts.verifyNode(verifyInput(node, spec, 0)));
      judgeVerification(node, verified);
      if (verified.verdict === 'old') {
        // The worker said success, yet still lists the old install: give it until the deadline.
        move(node, NodeEvent.Unverified);
        addStep(node, 'replied success but still lists the old install; verifying');
        ctx.changed();
        await verifyBeforeResend(node, ctx, acts, deadline);
      }
    }
    move(node, NodeEvent.Verified);
    addStep(node, `verified: ${node.after?.version ?? node.after?.installedAt ?? 'new install'}`);
    ctx.changed();
    await serve(node, ctx, acts);
    node.finishedAt = ctx.now();
  } catch (err) {
    await releaseAfter(node, err, failureTypeOf(err), drainCtx);
    if (isCancellation(err)) throw err;
    node.finishedAt = ctx.now();
    setError(node, err instanceof NodeFailed || err instanceof DrainRefused ? err.message : failureMessage(err));
    addStep(node, `failed: ${node.lastError ?? ''}`);
    move(node, NodeEvent.Fail);
  } finally {
    ctx.changed();
  }
}

/**
 * Patch id of the unreachable grace: a node with no responders on both subjects is re-sent with
 * backoff for `unreachableGrace` before it fails. Histories recorded before it fail at once.
 */
export const UNREACHABLE_GRACE_PATCH = 'unreachable-grace';

/** Backoff between sends to a node that got no responders. */
export const UNREACHABLE_BACKOFF = { initialMs: 1_000, coefficient: 2, maximumMs: 30_000 } as const;

/**
 * Runs `send` and, while it fails with no responders on both subjects and the node's
 * `unreachableGrace` lasts, sleeps with backoff and runs it again (nothing reached the node, so the
 * same op id is safe to re-send). The node shows `unreachableSince` meanwhile, which the rollout
 * rules count; any other outcome clears it.
 */
async function withUnreachableGrace<T>(node: NodeStatus, ctx: NodeRunContext, send: () => Promise<T>): Promise<T> {
  const answered = (): void => {
    if (node.unreachableSince === undefined) return;
    delete node.unreachableSince;
    ctx.changed();
  };
  let delay: number = UNREACHABLE_BACKOFF.initialMs;
  for (;;) {
    try {
      const out = await send();
      answered();
      return out;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const since = node.unreachableSince ?? ctx.now();
      const left = since + ctx.spec.unreachableGrace - ctx.now();
      if (failureTypeOf(err) !== FailureType.NodeUnreachable || left <= 0 || !patched(UNREACHABLE_GRACE_PATCH)) {
        answered();
        throw err;
      }
      node.unreachableSince = since;
      const wait = Math.min(delay, left);
      addStep(node, `no responders on backend.upgrade nor backend.install; re-sending in ${wait} ms`);
      ctx.changed();
      await sleep(wait, { summary: timerSummary(`wait for ${node.id} to answer again`, wait) });
      delay = Math.min(delay * UNREACHABLE_BACKOFF.coefficient, UNREACHABLE_BACKOFF.maximumMs);
    }
  }
}

/** What sending produced: a reply (with the `backend.list` check run right after it, when it could run) or an unknown outcome. */
type Sent = { outcome: 'replied'; check: VerifyOutput | undefined } | { outcome: 'unknown' };

async function sendUpgrade(
  node: NodeStatus,
  ctx: NodeRunContext,
  acts: ReturnType<typeof activitiesFor>,
): Promise<Sent> {
  const { spec } = ctx;
  node.attempts += 1;
  recordUpgradeAttempt(spec.backend, node.attempts);
  addStep(node, `attempt ${node.attempts}: backend.upgrade sent (op ${node.opId ?? '?'})`);
  ctx.changed();
  try {
    const summary = `upgrade ${node.id} (attempt ${node.attempts})`;
    const out: UpgradeOutput = await withUnreachableGrace(node, ctx, () =>
      acts.upgradeNode.executeWithOptions({ summary }, [
        {
          nodeId: node.id,
          backend: spec.backend,
          opId: node.opId ?? node.id,
          timeoutMs: spec.upgradeTimeout,
          ...installSourceOf(spec),
          verifyAfter: {
            ...targetCheckOf(node, spec),
            before: node.before ?? {},
            ...(spec.targetVersion !== undefined ? { targetVersion: spec.targetVersion } : {}),
          },
        },
      ]),
    );
    node.fallback = node.fallback || out.fallback;
    if (out.reportsStoppedProcesses) node.stoppedProcessKeys = out.stoppedProcessKeys;
    if (out.lastProgressPct !== undefined) node.pct = out.lastProgressPct;
    addStep(node, out.fallback ? 'legacy backend.install (force) replied success' : 'backend.upgrade replied success');
    return {
      outcome: 'replied',
      check: out.verification === undefined ? undefined : { ...out.verification, progressEvents: 0 },
    };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const type = failureTypeOf(err);
    const details = detailsOf(err);
    if (details['fallback'] === true) node.fallback = true;
    const stopped = details['stoppedProcessKeys'];
    if (Array.isArray(stopped) && stopped.length > 0) node.stoppedProcessKeys = stopped.map(String);
    if (type === FailureType.WorkerStillInstalling) {
      move(node, NodeEvent.TimedOut);
      addStep(node, `outcome unknown: ${failureMessage(err)}`);
      ctx.changed();
      return { outcome: 'unknown' };
    }
    throw new NodeFailed(failureMessage(err));
  }
}

function verifyInput(node: NodeStatus, spec: RolloutSpec, listenMs: number) {
  return {
    nodeId: node.id,
    backend: spec.backend,
    before: node.before ?? {},
    ...targetCheckOf(node, spec),
    listenMs,
    ...(node.opId !== undefined ? { opId: node.opId } : {}),
    ...(spec.targetVersion !== undefined ? { targetVersion: spec.targetVersion } : {}),
  };
}

function judgeVerification(node: NodeStatus, v: VerifyOutput): void {
  if (v.installed !== undefined) node.after = v.installed;
  if (v.verdict === 'applied' && v.decidedBy !== undefined) addStep(node, `${v.detail} (decided by ${v.decidedBy})`);
  if (v.verdict === 'mismatch') throw new NodeFailed(`verify mismatch: ${v.detail}`);
  if (v.verdict === 'missing') throw new NodeFailed(`verify failed: ${v.detail}`);
}

/**
 * Patch id of reading the upgrade's late reply during verification: its stopped process keys are
 * recorded (so those replicas are restored) and a late rejection fails the node.
 */
export const LATE_REPLY_PATCH = 'late-upgrade-reply';

/** Records what the upgrade's reply said when it came after the request timed out. */
function takeLateReply(node: NodeStatus, late: LateUpgradeReply): void {
  if (late.kind === 'malformed') {
    addStep(node, `late reply to backend.upgrade ignored: ${late.error}`);
    return;
  }
  if (late.stoppedProcessKeys !== undefined) node.stoppedProcessKeys = late.stoppedProcessKeys;
  const stopped =
    late.stoppedProcessKeys === undefined
      ? 'stopped processes not reported'
      : `stopped ${late.stoppedProcessKeys.length === 0 ? 'no processes' : late.stoppedProcessKeys.join(', ')}`;
  addStep(node, `late reply to backend.upgrade: ${late.success ? 'success' : 'failed'}; ${stopped}`);
  if (!late.success)
    throw new NodeFailed(
      `${node.id} rejected the upgrade (reply after the timeout): ${late.error ?? '(no error text)'}`,
    );
}

async function verifyBeforeResend(
  node: NodeStatus,
  ctx: NodeRunContext,
  acts: ReturnType<typeof activitiesFor>,
  deadline: number,
): Promise<'applied'> {
  const { spec } = ctx;
  const quietMs = resendQuietMs(spec.upgradeTimeout);
  let delay: number = STILL_INSTALLING_BACKOFF.initialMs;
  let lastSignOfLife = ctx.now();
  let lateReplySeen = false;
  for (;;) {
    if (ctx.now() >= deadline) {
      throw new NodeFailed(
        `healthy deadline passed: the upgrade was not verified within ${spec.healthyDeadline} ms (attempts: ${node.attempts})`,
      );
    }
    const listenMs = Math.min(delay, MAX_LISTEN_MS, Math.max(0, deadline - ctx.now()));
    const v = await acts.verifyNode(verifyInput(node, spec, listenMs));
    recordVerificationPoll(spec.backend, v.verdict);
    if (v.lateReply !== undefined && !lateReplySeen && patched(LATE_REPLY_PATCH)) {
      lateReplySeen = true;
      takeLateReply(node, v.lateReply);
    }
    if (v.progressEvents > 0) {
      lastSignOfLife = ctx.now();
      if (v.lastProgressPct !== undefined) node.pct = v.lastProgressPct;
    }
    judgeVerification(node, v);
    if (v.verdict === 'applied') {
      addStep(node, 'verified as applied without a re-send');
      return 'applied';
    }
    const quietFor = ctx.now() - lastSignOfLife;
    if (quietFor >= quietMs && node.attempts < spec.maxAttempts) {
      addStep(node, `old install and no progress for ${quietFor} ms: re-sending`);
      move(node, NodeEvent.Resend);
      const resent = await sendUpgrade(node, ctx, acts);
      lateReplySeen = false;
      if (resent.outcome === 'replied') {
        move(node, NodeEvent.Replied);
        const after = resent.check ?? (await acts.verifyNode(verifyInput(node, spec, 0)));
        judgeVerification(node, after);
        if (after.verdict === 'applied') return 'applied';
        move(node, NodeEvent.Unverified);
      }
      lastSignOfLife = ctx.now();
      delay = STILL_INSTALLING_BACKOFF.initialMs;
      continue;
    }
    addStep(node, `still installing? ${v.detail}; next check in ${delay} ms`);
    ctx.changed();
    const wait = Math.min(delay, Math.max(0, deadline - ctx.now()));
    if (wait > 0) await sleep(wait, { summary: timerSummary(`wait for ${node.id} to finish installing`, wait) });
    delay = Math.min(delay * STILL_INSTALLING_BACKOFF.coefficient, STILL_INSTALLING_BACKOFF.maximumMs);
  }
}

/**
 * From verified to succeeded: runs what `servingWork` names for each state (start check, restore,
 * soak) and records each step. Rollouts recorded before the patch skip the start check and the
 * restore, as that code did.
 */
async function serve(node: NodeStatus, ctx: NodeRunContext, acts: ReturnType<typeof activitiesFor>): Promise<void> {
  const { spec } = ctx;
  const serving = patched(SERVING_SAFE_PATCH);
  const facts = {
    startCheck: serving && spec.startCheck,
    stoppedKeys: serving ? node.stoppedProcessKeys : [],
    fallback: node.fallback,
    minHealthyTime: spec.minHealthyTime,
    drained: node.drainedAt !== undefined,
    reloadedModels: modelsToReload(node),
  };
  let replicasKnown = false;
  for (;;) {
    if (node.state === NodeState.Restoring && serving && !replicasKnown && patched(PRE_UPGRADE_REPLICAS_PATCH)) {
      facts.stoppedKeys = await replicasOfUpgrade(node, spec, acts);
      replicasKnown = true;
    }
    const work = servingWork(node.state, facts);
    if (work === undefined) return;
    switch (work.kind) {
      case 'start-check': {
        addStep(node, 'start check: probe process from the new build');
        ctx.changed();
        const probe = await acts
          .startCheck({
            nodeId: node.id,
            backend: spec.backend,
            opId: node.opId ?? node.id,
            readyTimeoutMs: spec.replicaReadyTimeout,
          })
          .catch((err: unknown) => {
            if (failureTypeOf(err) === FailureType.StartCheckFailed) recordStartCheckFailure(spec.backend);
            throw err;
          });
        addStep(node, `start check passed (probe ${probe.probeKey} ${probe.stopConfirmed ? 'stopped' : 'stop sent'})`);
        move(node, NodeEvent.Started);
        break;
      }
      case 'restore': {
        addStep(node, `restoring ${work.keys.length} replicas: ${work.keys.join(', ')}`);
        ctx.changed();
        const out = await acts
          .restoreReplicas({
            nodeId: node.id,
            backend: spec.backend,
            keys: work.keys,
            readyTimeoutMs: spec.replicaReadyTimeout,
          })
          .catch((err: unknown) => {
            if (failureTypeOf(err) === FailureType.ReplicaRestoreFailed) recordReplicaRestoreFailure(spec.backend);
            throw err;
          });
        node.replicasRestored = out.restored.length;
        addStep(
          node,
          `replicas restored: ${out.restored.length}${out.listed ? '' : ' (not confirmed: no models.running)'}`,
        );
        move(node, restoredEvent(facts));
        break;
      }
      case 'resume':
        await resumeAndReload(node, work.models, { ...ctx, peers: ctx.peers ?? (() => []) });
        move(node, NodeEvent.Resumed);
        break;
      case 'soak':
        await sleep(work.ms, { summary: timerSummary(`soak ${node.id}`, work.ms) });
        move(node, NodeEvent.Soaked);
        break;
      case 'pass':
        addStep(node, work.step);
        move(node, work.event);
        break;
    }
    if (node.state === NodeState.Soaking) ctx.markUp();
    ctx.changed();
  }
}
