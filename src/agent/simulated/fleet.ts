/**
 * Many simulated nodes served from one process over one NATS connection: each node has its own
 * subscriptions (so a legacy node yields a real *no responders* on `backend.upgrade`), its own
 * state, locks, op-id record and seeded random generator. With a state directory, every node's
 * installs survive a kill of the process.
 */
import type { NatsConnection } from 'nats';
import { z } from 'zod';
import { tokenProblems } from '../../domain/targets.js';
import type { Logger } from '../../log.js';
import { nodeToken, type BackendInfo } from '../../protocol/index.js';
import { serveNode, type NodeService } from '../node/node-service.js';
import { SimulatedInstaller } from './installer.js';
import type { ProcessInfo } from '../node/process-table.js';
import { SimulatedProcesses } from './processes.js';
import { SimulationStateDir } from './state.js';
import { seededRandom, SimulatedNodeSchema, type SimulatedNode, type SimulatedNodeInput } from './knobs.js';
import { emptyStats, snapshotStats, type NodeStats } from '../node/stats.js';

/** What {@link startSimulatedFleet} needs. */
export interface SimulatedFleetOptions {
  nc: NatsConnection;
  nodes: readonly SimulatedNodeInput[];
  log: Logger;
  /** Seed of every node's random generator (combined with the node id). @default "fleet-rollout" */
  seed?: string | number;
  /** Largest accepted request. @default 1 MiB */
  maxRequestBytes?: number;
  /**
   * Keep every node's installs in this directory (created when missing): a fleet started again on
   * it comes back with the same installs (`installed_at`, version, digest, uri) and no processes.
   * @default none: every start begins from the knobs
   */
  stateDir?: string;
}

/** A running simulated fleet. */
export interface SimulatedFleet {
  readonly nodeIds: readonly string[];
  /** Per node: requests received per subject, installs run, dedup hits. */
  stats(): Record<string, NodeStats>;
  /** What a node has installed right now (without asking over NATS). */
  installed(nodeId: string): Promise<BackendInfo[]>;
  /** The processes a node runs right now, with the install generation each was started from. */
  processes(nodeId: string): ProcessInfo[];
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
  const ids = parsed.data.map((n) => n.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new Error(`invalid simulated fleet: node id ${JSON.stringify(twice)} is listed twice`);
  const problems = tokenProblems(ids, nodeToken);
  if (problems.length > 0) throw new Error(`invalid simulated fleet: ${problems.join('; ')}`);
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
      ...(spec.modelsRunning !== undefined ? { modelsRunning: spec.modelsRunning } : {}),
      hangMs: spec.hangMs,
      stats: runtime.stats,
      ...(options.maxRequestBytes !== undefined ? { maxRequestBytes: options.maxRequestBytes } : {}),
    });

  const stateDir = options.stateDir === undefined ? undefined : SimulationStateDir.open(options.stateDir);
  for (const spec of nodes) {
    const backends = [spec.backend, ...spec.otherBackends.map((b) => b.name)];
    const crash = (): void => {
      const runtime = runtimes.get(spec.id);
      if (runtime === undefined) return;
      options.log.warn({ nodeId: spec.id, restartMs: spec.crashRestartMs }, 'simulated node crashed');
      runtime.service.crash();
      runtime.installer.abortAll();
      // A restarted worker knows no processes: nothing comes back by itself.
      void runtime.processes.stopAll();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (stopped) return;
        runtime.service = serve(spec, runtime);
        options.log.info({ nodeId: spec.id }, 'simulated node restarted');
      }, spec.crashRestartMs);
      timers.add(timer);
    };
    const saved = stateDir?.load(spec.id);
    const save = (): void => stateDir?.save(spec.id, installer.snapshot());
    const installer = new SimulatedInstaller(spec, seededRandom(`${seed}:${spec.id}`), crash, saved, save);
    if (saved === undefined) save();
    const installs = installer.snapshot();
    const processes = new SimulatedProcesses({
      replicas: saved === undefined ? spec.replicas : 0,
      backends: backends.map((name) => ({ name, generation: installs[name]?.installedAt ?? '' })),
      startFailure: (backend, key) => installer.startFailure(backend, key),
    });
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
    processes: (nodeId) => {
      const runtime = runtimes.get(nodeId);
      if (runtime === undefined) throw new Error(`no simulated node "${nodeId}"`);
      return runtime.processes.list();
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
