/**
 * The plan of a rollout, from what discovery learned: which targets report the backend, which of
 * them already run the target, the waves of the rest, the nodes left out and why, and the budgets.
 * One pure function for both the dry run (`plan`) and the rollout workflow, so the dry run shows
 * what `start` will do.
 */
import { allowedFailures, replicaBudget } from './budget.js';
import { planWaves, type WaveKind } from './planner.js';
import type { RolloutSpec } from './spec.js';
import type { ExcludedNode, TargetNode } from './targets.js';
import {
  buildFor,
  compareNodes,
  summariseDrift,
  type Build,
  type Drift,
  type NodeComparison,
  type UpgradeTarget,
} from './upgrade-target.js';
import type { InstalledRecord } from './verification.js';

/** One node that reports the backend, as discovery saw it. */
export interface DiscoveredNode {
  id: string;
  installed: InstalledRecord;
  /** Meta backends: the concrete backend the node reports (its record is `installed`). */
  concrete?: string;
  /** Replicas counted with `models.running` (only for ids whose replica count was asked). */
  replicas?: number;
  /** `models.running` had no responders: a worker that predates `backend.upgrade`, upgraded through the legacy install. */
  legacy?: boolean;
  /** `models.running` was asked and did not answer: `replicas` is 0 for want of a count. */
  replicasUnknown?: boolean;
}

/** Why discovery left a candidate out. */
export const DiscoverySkip = {
  NotInstalled: 'not-installed',
  Unreachable: 'unreachable',
  BadReply: 'bad-reply',
} as const;
export type DiscoverySkip = (typeof DiscoverySkip)[keyof typeof DiscoverySkip];

/** What discovery asks. */
export interface DiscoveryRequest {
  backend: string;
  nodeIds: string[];
  /** Node ids whose replica count is not in the inventory: ask `models.running`. */
  askReplicas: string[];
  /** Concurrent `backend.list` requests. @default 32 */
  concurrency?: number;
  /** Meta backends: the concrete names the gallery maps it to; the node's entry among them is recorded. */
  concretes?: string[];
}

/** What discovery answered, in any order. */
export interface DiscoveryAnswers {
  found: DiscoveredNode[];
  skipped: { id: string; kind: DiscoverySkip; reason: string }[];
}

/** What a node of the plan is compared against, and the outcome. */
export interface PlannedComparison {
  /** The build the node must reach (its concrete's for a meta backend). */
  target?: Build;
  /** The node already runs the target. */
  matches: boolean;
  /** The node gets the upgrade (it does not match, or `force`). */
  upgrade: boolean;
  /** The field that decided: `version`, `digest`, `uri`, or `none`. */
  decidedBy: string;
  /** A readable sentence, e.g. `digest sha256:ab… ≠ target sha256:cd…`. */
  detail: string;
}

/** A node of the plan: a target that reports the backend. */
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

/** A candidate left out of the plan, and why. */
export interface LeftOutNode {
  id: string;
  reason: string;
}

/** What {@link buildPlan} plans from. */
export interface PlanInput {
  spec: Pick<RolloutSpec, 'canary' | 'batches' | 'maxUnavailable' | 'maxFailures' | 'force'>;
  /** The selected targets, in planning order (`selectTargets`). */
  targets: readonly TargetNode[];
  /** Candidates the spec's `exclude` removed. */
  excluded: readonly ExcludedNode[];
  discovered: DiscoveryAnswers;
  /** What the rollout upgrades to, when anything names it. */
  target?: UpgradeTarget | undefined;
}

/** The plan a rollout follows. */
export interface Plan {
  /** Every target that reports the backend, in planning order; up-to-date ones included. */
  nodes: PlannedNode[];
  /** The nodes to upgrade, by wave. */
  waves: { kind: WaveKind; ids: string[] }[];
  /** Excluded candidates, then the ones discovery left out, each group in planning order. */
  skipped: LeftOutNode[];
  /** The build most discovered nodes run, and the nodes that disagree with it. */
  drift: Drift;
  /** Replicas of the nodes to upgrade. */
  totalReplicas: number;
  /** Replicas allowed down at once, of `totalReplicas`. */
  replicaBudget: number;
  /** Failed nodes tolerated before `onFailure` acts. */
  allowedFailures: number;
}

/** Whether a planned node already runs the target and gets no request. */
export function isUpToDate(node: PlannedNode): boolean {
  return node.comparison?.upgrade === false;
}

/** Compares every node with the target, keyed by node id. */
export function compareWithTarget(
  nodes: readonly { id: string; installed: InstalledRecord; concrete?: string | undefined }[],
  target: UpgradeTarget,
  force: boolean,
): Map<string, PlannedComparison> {
  const concreteOf = new Map(nodes.map((n) => [n.id, n.concrete]));
  return new Map(
    compareNodes(nodes, target, force).map((c: NodeComparison) => {
      const build = buildFor(target, concreteOf.get(c.id));
      const planned: PlannedComparison = {
        matches: c.matches,
        upgrade: c.upgrade,
        decidedBy: c.decidedBy,
        detail: c.detail,
      };
      if (build !== undefined) planned.target = build;
      return [c.id, planned];
    }),
  );
}

function plannedNode(target: TargetNode, found: DiscoveredNode): PlannedNode {
  return {
    id: found.id,
    name: target.name,
    zone: target.zone,
    replicas: target.replicas ?? found.replicas ?? 0,
    installed: found.installed,
    ...(found.legacy === true ? { legacy: true } : {}),
    ...(found.concrete !== undefined ? { concrete: found.concrete } : {}),
    ...(target.replicas === undefined && found.replicasUnknown === true ? { replicasUnknown: true } : {}),
  };
}

/**
 * Plans a rollout from discovery's answers. The targets that report the backend are kept in
 * planning order; with a target, the ones that already run it are up to date (unless `force`)
 * and left out of the waves and the budgets. A node's replicas are the inventory's, else the
 * `models.running` count, else 0 (and `replicasUnknown` when that was asked and not answered).
 */
export function buildPlan(input: PlanInput): Plan {
  const found = new Map(input.discovered.found.map((f) => [f.id, f]));
  const nodes = input.targets.flatMap((t) => {
    const node = found.get(t.id);
    return node === undefined ? [] : [plannedNode(t, node)];
  });
  if (input.target !== undefined) {
    const comparisons = compareWithTarget(nodes, input.target, input.spec.force === true);
    for (const node of nodes) {
      const comparison = comparisons.get(node.id);
      if (comparison !== undefined) node.comparison = comparison;
    }
  }
  const toUpgrade = nodes.filter((n) => !isUpToDate(n));
  const waves = planWaves(
    toUpgrade.map((n) => n.id),
    { canaryNodes: input.spec.canary?.nodes, batches: input.spec.batches },
  );
  const order = new Map(input.targets.map((t, i) => [t.id, i]));
  const leftOut = [...input.discovered.skipped].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const totalReplicas = toUpgrade.reduce((sum, n) => sum + n.replicas, 0);
  return {
    nodes,
    waves: waves.map((w) => ({ kind: w.kind, ids: w.nodeIds })),
    skipped: [
      ...input.excluded.map((e) => ({ id: e.id, reason: e.reason })),
      ...leftOut.map((s) => ({ id: s.id, reason: `${s.kind}: ${s.reason}` })),
    ],
    drift: summariseDrift(nodes),
    totalReplicas,
    replicaBudget: replicaBudget(totalReplicas, input.spec.maxUnavailable),
    allowedFailures: allowedFailures(toUpgrade.length, input.spec.maxFailures),
  };
}
