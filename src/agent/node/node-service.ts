/**
 * Serves one node id on NATS: subscribes to its six subjects, dispatches each message to the
 * shared handlers, and replies only when the message has a reply subject. Oversized payloads are
 * refused before decoding; unexpected errors are logged and never crash the process.
 */
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { Logger } from '../../log.js';
import { agentMetrics } from '../../metrics/agent-metrics.js';
import { subjects } from '../../protocol/index.js';
import { createHandlers } from './handlers.js';
import type { Installer } from './installer/types.js';
import type { ProcessTable } from './process-table.js';
import { emptyStats, HANDLER_KINDS, snapshotStats, type HandlerKind, type NodeStats } from './stats.js';

/** Largest request payload a node accepts. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** How to serve one node. */
export interface ServeNodeOptions {
  nc: NatsConnection;
  nodeId: string;
  installer: Installer;
  processes: ProcessTable;
  log: Logger;
  /**
   * Serve no `backend.upgrade` subject, like a LocalAI worker that predates it; its forced install
   * then stops only `<backend>#N` processes. @default false
   */
  legacy?: boolean;
  /** Serve `models.running` (LocalAI workers that predate `backend.upgrade` do not). @default !legacy */
  modelsRunning?: boolean;
  /** Hold upgrade and install replies until this long after the request arrived. @default 0 */
  hangMs?: number;
  /** @default {@link MAX_REQUEST_BYTES} */
  maxRequestBytes?: number;
  /** Op-id dedup bounds. @default one hour, 10,000 entries */
  dedup?: { ttlMs?: number; maxEntries?: number };
  /** Counters to add to (kept across a simulated restart). @default fresh counters */
  stats?: NodeStats;
}

/** A node being served. */
export interface NodeService {
  readonly nodeId: string;
  /** Counters since start. */
  stats(): NodeStats;
  /** Stops taking requests; operations in flight continue and still reply. */
  close(): void;
  /** Resolves true once every operation in flight has finished, false if `graceMs` passed first. */
  settle(graceMs: number): Promise<boolean>;
  /** Simulates a crash: drops every subscription and every reply still pending. */
  crash(): void;
}

const DELAYED_KINDS: ReadonlySet<HandlerKind> = new Set(['upgrade', 'install']);

/** Subscribes one node's subjects and serves them until closed. */
export function serveNode(options: ServeNodeOptions): NodeService {
  const { nc, nodeId, log } = options;
  const limit = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const hangMs = options.hangMs ?? 0;
  const stats = options.stats ?? emptyStats();
  const handlers = createHandlers({
    nodeId,
    installer: options.installer,
    processes: options.processes,
    publish: (subject, payload) => nc.publish(subject, payload),
    log,
    stats,
    legacy: options.legacy ?? false,
    ...(options.dedup !== undefined ? { dedup: options.dedup } : {}),
  });
  const inFlight = new Set<Promise<void>>();
  let subs: Subscription[] = [];
  let generation = 0;

  const handle = async (kind: HandlerKind, msg: Msg, born: number): Promise<void> => {
    const receivedAt = Date.now();
    let reply: Uint8Array | undefined;
    if (msg.data.length > limit) {
      stats.oversized += 1;
      agentMetrics.invalidRequest(kind, 'oversized');
      reply = handlers.errorReply(
        kind,
        `invalid request: payload of ${msg.data.length} bytes exceeds the ${limit}-byte limit`,
      );
    } else {
      try {
        reply = await handlers[kind](msg.data);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        log.error({ kind, err: text }, 'handler failed');
        reply = handlers.errorReply(kind, `internal error: ${text}`);
      }
    }
    if (reply === undefined || msg.reply === undefined || msg.reply === '') return;
    const wait = DELAYED_KINDS.has(kind) ? receivedAt + hangMs - Date.now() : 0;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // A crashed node never answers what it received before the crash.
    if (born !== generation || nc.isClosed()) return;
    msg.respond(reply);
  };

  const subscribe = (): void => {
    for (const kind of HANDLER_KINDS) {
      if (kind === 'upgrade' && options.legacy === true) continue;
      if (kind === 'modelsRunning' && !(options.modelsRunning ?? options.legacy !== true)) continue;
      const subject = subjects[kind](nodeId);
      subs.push(
        nc.subscribe(subject, {
          callback: (err, msg) => {
            if (err !== null) {
              log.warn({ subject, err: err.message }, 'subscription error');
              return;
            }
            stats.requests[kind] += 1;
            agentMetrics.request(kind);
            const task = handle(kind, msg, generation).catch((e: unknown) => {
              log.error({ subject, err: e instanceof Error ? e.message : String(e) }, 'handler failed');
            });
            inFlight.add(task);
            void task.finally(() => inFlight.delete(task));
          },
        }),
      );
    }
  };

  const unsubscribe = (): void => {
    for (const sub of subs) sub.unsubscribe();
    subs = [];
  };

  subscribe();
  return {
    nodeId,
    stats: () => snapshotStats(stats),
    close: unsubscribe,
    settle: async (graceMs) => {
      const all = Promise.all([...inFlight]).then(() => true);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      });
      const done = await Promise.race([all, timeout]);
      clearTimeout(timer);
      return done;
    },
    crash: () => {
      generation += 1;
      unsubscribe();
    },
  };
}
