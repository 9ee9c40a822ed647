/**
 * One node's upgrade inside the rollout workflow: request, verify, soak — and, when the request
 * times out or its outcome is unknown, verify-before-resend (PROTOCOL.md §5): poll `verifyNode`
 * with backoff until the upgrade shows as applied or the node's healthy deadline passes, and
 * re-send (same op id) only when the node still reports the old install and has been quiet.
 */
import { ActivityFailure, ApplicationFailure, isCancellation, log, proxyActivities, sleep } from '@temporalio/workflow';
import { FailureType, NON_RETRYABLE_FAILURES } from '../domain/failures.js';
import { NodeEvent, nextNodeState } from '../domain/node-state.js';
import type { RolloutSpec } from '../domain/spec.js';
import type { RolloutActivities, UpgradeOutput, VerifyOutput } from '../activities/index.js';
import { targetCheckOf } from './plan.js';
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
  const upgrade = proxyActivities<RolloutActivities>({
    // Room for the upgrade request and, on no responders, the legacy install with the same timeout.
    startToCloseTimeout: 2 * spec.upgradeTimeout + 60_000,
    heartbeatTimeout: 30_000,
    retry: { maximumAttempts: 3, initialInterval: 1_000, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES] },
  });
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
  return { upgradeNode: upgrade.upgradeNode, verifyNode: verify.verifyNode };
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

/** A node failure the rollout records (and counts toward maxFailures). */
class NodeFailed extends Error {}

export interface NodeRunContext {
  spec: RolloutSpec;
  now: () => number;
  changed: () => void;
  /** The node's replicas are serving again (it verified); frees its share of the replica budget. */
  markUp: () => void;
}

/**
 * Runs one node to a terminal state (or `unknown` when cancelled mid-upgrade). Never throws
 * except for cancellation, which the caller handles.
 */
export async function runNode(node: NodeStatus, ctx: NodeRunContext): Promise<void> {
  const { spec } = ctx;
  const acts = activitiesFor(spec);
  node.startedAt = ctx.now();
  move(node, NodeEvent.Start);
  ctx.changed();
  const deadline = node.startedAt + spec.healthyDeadline;
  try {
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
        node.state = 'unknown';
        addStep(node, 'replied success but still lists the old install; verifying');
        ctx.changed();
        await verifyBeforeResend(node, ctx, acts, deadline);
      }
    }
    move(node, NodeEvent.Verified);
    ctx.markUp();
    addStep(node, `verified: ${node.after?.version ?? node.after?.installedAt ?? 'new install'}`);
    ctx.changed();
    if (spec.minHealthyTime > 0) await sleep(spec.minHealthyTime);
    move(node, NodeEvent.Soaked);
    node.finishedAt = ctx.now();
  } catch (err) {
    if (isCancellation(err)) throw err;
    node.finishedAt = ctx.now();
    setError(node, err instanceof NodeFailed ? err.message : failureMessage(err));
    addStep(node, `failed: ${node.lastError ?? ''}`);
    move(node, NodeEvent.Fail);
  } finally {
    ctx.changed();
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
  addStep(node, `attempt ${node.attempts}: backend.upgrade sent (op ${node.opId ?? '?'})`);
  ctx.changed();
  try {
    const out: UpgradeOutput = await acts.upgradeNode({
      nodeId: node.id,
      backend: spec.backend,
      opId: node.opId ?? node.id,
      timeoutMs: spec.upgradeTimeout,
      ...(spec.galleries !== undefined ? { galleries: spec.galleries } : {}),
      ...(spec.uri !== undefined ? { uri: spec.uri } : {}),
      ...(spec.name !== undefined ? { name: spec.name } : {}),
      ...(spec.alias !== undefined ? { alias: spec.alias } : {}),
      verifyAfter: {
        ...targetCheckOf(node, spec),
        before: node.before ?? {},
        ...(spec.targetVersion !== undefined ? { targetVersion: spec.targetVersion } : {}),
      },
    });
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
    if (detailsOf(err)['fallback'] === true) node.fallback = true;
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
  for (;;) {
    if (ctx.now() >= deadline) {
      throw new NodeFailed(
        `healthy deadline passed: the upgrade was not verified within ${spec.healthyDeadline} ms (attempts: ${node.attempts})`,
      );
    }
    const listenMs = Math.min(delay, MAX_LISTEN_MS, Math.max(0, deadline - ctx.now()));
    const v = await acts.verifyNode(verifyInput(node, spec, listenMs));
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
      if (resent.outcome === 'replied') {
        move(node, NodeEvent.Replied);
        const after = resent.check ?? (await acts.verifyNode(verifyInput(node, spec, 0)));
        judgeVerification(node, after);
        if (after.verdict === 'applied') return 'applied';
        node.state = 'unknown';
      }
      lastSignOfLife = ctx.now();
      delay = STILL_INSTALLING_BACKOFF.initialMs;
      continue;
    }
    addStep(node, `still installing? ${v.detail}; next check in ${delay} ms`);
    ctx.changed();
    const wait = Math.min(delay, Math.max(0, deadline - ctx.now()));
    if (wait > 0) await sleep(wait);
    delay = Math.min(delay * STILL_INSTALLING_BACKOFF.coefficient, STILL_INSTALLING_BACKOFF.maximumMs);
  }
}
