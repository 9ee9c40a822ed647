/**
 * Response bodies of the simulated frontend, byte for byte as LocalAI writes them: Go's
 * `encoding/json` through Echo (struct key order, `<` `>` `&` escaped, a trailing newline),
 * timestamps in RFC 3339 with trailing zeros of the fraction trimmed.
 */
import type { ModelRow, NodeRecord, SchedulingConfig } from './registry.js';

/** JSON as Go's encoder writes it, with Echo's trailing newline. */
export function goJsonBody(value: unknown): string {
  const text = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `${text}\n`;
}

/** A Go `time.Time` in RFC 3339 with the fraction's trailing zeros trimmed. */
export function goTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** The node-handler error shape: `{"error":{"code","message","type":"node_error"}}`. */
export function nodeError(code: number, message: string): string {
  return goJsonBody({ error: { code, message, type: 'node_error' } });
}

/** The admin auth middleware's 401 and 403 bodies. */
export const AUTH_BODIES = {
  unauthorized: goJsonBody({
    error: { code: 401, message: 'An authentication key is required', type: 'invalid_request_error' },
  }),
  forbidden: goJsonBody({ error: { code: 403, message: 'Admin access required', type: 'authorization_error' } }),
  missingToken: goJsonBody({ error: 'missing or invalid Authorization header' }),
  wrongToken: goJsonBody({ error: 'invalid registration token' }),
} as const;

/** Labels with sorted keys, as Go writes a map. */
function sortedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The node object of `GET /api/nodes` and `GET /api/nodes/:id`. */
export function nodeObject(node: NodeRecord, rows: readonly ModelRow[]) {
  return {
    id: node.id,
    name: node.name,
    node_type: 'backend',
    address: node.address,
    http_address: node.httpAddress,
    status: node.status,
    total_vram: 0,
    available_vram: 0,
    reserved_vram: 0,
    total_ram: 25275990016,
    available_ram: 23518490624,
    total_disk: 270553174016,
    available_disk: 68826103808,
    gpu_vendor: '',
    gpu_compute_capability: '',
    capability: 'default',
    max_replicas_per_model: node.maxReplicasPerModel,
    max_replicas_per_model_manually_set: false,
    vram_budget_manually_set: false,
    last_heartbeat: goTime(node.lastHeartbeat),
    created_at: goTime(node.createdAt),
    updated_at: goTime(node.updatedAt),
    model_count: rows.length,
    in_flight_count: rows.reduce((sum, r) => sum + r.inFlight, 0),
    labels: sortedLabels(node.labels),
  };
}

/** Made-up but stable hashes standing in for LocalAI's config revision and options hash. */
const CONFIG_REVISION = 'e50779a7d20388daf0fb101b13d7f49778fb6aaf3de13a52e5ac4033a9f60234';
const OPTIONS_HASH = 'a8864b1bc2067e82446fe4e057df16a74feedbfec76832f732d5a9e8222ec3b7';

/** A model row of `GET /api/nodes/:id/models`. */
export function rowObject(row: ModelRow) {
  return {
    id: row.id,
    node_id: row.nodeId,
    model_name: row.modelName,
    replica_index: row.replicaIndex,
    address: row.address,
    state: row.state,
    in_flight: row.inFlight,
    last_used: goTime(row.lastUsed),
    backend_type: row.backendType,
    config_revision: CONFIG_REVISION,
    effective_options_hash: OPTIONS_HASH,
    created_at: goTime(row.createdAt),
    updated_at: goTime(row.updatedAt),
  };
}

/** A scheduling config; `node_selector` goes in as an object and comes back as a JSON string. */
export function configObject(config: SchedulingConfig) {
  return {
    id: config.id,
    model_name: config.modelName,
    ...(config.nodeSelector === undefined ? {} : { node_selector: JSON.stringify(config.nodeSelector) }),
    min_replicas: config.minReplicas,
    max_replicas: config.maxReplicas,
    ...(config.spreadAll ? { spread_all: true } : {}),
    unsatisfiable_ticks: 0,
    created_at: goTime(config.createdAt),
    updated_at: goTime(config.updatedAt),
  };
}

/** The `201` body of a registration (a Go map: keys sorted). */
export function registeredObject(node: NodeRecord) {
  return {
    created_at: goTime(node.createdAt),
    id: node.id,
    name: node.name,
    node_type: 'backend',
    status: node.status,
  };
}
