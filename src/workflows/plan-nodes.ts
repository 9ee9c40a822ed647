/**
 * The workflow's side of planning once discovery has answered: the domain's plan, with each node
 * as the rollout tracks it (wave, state, baseline, target, the steps that explain why). Pure and
 * free of the workflow SDK, so a unit test can hold it against the dry run's plan.
 */
import { NodeState } from '../domain/node-state.js';
import { buildPlan, type DiscoveryAnswers, type LeftOutNode } from '../domain/plan.js';
import type { RolloutSpec } from '../domain/spec.js';
import type { ExcludedNode, TargetNode } from '../domain/targets.js';
import type { NodeStatus } from './status.js';

/** The plan as the rollout's state takes it. */
export interface Plan {
  nodes: NodeStatus[];
  waves: { kind: string; ids: string[] }[];
  skipped: LeftOutNode[];
  replicaBudget: number;
  allowedFailures: number;
}

/**
 * Plans the rollout of `spec` (its `target` already resolved, when anything names one) from
 * discovery's answers. `unknownReplicasRule` says whether nodes of unknown replica count are
 * marked so (the workflow asks its patch; called only for such nodes).
 */
export function planFromDiscovery(
  spec: RolloutSpec,
  selection: { targets: readonly TargetNode[]; excluded: readonly ExcludedNode[] },
  discovered: DiscoveryAnswers,
  unknownReplicasRule: () => boolean,
): Plan {
  const plan = buildPlan({ spec, ...selection, discovered, target: spec.target });
  const waveOf = new Map<string, number>();
  plan.waves.forEach((w, index) => w.ids.forEach((id) => waveOf.set(id, index)));
  const nodes: NodeStatus[] = plan.nodes.map((planned) => {
    const node: NodeStatus = {
      id: planned.id,
      name: planned.name,
      zone: planned.zone,
      wave: waveOf.get(planned.id) ?? 0,
      replicas: planned.replicas,
      state: NodeState.Pending,
      attempts: 0,
      fallback: false,
      before: planned.installed,
    };
    const comparison = planned.comparison;
    if (comparison !== undefined) {
      if (comparison.target !== undefined) node.target = comparison.target;
      if (planned.concrete !== undefined) node.concrete = planned.concrete;
      if (!comparison.upgrade) node.state = NodeState.UpToDate;
      node.steps = [
        `${comparison.upgrade ? (comparison.matches ? 'forced: ' : 'to upgrade: ') : 'up to date: '}${comparison.detail}`,
      ];
    }
    if (planned.replicasUnknown === true && unknownReplicasRule()) {
      node.replicasUnknown = true;
      node.steps = [
        ...(node.steps ?? []),
        'replica count unknown (no models.running, no inventory value): upgraded only while no other replica is down',
      ];
    }
    return node;
  });
  return {
    nodes,
    waves: plan.waves,
    skipped: plan.skipped,
    replicaBudget: plan.replicaBudget,
    allowedFailures: plan.allowedFailures,
  };
}
