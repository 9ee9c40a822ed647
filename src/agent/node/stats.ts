/** Per-node request counters, so tests and benchmarks can count what a node was sent (re-sends included). */

/** The subjects a node serves, named as the subject builders name them. */
export const HANDLER_KINDS = ['list', 'upgrade', 'install', 'stop', 'delete', 'modelsRunning'] as const;
export type HandlerKind = (typeof HANDLER_KINDS)[number];

/** What one node received and did. */
export interface NodeStats {
  /** Requests received per subject (malformed and oversized ones included). */
  requests: Record<HandlerKind, number>;
  /** Installs handed to the installer (an upgrade, a forced or first install), whether they succeeded or not. */
  installsRun: number;
  /** Requests answered from the op-id record or by joining an operation in flight. */
  dedupHits: number;
  /** Requests refused before decoding (payload over the size limit). */
  oversized: number;
}

/** Fresh zeroed counters. */
export function emptyStats(): NodeStats {
  return {
    requests: { list: 0, upgrade: 0, install: 0, stop: 0, delete: 0, modelsRunning: 0 },
    installsRun: 0,
    dedupHits: 0,
    oversized: 0,
  };
}

/** A deep copy, so callers can keep a snapshot. */
export function snapshotStats(stats: NodeStats): NodeStats {
  return { ...stats, requests: { ...stats.requests } };
}
