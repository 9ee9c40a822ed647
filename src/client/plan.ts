/**
 * A dry run of a rollout's first steps, without Temporal: resolve the target (gallery index and
 * registry, or the explicit flags), discover over NATS which targets report the backend
 * (`backend.list`, `models.running` for replicas the inventory does not give), leave out the nodes
 * already on the target, then plan the waves with the same pure functions the workflow uses.
 * Upgrades nothing.
 */
import type { NatsConnection } from 'nats';
import { allowedFailures, replicaBudget } from '../domain/budget.js';
import { planWaves, type WaveKind } from '../domain/planner.js';
import type { RolloutSpecInput } from '../domain/spec.js';
import type { TargetNode } from '../domain/targets.js';
import { summariseDrift, type Drift, type UpgradeTarget } from '../domain/upgrade-target.js';
import { isWindowOpen, nextWindowOpen } from '../domain/window.js';
import { discoverNodes, LIST_TIMEOUT_MS } from '../activities/discover.js';
import type { InstalledRecord } from '../activities/types.js';
import { createLogger } from '../log.js';
import type { OciClient } from '../oci/index.js';
import { comparePlanNodes, resolvePlanTarget, type PlannedComparison } from './plan-target.js';
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
  /** Meta backends: the concrete backend the node reports (its record is `installed`). */
  concrete?: string;
  /** The node against the rollout's target, when one is known. */
  comparison?: PlannedComparison;
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
  /** What the rollout would upgrade to, when anything names it (gallery index, registry, explicit flags). */
  target?: UpgradeTarget;
  /** Nodes that already run the target: no request is sent to them (without `force`). */
  upToDate: PlannedNode[];
  /** The build most discovered nodes run, and the nodes that disagree with it. */
  drift: Drift;
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
  /** The registry client the target's digest is resolved with. @default a new OciClient */
  oci?: OciClient;
}

async function discover(
  nc: NatsConnection,
  backend: string,
  targets: readonly TargetNode[],
  options: PlanRolloutOptions,
  concretes: readonly string[],
) {
  const out = await discoverNodes(
    { nc, log: createLogger({ level: 'silent' }), listTimeoutMs: options.listTimeoutMs ?? LIST_TIMEOUT_MS },
    {
      backend,
      nodeIds: targets.map((t) => t.id),
      askReplicas: targets.filter((t) => t.replicas === undefined).map((t) => t.id),
      concurrency: options.concurrency ?? 32,
      ...(concretes.length > 0 ? { concretes: [...concretes] } : {}),
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
      ...(node.concrete !== undefined ? { concrete: node.concrete } : {}),
      ...(target.replicas === undefined && node.replicasUnknown === true ? { replicasUnknown: true } : {}),
    });
  }
  const skipped = out.skipped.map((s) => ({ id: s.id, reason: `${s.kind}: ${s.reason}` }));
  return { found, skipped };
}

/**
 * Plans a rollout of `spec` against the live fleet. Nodes already on the target are listed in
 * `upToDate` and left out of the waves, unless the spec forces the upgrade.
 * @throws InvalidSpecError for an invalid spec or colliding node ids (before any request), and
 * (field `target`) when the target cannot be resolved.
 */
export async function planRollout(
  nc: NatsConnection,
  input: RolloutSpecInput,
  options: PlanRolloutOptions = {},
): Promise<RolloutPlan> {
  const { spec, targets, excluded } = checkRolloutSpec(input);
  const target = await resolvePlanTarget(spec, options.oci);
  const discovered = await discover(nc, spec.backend, targets, options, Object.keys(target?.concretes ?? {}));
  const kept = targets.flatMap((t) => discovered.found.get(t.id) ?? []);
  if (target !== undefined) {
    const comparisons = comparePlanNodes(kept, target, spec.force === true);
    for (const node of kept) {
      const comparison = comparisons.get(node.id);
      if (comparison !== undefined) node.comparison = comparison;
    }
  }
  const toUpgrade = kept.filter((n) => n.comparison?.upgrade !== false);
  const waves = planWaves(
    toUpgrade.map((n) => n.id),
    { canaryNodes: spec.canary?.nodes, batches: spec.batches },
  );
  const totalReplicas = toUpgrade.reduce((sum, n) => sum + n.replicas, 0);
  const order = new Map(targets.map((t, i) => [t.id, i]));
  const plan: RolloutPlan = {
    backend: spec.backend,
    waves: waves.map((w) => ({ kind: w.kind, nodes: w.nodeIds.map((id) => discovered.found.get(id) as PlannedNode) })),
    skipped: [...excluded, ...discovered.skipped.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))],
    upToDate: kept.filter((n) => n.comparison?.upgrade === false),
    drift: summariseDrift(kept),
    maxParallel: spec.maxParallel,
    replicaBudget: replicaBudget(totalReplicas, spec.maxUnavailable),
    totalReplicas,
    allowedFailures: allowedFailures(toUpgrade.length, spec.maxFailures),
  };
  if (target !== undefined) plan.target = target;
  if (spec.window !== undefined) {
    const now = options.now ?? Date.now();
    const open = isWindowOpen(spec.window, now);
    plan.window = open ? { open } : { open, opensAt: nextWindowOpen(spec.window, now) };
  }
  return plan;
}
