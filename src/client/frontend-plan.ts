/**
 * The LocalAI frontend's part of a dry run: read its node registry as the inventory (healthy
 * nodes only, the rest left out with the reason), then, once the waves are planned, say in which
 * order nodes will be drained and which models LocalAI will not load again by itself.
 */
import type { RolloutSpecInput } from '../domain/spec.js';
import {
  inventoryFromFrontend,
  unrestoredModels,
  type FrontendClient,
  type LeftOutNode,
  type ModelRow,
  type SchedulingConfig,
  type UnrestoredModel,
} from '../frontend/index.js';
import type { RolloutPlan } from './plan.js';

/** What the frontend adds to a plan. */
export interface FrontendPlan {
  url: string;
  /** Every node of the registry, with its status and labels, healthy first. */
  nodes: { id: string; name: string; status: string; labels: Record<string, string> }[];
  /** Nodes that are not `healthy` (and would match the selector): not targets. */
  leftOut: LeftOutNode[];
  /** Planned nodes in the order they will be drained (wave order). */
  drainOrder: string[];
  /** Models on planned nodes without `min_replicas`/`spread_all`: they load again only on a request. */
  unrestored: UnrestoredModel[];
}

/** The registry read once, before planning. */
export interface FrontendFleet {
  url: string;
  nodes: FrontendPlan['nodes'];
  leftOut: LeftOutNode[];
  rows: ModelRow[];
  configs: SchedulingConfig[];
}

/** Reads nodes, loaded rows and scheduling configs, and puts the healthy nodes in the spec's inventory. */
export async function readFrontendFleet(
  client: FrontendClient,
  spec: RolloutSpecInput,
): Promise<{ spec: RolloutSpecInput; fleet: FrontendFleet }> {
  const [nodes, rows, configs] = await Promise.all([client.listNodes(), client.loadedModels(), client.scheduling()]);
  const { inventory, leftOut } = inventoryFromFrontend(nodes);
  const selector = spec.selector ?? {};
  const matches = (labels: Record<string, string>): boolean =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);
  const explicit = spec.nodes === undefined ? undefined : new Set(spec.nodes);
  const relevant = leftOut.filter((n) => (explicit === undefined ? matches(n.labels) : explicit.has(n.id)));
  const rank = (status: string): number => (status === 'healthy' ? 0 : 1);
  const out = new Set(leftOut.map((n) => n.id));
  const nodeIds = spec.nodes?.filter((id) => !out.has(id));
  return {
    spec: {
      ...spec,
      inventory,
      ...(nodeIds === undefined ? {} : { nodes: nodeIds }),
      // Drain → upgrade → resume through this frontend; its left-out nodes show in `status`.
      frontend: {
        url: client.url,
        ...(relevant.length === 0 ? {} : { leftOut: relevant.map((n) => ({ id: n.id, reason: n.reason })) }),
      },
    },
    fleet: {
      url: client.url,
      nodes: nodes
        .map((n) => ({ id: n.id, name: n.name, status: n.status, labels: n.labels }))
        .sort((a, b) => rank(a.status) - rank(b.status) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      leftOut: relevant,
      rows,
      configs,
    },
  };
}

/** The frontend's part of `plan`, and the plan with the left-out nodes added to its skipped list. */
export function frontendPlan(fleet: FrontendFleet, plan: RolloutPlan): { plan: RolloutPlan; frontend: FrontendPlan } {
  const drainOrder = plan.waves.flatMap((w) => w.nodes.map((n) => n.id));
  return {
    plan: { ...plan, skipped: [...plan.skipped, ...fleet.leftOut.map((n) => ({ id: n.id, reason: n.reason }))] },
    frontend: {
      url: fleet.url,
      nodes: fleet.nodes,
      leftOut: fleet.leftOut,
      drainOrder,
      unrestored: unrestoredModels(fleet.rows, fleet.configs, drainOrder, plan.backend),
    },
  };
}
