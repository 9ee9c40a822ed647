/**
 * Many simulated nodes served from one process over one NATS connection: each node has its own
 * subscriptions (so a legacy node yields a real *no responders* on `backend.upgrade`), its own
 * state, locks, op-id record and seeded random generator.
 */
import type { NatsConnection } from 'nats';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { nodeToken, type BackendInfo } from '../protocol/index.js';
import { serveNode, type NodeService } from './node-service.js';
import { SimulatedInstaller } from './simulated-installer.js';
import { SimulatedProcesses } from './simulated-processes.js';
import { seededRandom, SimulatedNodeSchema, type SimulatedNode, type SimulatedNodeInput } from './simulation-knobs.js';
import { emptyStats, snapshotStats, type NodeStats } from './stats.js';

/** What {@link startSimulatedFleet} needs. */
export interface SimulatedFleetOptions {
  nc: NatsConnection;
  nodes: readonly SimulatedNodeInput[];
  log: Logger;
  /** Seed of every node's random generator (combined with the node id). @default "fleet-rollout" */
  seed?: string | number;
  /** Largest accepted request. @default 1 MiB */
  maxRequestBytes?: number;
}

/** A running simulated fleet. */
export interface SimulatedFleet {
  readonly nodeIds: readonly string[];
  /** Per node: requests received per subject, installs run, dedup hits. */
  stats(): Record<string, NodeStats>;
  /** What a node has installed right now (without asking over NATS). */
  installed(nodeId: string): Promise<BackendInfo[]>;
  /** Stops serving; operations still running get `graceMs` to finish, then are abandoned. */
  stop(graceMs?: number): Promise<void>;
}

interface NodeRuntime {
  spec: SimulatedNode;
  installer: SimulatedInstaller;
  processes: SimulatedProcesses;
  stats: NodeStats;
  service: NodeService;
}

/** Validates the node list: readable errors naming the node and field, no two ids on one subject token. */
export function parseSimulatedNodes(nodes: readonly SimulatedNodeInput[]): SimulatedNode[] {
  const parsed = z.array(SimulatedNodeSchema).safeParse(nodes);
  if (!parsed.success) throw new Error(`invalid simulated fleet: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
  const byToken = new Map<string, string>();
  for (const node of parsed.data) {
    const token = nodeToken(node.id);
    const other = byToken.get(token);
    if (other !== undefined) throw new Error(`node ids "${other}" and "${node.id}" share the subject token "${token}"`);
    byToken.set(token, node.id);
  }
  return parsed.data;
}

/** Starts serving every node; resolves once all subscriptions reached the server. */
export async function startSimulatedFleet(options: SimulatedFleetOptions): Promise<SimulatedFleet> {
  const nodes = parseSimulatedNodes(options.nodes);
  const seed = String(options.seed ?? 'fleet-rollout');
  const runtimes = new Map<string, NodeRuntime>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const serve = (spec: SimulatedNode, runtime: Omit<NodeRuntime, 'service'>): NodeService =>
    serveNode({
      nc: options.nc,
      nodeId: spec.id,
      installer: runtime.installer,
      processes: runtime.processes,
      log: options.log.child({ nodeId: spec.id }),
      legacy: spec.legacy,
      hangMs: spec.hangMs,
      stats: runtime.stats,
      ...(options.maxRequestBytes !== undefined ? { maxRequestBytes: options.maxRequestBytes } : {}),
    });

  for (const spec of nodes) {
    const backends = [spec.backend, ...spec.otherBackends.map((b) => b.name)];
    const processes = new SimulatedProcesses(spec.replicas, backends);
    const crash = (): void => {
      const runtime = runtimes.get(spec.id);
      if (runtime === undefined) return;
      options.log.warn({ nodeId: spec.id, restartMs: spec.crashRestartMs }, 'simulated node crashed');
      runtime.service.crash();
      runtime.installer.abortAll();
      void runtime.processes.stopAll();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (stopped) return;
        for (const backend of backends) runtime.processes.restore(backend);
        runtime.service = serve(spec, runtime);
        options.log.info({ nodeId: spec.id }, 'simulated node restarted');
      }, spec.crashRestartMs);
      timers.add(timer);
    };
    const installer = new SimulatedInstaller(spec, seededRandom(`${seed}:${spec.id}`), crash);
    const partial = { spec, installer, processes, stats: emptyStats() };
    runtimes.set(spec.id, { ...partial, service: serve(spec, partial) });
  }
  await options.nc.flush();

  return {
    nodeIds: nodes.map((n) => n.id),
    stats: () => Object.fromEntries([...runtimes].map(([id, r]) => [id, snapshotStats(r.stats)])),
    installed: async (nodeId) => {
      const runtime = runtimes.get(nodeId);
      if (runtime === undefined) throw new Error(`no simulated node "${nodeId}"`);
      return await runtime.installer.list();
    },
    stop: async (graceMs = 0) => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      for (const runtime of runtimes.values()) runtime.service.close();
      await Promise.all([...runtimes.values()].map((r) => r.service.settle(graceMs)));
      for (const runtime of runtimes.values()) runtime.installer.abortAll();
      await Promise.all([...runtimes.values()].map((r) => r.service.settle(1_000)));
      if (!options.nc.isClosed()) await options.nc.flush().catch(() => undefined);
    },
  };
}
