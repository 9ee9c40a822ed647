/**
 * The simulated frontend of `fleet --frontend-listen` and `frontend-sim`, started on the NATS
 * connection of the nodes it fronts, printing its address and, at the end, its traffic counts.
 */
import type { NatsConnection } from 'nats';
import type { Logger } from '../../../log.js';
import { startSimulatedFrontend, type SimulatedFrontend, type SimulatedFrontendOptions } from './index.js';

/** What the frontend serves. */
export type FleetFrontendOptions = Omit<SimulatedFrontendOptions, 'nc' | 'log'>;

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
