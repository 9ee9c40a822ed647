/**
 * How the simulated frontend reaches its nodes: over NATS, with the same requests a LocalAI
 * frontend sends (`models.running` for liveness and stale rows, `backend.install` with a
 * `model_id` to load a replica, `backend.list` for `GET /api/nodes/:id/backends`). It sees the
 * simulated fleet only through the wire, so it works the same against any agent.
 */
import type { NatsConnection } from 'nats';
import { requestBytes, requestMessage, requestRunningModels } from '../../../nats/index.js';
import { encodeMessageBytes, MessageType, subjects, type RunningModel } from '../../../protocol/index.js';

/** What the frontend asks of a node. */
export interface NodeLink {
  /** Live processes, or `undefined` when the node does not answer (gone or no responders). */
  running(nodeId: string): Promise<RunningModel[] | undefined>;
  /** Loads replica `replicaIndex` of `model`; resolves to its address. @throws Error with the worker's reason. */
  load(nodeId: string, backend: string, model: string, replicaIndex: number): Promise<string>;
  /** The raw `backends` of a `backend.list` reply. @throws Error when the node does not answer. */
  backends(nodeId: string): Promise<unknown>;
}

/** Timeouts of {@link natsNodeLink}. */
export interface NodeLinkTimeouts {
  /** `models.running` (LocalAI: 10 s). @default 10000 */
  runningMs?: number;
  /** `backend.install` of a replica. @default 60000 */
  loadMs?: number;
  /** `backend.list` (LocalAI: 30 s). @default 30000 */
  listMs?: number;
}

/** A {@link NodeLink} over a NATS connection. */
export function natsNodeLink(nc: NatsConnection, timeouts: NodeLinkTimeouts = {}): NodeLink {
  return {
    running: async (nodeId) => {
      try {
        return await requestRunningModels(nc, nodeId, timeouts.runningMs ?? 10_000);
      } catch {
        return undefined;
      }
    },
    load: async (nodeId, backend, model, replicaIndex) => {
      const reply = await requestMessage(
        nc,
        subjects.install(nodeId),
        MessageType.BackendInstallRequest,
        { backend, modelId: model, replicaIndex },
        MessageType.BackendInstallReply,
        timeouts.loadMs ?? 60_000,
      );
      if (!reply.success || reply.address === undefined || reply.address === '')
        throw new Error(reply.error ?? 'install replied without an address');
      return reply.address;
    },
    backends: async (nodeId) => {
      const data = await requestBytes(
        nc,
        subjects.list(nodeId),
        encodeMessageBytes(MessageType.BackendListRequest, {}),
        timeouts.listMs ?? 30_000,
      );
      return (JSON.parse(new TextDecoder().decode(data)) as { backends?: unknown }).backends ?? null;
    },
  };
}
