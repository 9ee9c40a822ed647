/**
 * A dry run of a rollout's first steps, without Temporal: resolve the target (gallery index and
 * registry, or the explicit flags), discover over NATS which targets report the backend
 * (`backend.list`, `models.running` for replicas the inventory does not give), leave out the nodes
 * already on the target, then plan the waves with the same pure functions the workflow uses.
 * Upgrades nothing.
 */
import type { NatsConnection } from 'nats';
import { buildPlan, isUpToDate, type DiscoveryAnswers, type PlannedNode } from '../domain/plan.js';
import type { WaveKind } from '../domain/planner.js';
import type { RolloutSpec, RolloutSpecInput } from '../domain/spec.js';
import type { ExcludedNode, TargetNode } from '../domain/targets.js';
import type { Drift, UpgradeTarget } from '../domain/upgrade-target.js';
import { isWindowOpen, nextWindowOpen } from '../domain/window.js';
import { discoverNodes, LIST_TIMEOUT_MS } from '../nats/discovery.js';
import { createLogger } from '../log.js';
import type { OciClient } from '../oci/index.js';
import { resolvePlanTarget } from './plan-target.js';
import { checkedRolloutSpec, type CheckedRolloutSpec } from './spec-check.js';

export type { PlannedComparison, PlannedNode } from '../domain/plan.js';

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

function discover(
  nc: NatsConnection,
  backend: string,
  targets: readonly TargetNode[],
  options: PlanRolloutOptions,
  concretes: readonly string[],
): Promise<DiscoveryAnswers> {
  return discoverNodes(
    { nc, log: createLogger({ level: 'silent' }), listTimeoutMs: options.listTimeoutMs ?? LIST_TIMEOUT_MS },
    {
      backend,
      nodeIds: targets.map((t) => t.id),
      askReplicas: targets.filter((t) => t.replicas === undefined).map((t) => t.id),
      concurrency: options.concurrency ?? 32,
      ...(concretes.length > 0 ? { concretes: [...concretes] } : {}),
    },
  );
}

/**
 * The dry run's plan from discovery's answers: the domain's plan (the one the workflow follows),
 * with each wave's nodes spelled out, the maximum parallelism, and the window as of `now`.
 */
export function dryRunPlan(
  spec: RolloutSpec,
  selection: { targets: readonly TargetNode[]; excluded: readonly ExcludedNode[] },
  discovered: DiscoveryAnswers,
  target: UpgradeTarget | undefined,
  now: number,
): RolloutPlan {
  const built = buildPlan({ spec, ...selection, discovered, target });
  const byId = new Map(built.nodes.map((n) => [n.id, n]));
  const plan: RolloutPlan = {
    backend: spec.backend,
    waves: built.waves.map((w) => ({ kind: w.kind, nodes: w.ids.map((id) => byId.get(id) as PlannedNode) })),
    skipped: built.skipped,
    upToDate: built.nodes.filter(isUpToDate),
    drift: built.drift,
    maxParallel: spec.maxParallel,
    replicaBudget: built.replicaBudget,
    totalReplicas: built.totalReplicas,
    allowedFailures: built.allowedFailures,
  };
  if (target !== undefined) plan.target = target;
  if (spec.window !== undefined) {
    const open = isWindowOpen(spec.window, now);
    plan.window = open ? { open } : { open, opensAt: nextWindowOpen(spec.window, now) };
  }
  return plan;
}

/**
 * Plans a rollout of `spec` against the live fleet. Nodes already on the target are listed in
 * `upToDate` and left out of the waves, unless the spec forces the upgrade.
 * @throws InvalidSpecError for an invalid spec or colliding node ids (before any request), and
 * (field `target`) when the target cannot be resolved.
 */
export async function planRollout(
  nc: NatsConnection,
  input: RolloutSpecInput | CheckedRolloutSpec,
  options: PlanRolloutOptions = {},
): Promise<RolloutPlan> {
  const { spec, targets, excluded } = checkedRolloutSpec(input);
  const target = await resolvePlanTarget(spec, options.oci);
  const discovered = await discover(nc, spec.backend, targets, options, Object.keys(target?.concretes ?? {}));
  return dryRunPlan(spec, { targets, excluded }, discovered, target, options.now ?? Date.now());
}
