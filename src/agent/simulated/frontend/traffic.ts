/**
 * Simulated inference traffic through the frontend's router: each request picks a `loaded` row
 * of its model on a `healthy` node (least `in_flight` first), holds two in-flight units, and
 * checks the row's process on the node over NATS (`models.running`) when it starts and when it
 * ends. A request whose row points at a process that is gone fails as LocalAI's does (connection
 * refused, row deleted); one whose process disappears while it runs fails with EOF. With no row
 * the router cold-loads the model on a healthy node; with no healthy node it fails, and further
 * cold loads of that model fail for `loadFailureGraceMs` (LocalAI replays a failed load job).
 */
import type { Logger } from '../../../log.js';
import type { NodeLink } from './node-link.js';
import { NodeStatus, type FrontendRegistry, type ModelRow } from './registry.js';

/** Why a request failed. */
export const TrafficFailure = {
  /** Its process was killed while it ran (`error reading from server: EOF`). */
  Killed: 'killed',
  /** Its row pointed at a process that no longer runs (`connection refused`). */
  StaleRow: 'stale-row',
  /** No healthy node could take the model (`no available nodes`), or a failed load was replayed. */
  NoNode: 'no-node',
} as const;
export type TrafficFailure = (typeof TrafficFailure)[keyof typeof TrafficFailure];

/** Counts so far; `failures` holds the most recent failed requests. */
export interface TrafficStats {
  sent: number;
  succeeded: number;
  failed: number;
  byKind: Record<TrafficFailure, number>;
  failures: { at: string; model: string; nodeId?: string; kind: TrafficFailure; message: string }[];
}

/** Options of {@link TrafficGenerator}. */
export interface TrafficOptions {
  registry: FrontendRegistry;
  link: NodeLink;
  catalog: ReadonlyMap<string, string>;
  log: Logger;
  /** Requests started per second, spread over the catalog's models in turn. @default 10 */
  ratePerSec?: number;
  /** How long each request runs. @default 300 */
  requestMs?: number;
  /** LocalAI's `loadJobFailureGrace`. @default 15000 */
  loadFailureGraceMs?: number;
}

const KEEP_FAILURES = 50;

/** Sends requests at a constant rate until stopped. */
export class TrafficGenerator {
  private readonly stats: TrafficStats = {
    sent: 0,
    succeeded: 0,
    failed: 0,
    byKind: { killed: 0, 'stale-row': 0, 'no-node': 0 },
    failures: [],
  };
  private readonly inFlight = new Set<Promise<void>>();
  private readonly failedLoadUntil = new Map<string, number>();
  private readonly loading = new Map<string, Promise<ModelRow | undefined>>();
  private timer: NodeJS.Timeout | undefined;
  private turn = 0;

  constructor(private readonly options: TrafficOptions) {}

  /** Starts sending. */
  start(): void {
    const models = [...this.options.catalog.keys()];
    if (models.length === 0 || this.timer !== undefined) return;
    this.timer = setInterval(
      () => {
        const model = models[this.turn++ % models.length] ?? '';
        const request = this.send(model).finally(() => this.inFlight.delete(request));
        this.inFlight.add(request);
      },
      1000 / (this.options.ratePerSec ?? 10),
    );
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<TrafficStats> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.inFlight]);
    return this.snapshot();
  }

  snapshot(): TrafficStats {
    return { ...this.stats, byKind: { ...this.stats.byKind }, failures: [...this.stats.failures] };
  }

  /** Sends one request for `model` and resolves when it ended. */
  async send(model: string): Promise<void> {
    const { registry, link } = this.options;
    this.stats.sent += 1;
    const row = this.route(model) ?? (await this.coldLoad(model));
    if (row === undefined) return;
    registry.reserve(row);
    try {
      const before = await link.running(row.nodeId);
      if (before?.some((m) => m.address === row.address) !== true) {
        registry.deleteRow(row.id);
        return this.fail(model, TrafficFailure.StaleRow, `connection refused: ${row.address}`, row.nodeId);
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.requestMs ?? 300));
      const after = await link.running(row.nodeId);
      if (after?.some((m) => m.address === row.address) !== true) {
        registry.deleteRow(row.id);
        return this.fail(model, TrafficFailure.Killed, `error reading from server: EOF (${row.address})`, row.nodeId);
      }
      this.stats.succeeded += 1;
    } finally {
      registry.release(row);
    }
  }

  private route(model: string): ModelRow | undefined {
    const { registry } = this.options;
    const rows = registry
      .rows()
      .filter((r) => r.modelName === model && registry.node(r.nodeId)?.status === NodeStatus.Healthy);
    if (rows.length === 0) return undefined;
    const least = Math.min(...rows.map((r) => r.inFlight));
    const lightest = rows.filter((r) => r.inFlight === least);
    return lightest[this.turn % lightest.length];
  }

  private async coldLoad(model: string): Promise<ModelRow | undefined> {
    const pending = this.loading.get(model);
    if (pending !== undefined) return await pending;
    if ((this.failedLoadUntil.get(model) ?? 0) > Date.now()) {
      this.fail(model, TrafficFailure.NoNode, 'no available nodes (a failed load job is replayed)');
      return undefined;
    }
    const load = this.loadSomewhere(model).finally(() => this.loading.delete(model));
    this.loading.set(model, load);
    return await load;
  }

  private async loadSomewhere(model: string): Promise<ModelRow | undefined> {
    const { registry, link, catalog } = this.options;
    const backend = catalog.get(model) ?? model;
    const healthy = registry
      .nodes()
      .filter((n) => n.status === NodeStatus.Healthy)
      .sort((a, b) => registry.rows(a.id).length - registry.rows(b.id).length);
    const node = healthy[0];
    if (node === undefined) {
      this.failedLoadUntil.set(model, Date.now() + (this.options.loadFailureGraceMs ?? 15_000));
      this.fail(model, TrafficFailure.NoNode, 'no available nodes: no healthy nodes available');
      return undefined;
    }
    try {
      const address = await link.load(node.id, backend, model, 0);
      return registry.addRow({ nodeId: node.id, modelName: model, replicaIndex: 0, address, backendType: backend });
    } catch (err) {
      this.failedLoadUntil.set(model, Date.now() + (this.options.loadFailureGraceMs ?? 15_000));
      this.fail(model, TrafficFailure.NoNode, `loading model ${model}: ${(err as Error).message}`, node.id);
      return undefined;
    }
  }

  private fail(model: string, kind: TrafficFailure, message: string, nodeId?: string): void {
    this.stats.failed += 1;
    this.stats.byKind[kind] += 1;
    this.stats.failures.push({ at: new Date().toISOString(), model, kind, message, ...(nodeId ? { nodeId } : {}) });
    if (this.stats.failures.length > KEEP_FAILURES) this.stats.failures.shift();
    this.options.log.debug({ model, kind, nodeId }, 'frontend: request failed');
  }
}
