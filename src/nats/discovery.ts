/**
 * Discovery over NATS: asks each candidate `backend.list` (bounded parallel) and keeps the nodes
 * that report the backend, with their pre-upgrade install as the verification baseline. A node
 * that never had the backend is not upgraded (PROTOCOL.md §5). The `discoverTargets` activity,
 * `plan` and `nodes` all discover with it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from 'nats';
import { DiscoverySkip, type DiscoveredNode, type DiscoveryAnswers, type DiscoveryRequest } from '../domain/plan.js';
import { installedRecordOf, type InstalledRecord } from '../domain/verification.js';
import type { Logger } from '../log.js';
import { MessageType, subjects } from '../protocol/index.js';
import { NatsRequestError, RequestFailure, requestMessage, requestRunningModels } from './request.js';

/** LocalAI's own timeout for `backend.list`. */
export const LIST_TIMEOUT_MS = 30_000;
const MODELS_RUNNING_TIMEOUT_MS = 10_000;

/** Runs `work` over `items` with at most `limit` in flight, heartbeating as items finish. */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Where discovery runs and what it reports as it goes. */
export interface DiscoverContext {
  nc: NatsConnection;
  log: Logger;
  /** @default 30000 (LocalAI's) */
  listTimeoutMs?: number;
  /** Called with the number of nodes answered so far (every 50), and while waiting to ask a node again. */
  onProgress?: (done: number) => void;
  /**
   * How long, from the start of discovery, a node that does not answer (no responders, no reply,
   * connection lost) is asked again with backoff before it is left out as unreachable: a worker
   * restarting or a NATS server restarting during discovery must not drop nodes from the rollout.
   * @default 0 (ask once)
   */
  unreachableGraceMs?: number;
}

/** Backoff between asks of a node that did not answer. */
const REASK_BACKOFF = { initialMs: 1_000, maximumMs: 10_000 } as const;

/**
 * `backend.list` of one node; an unreachable node is asked again with backoff until `graceEndsAt`.
 * A malformed reply is an answer and is never asked again.
 */
async function listWithGrace(ctx: DiscoverContext, id: string, graceEndsAt: number, done: () => number) {
  const listTimeout = ctx.listTimeoutMs ?? LIST_TIMEOUT_MS;
  for (let delay: number = REASK_BACKOFF.initialMs; ; delay = Math.min(delay * 2, REASK_BACKOFF.maximumMs)) {
    try {
      return await requestMessage(
        ctx.nc,
        subjects.list(id),
        MessageType.BackendListRequest,
        {},
        MessageType.BackendListReply,
        listTimeout,
      );
    } catch (err) {
      const unreachable = err instanceof NatsRequestError && err.kind !== RequestFailure.MalformedReply;
      if (!unreachable || Date.now() + delay > graceEndsAt) throw err;
      ctx.log.info(
        { nodeId: id, err: err.message, retryInMs: delay },
        'node did not answer backend.list; asking again',
      );
      ctx.onProgress?.(done());
      await sleep(delay);
    }
  }
}

/**
 * Asks each node `backend.list` (at most `concurrency` at once) and classifies it. The one
 * implementation of discovery: the `discoverTargets` activity, `plan` and `nodes` use it.
 */
export async function discoverNodes(ctx: DiscoverContext, input: DiscoveryRequest): Promise<DiscoveryAnswers> {
  const out: DiscoveryAnswers = { found: [], skipped: [] };
  const askReplicas = new Set(input.askReplicas);
  const graceEndsAt = Date.now() + (ctx.unreachableGraceMs ?? 0);
  const concretes = new Set(input.concretes ?? []);
  let done = 0;
  await forEachBounded(input.nodeIds, input.concurrency ?? 32, async (id) => {
    try {
      const reply = await listWithGrace(ctx, id, graceEndsAt, () => done);
      const entry = reply.backends.find((b) => b.name === input.backend);
      if (reply.error !== undefined && reply.error !== '' && entry === undefined) {
        out.skipped.push({
          id,
          kind: DiscoverySkip.BadReply,
          reason: `backend.list failed on the node: ${reply.error}`,
        });
      } else if (entry === undefined) {
        out.skipped.push({
          id,
          kind: DiscoverySkip.NotInstalled,
          reason: `${input.backend} is not installed on this node`,
        });
      } else {
        // A meta backend: the concrete build the node runs is what gets compared and verified.
        const concrete = reply.backends.find((b) => concretes.has(b.name));
        const installed: InstalledRecord = installedRecordOf(concrete ?? entry);
        const counted = askReplicas.has(id) ? await countReplicas(ctx, id) : undefined;
        const node: DiscoveredNode = { id, installed };
        if (concrete !== undefined) node.concrete = concrete.name;
        if (counted !== undefined) node.replicas = counted.replicas;
        if (counted?.legacy === true) node.legacy = true;
        if (counted?.unknown === true) node.replicasUnknown = true;
        out.found.push(node);
      }
    } catch (err) {
      if (err instanceof NatsRequestError && err.kind === RequestFailure.MalformedReply) {
        out.skipped.push({ id, kind: DiscoverySkip.BadReply, reason: err.message });
      } else if (err instanceof NatsRequestError) {
        out.skipped.push({ id, kind: DiscoverySkip.Unreachable, reason: err.message });
      } else {
        throw err;
      }
    }
    done += 1;
    if (done % 50 === 0) ctx.onProgress?.(done);
  });
  return out;
}

/**
 * Replicas served on the node, from `models.running`; 0 and `unknown` when the node cannot say, and
 * `legacy` when nobody serves that subject (workers before `backend.upgrade` do not).
 */
async function countReplicas(
  deps: DiscoverContext,
  id: string,
): Promise<{ replicas: number; legacy: boolean; unknown?: true }> {
  try {
    const models = await requestRunningModels(deps.nc, id, MODELS_RUNNING_TIMEOUT_MS);
    return { replicas: models.length, legacy: false };
  } catch (err) {
    deps.log.warn({ nodeId: id, err: (err as Error).message }, 'models.running failed; counting 0 replicas');
    return {
      replicas: 0,
      legacy: err instanceof NatsRequestError && err.kind === RequestFailure.NoResponders,
      unknown: true,
    };
  }
}
