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
import { discoverNodes, LIST_TIMEOUT_MS } from '../activities/discover.js';
import type { InstalledRecord } from '../activities/types.js';
import { createLogger } from '../log.js';
import { checkRolloutSpec } from './spec-check.js';

/** A node of the plan. */
export interface PlannedNode {
  id: string;
  name: string;
  zone: string;
  replicas: number;
  /** What the node reports for the backend now. */
  installed: InstalledRecord;
  /** No `models.running` (asked only without inventory replicas): expected to take the legacy install fallback. */
  legacy?: boolean;
  /**
   * Neither `models.running` nor the inventory gave a replica count (`replicas` is 0 for want of
   * one): the rollout upgrades this node only while no other replica is down.
   */
  replicasUnknown?: boolean;
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

async function discover(
  nc: NatsConnection,
  backend: string,
  targets: readonly TargetNode[],
  options: PlanRolloutOptions,
) {
  const out = await discoverNodes(
    { nc, log: createLogger({ level: 'silent' }), listTimeoutMs: options.listTimeoutMs ?? LIST_TIMEOUT_MS },
    {
      backend,
      nodeIds: targets.map((t) => t.id),
      askReplicas: targets.filter((t) => t.replicas === undefined).map((t) => t.id),
      concurrency: options.concurrency ?? 32,
    },
  );
  const byId = new Map(targets.map((t) => [t.id, t]));
  const found = new Map<string, PlannedNode>();
  for (const node of out.found) {
    const target = byId.get(node.id);
    if (target === undefined) continue;
    found.set(node.id, {
      id: node.id,
      name: target.name,
      zone: target.zone,
      replicas: target.replicas ?? node.replicas ?? 0,
      installed: node.installed,
      ...(node.legacy === true ? { legacy: true } : {}),
      ...(target.replicas === undefined && node.replicasUnknown === true ? { replicasUnknown: true } : {}),
    });
  }
  const skipped = out.skipped.map((s) => ({ id: s.id, reason: `${s.kind}: ${s.reason}` }));
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
