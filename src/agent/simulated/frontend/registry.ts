/**
 * The node registry of the simulated LocalAI frontend: nodes, their model rows and the per-model
 * scheduling configs, with LocalAI's semantics and quirks (drain deletes every row of the node,
 * resume sets `healthy` unconditionally, one request reserves two `in_flight` units). In memory,
 * no I/O; the clock is handed in.
 */
import { randomUUID } from 'node:crypto';

/** Node status values of LocalAI's registry. */
export const NodeStatus = {
  Pending: 'pending',
  Healthy: 'healthy',
  Unhealthy: 'unhealthy',
  Offline: 'offline',
  Draining: 'draining',
} as const;
export type NodeStatus = (typeof NodeStatus)[keyof typeof NodeStatus];

/** One registered node. */
export interface NodeRecord {
  id: string;
  name: string;
  address: string;
  httpAddress: string;
  status: NodeStatus;
  labels: Record<string, string>;
  maxReplicasPerModel: number;
  createdAt: number;
  updatedAt: number;
  lastHeartbeat: number;
}

/** One `node_models` row: a replica the frontend believes is loaded at `address`. */
export interface ModelRow {
  id: string;
  nodeId: string;
  modelName: string;
  replicaIndex: number;
  address: string;
  state: 'loaded';
  inFlight: number;
  backendType: string;
  lastUsed: number;
  createdAt: number;
  updatedAt: number;
}

/** A per-model scheduling config (`POST /api/nodes/scheduling`). */
export interface SchedulingConfig {
  id: string;
  modelName: string;
  nodeSelector?: Record<string, string>;
  minReplicas: number;
  maxReplicas: number;
  spreadAll: boolean;
  createdAt: number;
  updatedAt: number;
}

/** In-flight units one routed request holds: the routing reservation plus the tracking client. */
export const IN_FLIGHT_UNITS_PER_REQUEST = 2;

/** The registry state. Methods return `false`/`undefined` for an unknown node, as the handlers need. */
export class FrontendRegistry {
  private readonly nodeMap = new Map<string, NodeRecord>();
  private readonly rowMap = new Map<string, ModelRow>();
  private readonly configMap = new Map<string, SchedulingConfig>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Registers or re-registers (upsert by name, as LocalAI): a known non-pending node becomes `healthy`. */
  register(input: {
    id?: string;
    name: string;
    address: string;
    httpAddress?: string;
    labels: Record<string, string>;
    pending: boolean;
    maxReplicasPerModel?: number;
  }): NodeRecord {
    const at = this.now();
    const existing = [...this.nodeMap.values()].find((n) => n.name === input.name);
    if (existing !== undefined) {
      if (existing.status !== NodeStatus.Pending) existing.status = NodeStatus.Healthy;
      existing.address = input.address;
      existing.updatedAt = at;
      existing.lastHeartbeat = at;
      return existing;
    }
    const slots = input.maxReplicasPerModel ?? 1;
    const node: NodeRecord = {
      id: input.id ?? randomUUID(),
      name: input.name,
      address: input.address,
      httpAddress: input.httpAddress ?? '',
      status: input.pending ? NodeStatus.Pending : NodeStatus.Healthy,
      labels: { ...input.labels, 'node.name': input.name, 'node.replica-slots': String(slots) },
      maxReplicasPerModel: slots,
      createdAt: at,
      updatedAt: at,
      lastHeartbeat: at,
    };
    this.nodeMap.set(node.id, node);
    return node;
  }

  nodes(): NodeRecord[] {
    return [...this.nodeMap.values()];
  }

  node(id: string): NodeRecord | undefined {
    return this.nodeMap.get(id);
  }

  /** Deletes the node and its rows (`DELETE /api/nodes/:id`). */
  deregister(id: string): boolean {
    this.deleteRowsOf(id);
    return this.nodeMap.delete(id);
  }

  setStatus(id: string, status: NodeStatus): boolean {
    const node = this.nodeMap.get(id);
    if (node === undefined) return false;
    node.status = status;
    node.updatedAt = this.now();
    return true;
  }

  /** `draining`, and every model row of the node deleted at once (LocalAI's `MarkDraining`). */
  drain(id: string): boolean {
    if (!this.setStatus(id, NodeStatus.Draining)) return false;
    this.deleteRowsOf(id);
    return true;
  }

  /** Unconditionally `healthy`, even for a pending node; rows are not restored. */
  resume(id: string): boolean {
    return this.setStatus(id, NodeStatus.Healthy);
  }

  /** `pending` → `healthy`; anything else (or unknown) is refused. */
  approve(id: string): boolean {
    const node = this.nodeMap.get(id);
    if (node?.status !== NodeStatus.Pending) return false;
    return this.setStatus(id, NodeStatus.Healthy);
  }

  heartbeat(id: string): boolean {
    const node = this.nodeMap.get(id);
    if (node === undefined) return false;
    node.lastHeartbeat = this.now();
    return true;
  }

  rows(nodeId?: string): ModelRow[] {
    const all = [...this.rowMap.values()];
    return nodeId === undefined ? all : all.filter((r) => r.nodeId === nodeId);
  }

  row(id: string): ModelRow | undefined {
    return this.rowMap.get(id);
  }

  addRow(input: { nodeId: string; modelName: string; replicaIndex: number; address: string; backendType: string }) {
    const at = this.now();
    const row: ModelRow = {
      id: randomUUID(),
      state: 'loaded',
      inFlight: 0,
      lastUsed: at,
      createdAt: at,
      updatedAt: at,
      ...input,
    };
    this.rowMap.set(row.id, row);
    return row;
  }

  deleteRow(id: string): boolean {
    return this.rowMap.delete(id);
  }

  /** Takes a request's in-flight units on a row. */
  reserve(row: ModelRow): void {
    row.inFlight += IN_FLIGHT_UNITS_PER_REQUEST;
    row.lastUsed = this.now();
  }

  /** Gives them back, if the row still exists. */
  release(row: ModelRow): void {
    const live = this.rowMap.get(row.id);
    if (live !== undefined) live.inFlight = Math.max(0, live.inFlight - IN_FLIGHT_UNITS_PER_REQUEST);
  }

  configs(): SchedulingConfig[] {
    return [...this.configMap.values()];
  }

  config(modelName: string): SchedulingConfig | undefined {
    return this.configMap.get(modelName);
  }

  /** Upsert by model name. */
  upsertConfig(input: Omit<SchedulingConfig, 'id' | 'createdAt' | 'updatedAt'>): SchedulingConfig {
    const at = this.now();
    const config: SchedulingConfig = { id: randomUUID(), createdAt: at, updatedAt: at, ...input };
    this.configMap.set(input.modelName, config);
    return config;
  }

  deleteConfig(modelName: string): void {
    this.configMap.delete(modelName);
  }

  private deleteRowsOf(nodeId: string): void {
    for (const row of this.rowMap.values()) if (row.nodeId === nodeId) this.rowMap.delete(row.id);
  }
}
