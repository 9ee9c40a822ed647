/**
 * The simulated frontend's periodic work, one tick at a time as LocalAI's reconciler and health
 * monitor do it:
 * - liveness: each node is asked `models.running`; a node silent for `offlineAfterMs` goes
 *   `offline` (until then it stays `healthy`: the lag LocalAI shows after a dead worker); a node
 *   that answers again after being silent re-registered, so it is `healthy`, even if it was
 *   draining (a restart silently un-drains a node); draining nodes are otherwise left alone;
 * - stale rows: a row whose address the node no longer runs is deleted after two consecutive
 *   misses, once the row is older than `staleRowMinAgeMs` (LocalAI: 2 minutes);
 * - scale-up: every model with `min_replicas` (or `spread_all`) gets missing replicas loaded on
 *   healthy nodes matching its `node_selector` with `backend.install`, fewest rows first.
 */
import type { Logger } from '../../../log.js';
import type { NodeLink } from './node-link.js';
import { NodeStatus, type FrontendRegistry, type NodeRecord, type SchedulingConfig } from './registry.js';

/** What the reconciler needs. */
export interface ReconcilerOptions {
  registry: FrontendRegistry;
  link: NodeLink;
  /** Model name → the backend that runs it. Models not listed are never loaded by the frontend. */
  catalog: ReadonlyMap<string, string>;
  log: Logger;
  now?: () => number;
  /** Silence after which a node goes `offline`. @default 60000 */
  offlineAfterMs?: number;
  /** A stale row is only reaped once it is this old. @default 120000 */
  staleRowMinAgeMs?: number;
}

/** Runs one reconciliation pass per call; {@link startTicking} runs it on a timer. */
export class Reconciler {
  private readonly misses = new Map<string, number>();
  private readonly silentSince = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** One tick: liveness and stale rows for every node, then scale-up. */
  async tick(): Promise<void> {
    const { registry } = this.options;
    await Promise.all(registry.nodes().map((node) => this.checkNode(node)));
    for (const config of registry.configs()) await this.scaleUp(config);
  }

  private async checkNode(node: NodeRecord): Promise<void> {
    if (node.status === NodeStatus.Pending) return;
    const running = await this.options.link.running(node.id);
    const at = this.now();
    if (running === undefined) {
      const since = this.silentSince.get(node.id) ?? at;
      this.silentSince.set(node.id, since);
      if (node.status !== NodeStatus.Draining && at - node.lastHeartbeat >= (this.options.offlineAfterMs ?? 60_000)) {
        if (node.status !== NodeStatus.Offline) this.options.log.info({ nodeId: node.id }, 'frontend: node offline');
        this.options.registry.setStatus(node.id, NodeStatus.Offline);
      }
      return;
    }
    const wasSilent = this.silentSince.delete(node.id);
    this.options.registry.heartbeat(node.id);
    if (wasSilent || node.status === NodeStatus.Offline || node.status === NodeStatus.Unhealthy) {
      if (node.status !== NodeStatus.Healthy)
        this.options.log.info({ nodeId: node.id, was: node.status }, 'frontend: node re-registered, healthy');
      this.options.registry.setStatus(node.id, NodeStatus.Healthy);
    }
    if (node.status === NodeStatus.Draining) return;
    const live = new Set(running.map((m) => m.address ?? ''));
    for (const row of this.options.registry.rows(node.id)) {
      if (live.has(row.address)) {
        this.misses.delete(row.id);
        continue;
      }
      const misses = (this.misses.get(row.id) ?? 0) + 1;
      this.misses.set(row.id, misses);
      if (misses >= 2 && at - row.updatedAt >= (this.options.staleRowMinAgeMs ?? 120_000)) {
        this.options.registry.deleteRow(row.id);
        this.misses.delete(row.id);
        this.options.log.info(
          { nodeId: node.id, model: row.modelName, address: row.address },
          'frontend: stale row reaped',
        );
      }
    }
  }

  private async scaleUp(config: SchedulingConfig): Promise<void> {
    const { registry, catalog, link, log } = this.options;
    const backend = catalog.get(config.modelName);
    if (backend === undefined) return;
    const eligible = registry
      .nodes()
      .filter((n) => n.status === NodeStatus.Healthy && matches(n, config.nodeSelector))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const rowsOf = (nodeId: string) => registry.rows(nodeId).filter((r) => r.modelName === config.modelName);
    const loaded = eligible.reduce((sum, n) => sum + rowsOf(n.id).length, 0);
    const target = config.spreadAll ? eligible.length : config.minReplicas;
    const wanted: { node: NodeRecord; replicaIndex: number }[] = [];
    const planned = new Map(eligible.map((n) => [n.id, rowsOf(n.id).map((r) => r.replicaIndex)]));
    for (let missing = target - loaded; missing > 0; missing -= 1) {
      const candidates = eligible.filter((n) => (planned.get(n.id)?.length ?? 0) < n.maxReplicasPerModel);
      candidates.sort((a, b) => (planned.get(a.id)?.length ?? 0) - (planned.get(b.id)?.length ?? 0));
      const node = candidates[0];
      if (node === undefined) break;
      const used = planned.get(node.id) ?? [];
      let replicaIndex = 0;
      while (used.includes(replicaIndex)) replicaIndex += 1;
      used.push(replicaIndex);
      planned.set(node.id, used);
      wanted.push({ node, replicaIndex });
    }
    await Promise.all(
      wanted.map(async ({ node, replicaIndex }) => {
        try {
          const address = await link.load(node.id, backend, config.modelName, replicaIndex);
          if (registry.node(node.id)?.status !== NodeStatus.Healthy) return;
          registry.addRow({
            nodeId: node.id,
            modelName: config.modelName,
            replicaIndex,
            address,
            backendType: backend,
          });
          log.info({ nodeId: node.id, model: config.modelName, replicaIndex, address }, 'frontend: replica scheduled');
        } catch (err) {
          log.warn(
            { nodeId: node.id, model: config.modelName, err: (err as Error).message },
            'frontend: scale-up failed',
          );
        }
      }),
    );
  }
}

function matches(node: NodeRecord, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => node.labels[k] === v);
}

/** Runs `tick` every `tickMs`, never two at once; `stop` waits for a running tick. */
export function startTicking(tick: () => Promise<void>, tickMs: number, log: Logger): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = (): void => {
    timer = setTimeout(() => {
      running = tick()
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'frontend: reconciler tick failed'))
        .finally(() => {
          if (!stopped) schedule();
        });
    }, tickMs);
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
