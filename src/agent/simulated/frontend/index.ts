/**
 * A simulated LocalAI frontend (distributed mode) for tests and the demo: the node-registry HTTP
 * API with LocalAI's bodies, auth and quirks, a reconciler that restores `min_replicas` models
 * every tick, and a traffic generator that routes simulated inference requests and counts those
 * that fail because their process was killed or their row was stale. It reaches the nodes only
 * over NATS, so it works with a simulated fleet or real agents alike.
 */
import type { NatsConnection } from 'nats';
import type { Logger } from '../../../log.js';
import type { FrontendAuth } from './auth.js';
import { listenHttp } from './http-server.js';
import { natsNodeLink, type NodeLink, type NodeLinkTimeouts } from './node-link.js';
import { Reconciler, startTicking } from './reconciler.js';
import { FrontendRegistry } from './registry.js';
import { TrafficGenerator, type TrafficStats } from './traffic.js';

export { NodeStatus, FrontendRegistry, IN_FLIGHT_UNITS_PER_REQUEST } from './registry.js';
export type { ModelRow, NodeRecord, SchedulingConfig } from './registry.js';
export { TrafficFailure, TrafficGenerator, type TrafficStats } from './traffic.js';
export type { FrontendAuth } from './auth.js';

/** A node the frontend knows from the start (as if it had registered). */
export interface FrontendNode {
  /** Its NATS node id; also its id in the API (LocalAI uses a UUID here). */
  id: string;
  /** @default the id */
  name?: string;
  labels?: Record<string, string>;
  /** Starts `pending` (not approved). @default false */
  pending?: boolean;
  /** Replica slots per model. @default 1 */
  maxReplicasPerModel?: number;
}

/** Options of {@link startSimulatedFrontend}. */
export interface SimulatedFrontendOptions {
  nc: NatsConnection;
  log: Logger;
  nodes: readonly FrontendNode[];
  /** Model name → backend that runs it: what the frontend may load, and what traffic asks for. */
  catalog: ReadonlyMap<string, string>;
  /** Where to listen. @default 127.0.0.1, any free port */
  host?: string;
  port?: number;
  auth?: Partial<FrontendAuth>;
  /** New registrations over HTTP start `healthy`. @default true */
  autoApprove?: boolean;
  /** Reconciler and health-check interval (LocalAI: 30 s). @default 30000 */
  tickMs?: number;
  /** Silence after which a node goes offline. @default 60000 */
  offlineAfterMs?: number;
  /** Age before a stale row may be reaped. @default 4 ticks */
  staleRowMinAgeMs?: number;
  /** `min_replicas` configs to create at start, as `LOCALAI_MODEL_SCHEDULING` does. */
  scheduling?: readonly { model: string; minReplicas: number; nodeSelector?: Record<string, string> }[];
  /** Constant traffic; `false` sends none. @default false */
  traffic?: false | { ratePerSec?: number; requestMs?: number; loadFailureGraceMs?: number };
  timeouts?: NodeLinkTimeouts;
}

/** A running simulated frontend. */
export interface SimulatedFrontend {
  /** Base URL, e.g. `http://127.0.0.1:34567`. */
  readonly url: string;
  readonly registry: FrontendRegistry;
  readonly link: NodeLink;
  /** Runs one reconciler tick now (the timer keeps running). */
  tick(): Promise<void>;
  /** Traffic counts so far (`undefined` without traffic). */
  traffic(): TrafficStats | undefined;
  /** Stops traffic (waiting for requests in flight), the reconciler and the HTTP server. */
  stop(): Promise<TrafficStats | undefined>;
}

/**
 * Registers `nodes`, records a `loaded` row for every process they already run (asked with
 * `models.running`), then serves HTTP, reconciles every `tickMs` and sends traffic.
 */
export async function startSimulatedFrontend(options: SimulatedFrontendOptions): Promise<SimulatedFrontend> {
  const registry = new FrontendRegistry();
  const link = natsNodeLink(options.nc, options.timeouts);
  const byProcess = new Map([...options.catalog].map(([model, backend]) => [model, backend]));
  for (const input of options.nodes) {
    const node = registry.register({
      id: input.id,
      name: input.name ?? input.id,
      address: '',
      labels: input.labels ?? {},
      pending: input.pending ?? false,
      ...(input.maxReplicasPerModel === undefined ? {} : { maxReplicasPerModel: input.maxReplicasPerModel }),
    });
    const running = await link.running(node.id);
    for (const model of running ?? []) {
      const backend = byProcess.get(model.modelId);
      if (backend === undefined || node.status !== 'healthy') continue;
      if (node.address === '') node.address = model.address ?? '';
      registry.addRow({
        nodeId: node.id,
        modelName: model.modelId,
        replicaIndex: model.replicaIndex,
        address: model.address ?? '',
        backendType: backend,
      });
    }
  }
  for (const s of options.scheduling ?? []) {
    registry.upsertConfig({
      modelName: s.model,
      minReplicas: s.minReplicas,
      maxReplicas: 0,
      spreadAll: false,
      ...(s.nodeSelector === undefined ? {} : { nodeSelector: s.nodeSelector }),
    });
  }
  const tickMs = options.tickMs ?? 30_000;
  const reconciler = new Reconciler({
    registry,
    link,
    catalog: options.catalog,
    log: options.log,
    ...(options.offlineAfterMs === undefined ? {} : { offlineAfterMs: options.offlineAfterMs }),
    staleRowMinAgeMs: options.staleRowMinAgeMs ?? 4 * tickMs,
  });
  const traffic =
    options.traffic === undefined || options.traffic === false
      ? undefined
      : new TrafficGenerator({ registry, link, catalog: options.catalog, log: options.log, ...options.traffic });
  const { server, url } = await listenHttp(
    {
      registry,
      link,
      log: options.log,
      autoApprove: options.autoApprove ?? true,
      auth: {
        apiKeys: options.auth?.apiKeys ?? [],
        userKeys: options.auth?.userKeys ?? [],
        registrationToken: options.auth?.registrationToken ?? '',
      },
      traffic: () => traffic?.snapshot(),
    },
    options.host ?? '127.0.0.1',
    options.port ?? 0,
  );
  const ticking = startTicking(() => reconciler.tick(), tickMs, options.log);
  traffic?.start();
  let stopping: Promise<TrafficStats | undefined> | undefined;
  const stop = async (): Promise<TrafficStats | undefined> => {
    const stats = await traffic?.stop();
    await ticking.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return stats;
  };
  return {
    url,
    registry,
    link,
    tick: () => reconciler.tick(),
    traffic: () => traffic?.snapshot(),
    stop: () => (stopping ??= stop()),
  };
}
