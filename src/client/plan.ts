/**
 * A dry run of a rollout's first two steps, without Temporal: discover over NATS which targets
 * report the backend (`backend.list`, `models.running` for replicas the inventory does not give),
 * then plan the waves with the same pure functions the workflow uses. Upgrades nothing.
 */
import type { NatsConnection } from 'nats';
import { allowedFailures, replicaBudget } from '../domain/budget.js';
import { planWaves, type WaveKind } from '../domain/planner.js';
import type { RolloutSpecInput } from '../domain/spec.js';
import type { TargetNode } from '../domain/targets.js';
import { isWindowOpen, nextWindowOpen } from '../domain/window.js';
import { forEachBounded, LIST_TIMEOUT_MS } from '../activities/discover.js';
import { installedRecordOf } from '../activities/installed.js';
import { DiscoverySkip, type InstalledRecord } from '../activities/types.js';
import { NatsRequestError, RequestFailure, requestMessage } from '../nats/index.js';
import { MessageType, subjects } from '../protocol/index.js';
import { checkRolloutSpec } from './spec-check.js';

/** A node of the plan. */
export interface PlannedNode {
  id: string;
  name: string;
  zone: string;
  replicas: number;
  /** What the node reports for the backend now. */
  installed: InstalledRecord;
}

/** The plan a rollout of the spec would follow now. */
export interface RolloutPlan {
  backend: string;
  waves: { kind: WaveKind; nodes: PlannedNode[] }[];
  /** Candidates left out, and why (excluded, not installed, unreachable, bad reply). */
  skipped: { id: string; reason: string }[];
  maxParallel: number;
  /** Replicas allowed down at once, of `totalReplicas`. */
  replicaBudget: number;
  totalReplicas: number;
  /** Failed nodes tolerated before `onFailure` acts. */
  allowedFailures: number;
  /** With a maintenance window: whether it is open now, and when it opens next (epoch ms). */
  window?: { open: boolean; opensAt?: number };
}

/** Options of {@link planRollout}. */
export interface PlanRolloutOptions {
  /** Concurrent `backend.list` requests. @default 32 */
  concurrency?: number;
  /** `backend.list` timeout per node. @default 30000 (LocalAI's) */
  listTimeoutMs?: number;
  /** The instant the window is judged at. @default Date.now() */
  now?: number;
}

async function countReplicas(nc: NatsConnection, id: string, timeoutMs: number): Promise<number> {
  try {
    const reply = await requestMessage(
      nc,
      subjects.modelsRunning(id),
      MessageType.ModelsRunningRequest,
      {},
      MessageType.ModelsRunningReply,
      timeoutMs,
    );
    return reply.models.length;
  } catch {
    return 0;
  }
}

async function discover(
  nc: NatsConnection,
  backend: string,
  targets: readonly TargetNode[],
  options: PlanRolloutOptions,
) {
  const found = new Map<string, PlannedNode>();
  const skipped: { id: string; reason: string }[] = [];
  const timeoutMs = options.listTimeoutMs ?? LIST_TIMEOUT_MS;
  await forEachBounded(targets, options.concurrency ?? 32, async (target) => {
    try {
      const reply = await requestMessage(
        nc,
        subjects.list(target.id),
        MessageType.BackendListRequest,
        {},
        MessageType.BackendListReply,
        timeoutMs,
      );
      const entry = reply.backends.find((b) => b.name === backend);
      if (entry === undefined) {
        const failed = reply.error !== undefined && reply.error !== '';
        const reason = failed
          ? `${DiscoverySkip.BadReply}: backend.list failed on the node: ${reply.error}`
          : `${DiscoverySkip.NotInstalled}: ${backend} is not installed on this node`;
        skipped.push({ id: target.id, reason });
        return;
      }
      const replicas = target.replicas ?? (await countReplicas(nc, target.id, Math.min(timeoutMs, 10_000)));
      found.set(target.id, {
        id: target.id,
        name: target.name,
        zone: target.zone,
        replicas,
        installed: installedRecordOf(entry),
      });
    } catch (err) {
      if (!(err instanceof NatsRequestError)) throw err;
      const kind = err.kind === RequestFailure.MalformedReply ? DiscoverySkip.BadReply : DiscoverySkip.Unreachable;
      skipped.push({ id: target.id, reason: `${kind}: ${err.message}` });
    }
  });
  return { found, skipped };
}

/**
 * Plans a rollout of `spec` against the live fleet.
 * @throws InvalidSpecError for an invalid spec or colliding node ids (before any request).
 */
export async function planRollout(
  nc: NatsConnection,
  input: RolloutSpecInput,
  options: PlanRolloutOptions = {},
): Promise<RolloutPlan> {
  const { spec, targets, excluded } = checkRolloutSpec(input);
  const discovered = await discover(nc, spec.backend, targets, options);
  const kept = targets.filter((t) => discovered.found.has(t.id));
  const waves = planWaves(
    kept.map((t) => t.id),
    { canaryNodes: spec.canary?.nodes, batches: spec.batches },
  );
  const totalReplicas = [...discovered.found.values()].reduce((sum, n) => sum + n.replicas, 0);
  const order = new Map(targets.map((t, i) => [t.id, i]));
  const plan: RolloutPlan = {
    backend: spec.backend,
    waves: waves.map((w) => ({ kind: w.kind, nodes: w.nodeIds.map((id) => discovered.found.get(id) as PlannedNode) })),
    skipped: [...excluded, ...discovered.skipped.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))],
    maxParallel: spec.maxParallel,
    replicaBudget: replicaBudget(totalReplicas, spec.maxUnavailable),
    totalReplicas,
    allowedFailures: allowedFailures(kept.length, spec.maxFailures),
  };
  if (spec.window !== undefined) {
    const now = options.now ?? Date.now();
    const open = isWindowOpen(spec.window, now);
    plan.window = open ? { open } : { open, opensAt: nextWindowOpen(spec.window, now) };
  }
  return plan;
}
