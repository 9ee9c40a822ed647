/**
 * The LocalAI frontend as inventory, as pure functions of its replies: only `healthy` nodes are
 * targets; the others are left out with a reason. A `healthy` status can lag a dead worker by
 * about a minute, so discovery's `backend.list` over NATS still decides liveness.
 */
import type { InventoryNode } from '../domain/spec.js';
import { FrontendNodeStatus, type FrontendNode, type ModelRow, type SchedulingConfig } from './schemas.js';

/** A node of the frontend that is not a target, and why. */
export interface LeftOutNode {
  id: string;
  name: string;
  status: string;
  labels: Record<string, string>;
  reason: string;
}

/** The inventory read from a frontend. */
export interface FrontendInventory {
  /** Healthy nodes: id, name and labels (selectors such as `zone=a` work on them). */
  inventory: InventoryNode[];
  leftOut: LeftOutNode[];
}

const REASONS: Readonly<Record<string, string>> = {
  [FrontendNodeStatus.Pending]: 'pending in the LocalAI frontend: not approved yet (approve it there first)',
  [FrontendNodeStatus.Draining]:
    'draining in the LocalAI frontend: taken out of routing by someone else (resume it there to include it)',
  [FrontendNodeStatus.Offline]: 'offline in the LocalAI frontend: no heartbeat for over a minute',
  [FrontendNodeStatus.Unhealthy]: 'unhealthy in the LocalAI frontend: it failed to answer the frontend',
};

/** Splits the frontend's nodes into targets (healthy) and the rest, with reasons. */
export function inventoryFromFrontend(nodes: readonly FrontendNode[]): FrontendInventory {
  const inventory: InventoryNode[] = [];
  const leftOut: LeftOutNode[] = [];
  for (const node of nodes) {
    if (node.status === FrontendNodeStatus.Healthy) {
      inventory.push({ id: node.id, name: node.name, labels: node.labels });
      continue;
    }
    leftOut.push({
      id: node.id,
      name: node.name,
      status: node.status,
      labels: node.labels,
      reason: REASONS[node.status] ?? `status "${node.status}" in the LocalAI frontend: only healthy nodes are targets`,
    });
  }
  return { inventory, leftOut };
}

/** True when LocalAI's reconciler restores `model` by itself (`min_replicas` > 0 or `spread_all`). */
export function restoredByFrontend(model: string, configs: readonly SchedulingConfig[]): boolean {
  const config = configs.find((c) => c.model_name === model);
  return config !== undefined && (config.spread_all || config.min_replicas > 0);
}

/** A model loaded on target nodes that LocalAI will not load again after the upgrade. */
export interface UnrestoredModel {
  model: string;
  backend: string;
  nodeIds: string[];
}

/**
 * Models with loaded rows on `nodeIds` and no scheduling config that restores them: after a
 * drain they stay unloaded on the node until a request loads them there.
 */
export function unrestoredModels(
  rows: readonly ModelRow[],
  configs: readonly SchedulingConfig[],
  nodeIds: readonly string[],
  backend?: string,
): UnrestoredModel[] {
  const targets = new Set(nodeIds);
  const byModel = new Map<string, UnrestoredModel>();
  for (const row of rows) {
    if (!targets.has(row.node_id)) continue;
    if (backend !== undefined && row.backend_type !== '' && row.backend_type !== backend) continue;
    if (restoredByFrontend(row.model_name, configs)) continue;
    const entry = byModel.get(row.model_name) ?? { model: row.model_name, backend: row.backend_type, nodeIds: [] };
    if (!entry.nodeIds.includes(row.node_id)) entry.nodeIds.push(row.node_id);
    byModel.set(row.model_name, entry);
  }
  return [...byModel.values()].sort((a, b) => (a.model < b.model ? -1 : 1));
}
