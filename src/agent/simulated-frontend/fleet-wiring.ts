/**
 * `fleet --frontend-listen`: the simulated frontend over the fleet's own nodes and models
 * (`<backend>-model` for each simulated backend), started on the fleet's NATS connection.
 */
import type { NatsConnection } from 'nats';
import type { Logger } from '../../log.js';
import type { NodeKnobs } from '../simulation-flags.js';
import { SimulatedProcesses } from '../simulated-processes.js';
import { frontendOptionsFromFlags, type FrontendFlagValues } from './flags.js';
import { startSimulatedFrontend, type SimulatedFrontend, type SimulatedFrontendOptions } from './index.js';

/** What the fleet's frontend serves. */
export type FleetFrontendOptions = Omit<SimulatedFrontendOptions, 'nc' | 'log'>;

/**
 * The frontend the flags ask for, or `undefined` without `--frontend-listen`.
 * @throws FlagError naming the flag.
 */
export function fleetFrontendOptions(
  values: FrontendFlagValues,
  nodeIds: readonly string[],
  knobs: NodeKnobs,
): FleetFrontendOptions | undefined {
  const backends = [knobs.backend, ...(knobs.otherBackends ?? []).map((b) => b.name)];
  const catalog = new Map(backends.map((b) => [SimulatedProcesses.modelOf(b), b]));
  const options = frontendOptionsFromFlags(values, nodeIds, [...catalog.keys()]);
  return options === undefined ? undefined : { ...options, catalog };
}

/** Starts the frontend and prints its URL; `stop` prints the traffic counts. */
export async function startFleetFrontend(
  nc: NatsConnection,
  log: Logger,
  options: FleetFrontendOptions,
): Promise<SimulatedFrontend> {
  const frontend = await startSimulatedFrontend({ ...options, nc, log });
  const traffic =
    options.traffic === false || options.traffic === undefined
      ? 'no traffic'
      : `${options.traffic.ratePerSec ?? 10} requests/s`;
  console.log(
    `frontend: simulated LocalAI frontend at ${frontend.url} (${options.nodes.length} nodes, tick ${options.tickMs ?? 30_000} ms, ${traffic})`,
  );
  return {
    ...frontend,
    stop: async () => {
      const stats = await frontend.stop();
      if (stats !== undefined)
        console.log(
          `frontend: traffic ${stats.sent} sent, ${stats.succeeded} ok, ${stats.failed} failed (killed ${stats.byKind.killed}, stale row ${stats.byKind['stale-row']}, no node ${stats.byKind['no-node']})`,
        );
      return stats;
    },
  };
}
