/**
 * The LocalAI frontend's part of the `status` answer: the frontend's nodes left out of the
 * rollout (not `healthy`) and the nodes this rollout leaves drained, each with the commands that
 * resume it.
 */
import type { RolloutSpec } from '../domain/spec.js';
import type { NodeStatus, RolloutStatus } from './status.js';

/** Adds the frontend's left-out nodes and the held-drained nodes to `status` (a no-op without a frontend). */
export function addFrontendStatus(status: RolloutStatus, nodes: readonly NodeStatus[], spec: RolloutSpec): void {
  const frontend = spec.frontend;
  if (frontend === undefined) return;
  const known = new Set(status.skippedAtDiscovery.map((s) => s.id));
  const leftOut = (frontend.leftOut ?? []).filter((n) => !known.has(n.id));
  if (leftOut.length > 0) status.skippedAtDiscovery = [...status.skippedAtDiscovery, ...leftOut];
  const held = nodes.filter((n) => n.heldDrained !== undefined);
  if (held.length === 0) return;
  const url = frontend.url.replace(/\/+$/, '');
  status.heldDrained = held.map((n) => ({
    id: n.id,
    reason: n.heldDrained ?? '',
    resume: `fleet-rollout retry ${spec.backend} ${n.id} (upgrade it again), or once it can serve: curl -X POST -H "Authorization: Bearer $LOCALAI_API_KEY" ${url}/api/nodes/${n.id}/resume`,
  }));
}
