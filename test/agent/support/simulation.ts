/** Shared set-up of the simulated-node test files: a nats-server, one connection, fleets stopped at the end. */
import { after } from 'node:test';
import { createHash } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { startSimulatedFleet, type SimulatedFleet, type SimulatedNodeInput } from '../../../src/agent/index.js';
import { uniqueName, useServers, type ServerSet } from '../../support/servers.js';
import { lazyConnection, testLogger } from './wire.js';

/** What a simulated-node test file gets. */
export interface SimulationSetup {
  servers: ServerSet;
  connection: () => Promise<NatsConnection>;
  /** Starts a fleet of `nodes` with unique ids (seed "tests"); stopped after the file's tests. */
  fleetOf: (...nodes: Omit<SimulatedNodeInput, 'id'>[]) => Promise<{ fleet: SimulatedFleet; ids: string[] }>;
}

/** Registers the hooks (fleets and connection closed before the server stops) and returns the helpers. */
export function useSimulation(): SimulationSetup {
  const fleets: SimulatedFleet[] = [];
  after(async () => {
    for (const fleet of fleets) await fleet.stop();
    await connection.close();
  });
  const servers = useServers({ nats: true, temporal: false });
  const connection = lazyConnection(() => servers.nats.url);
  return {
    servers,
    connection: () => connection.get(),
    fleetOf: async (...nodes) => {
      const withIds = nodes.map((n) => ({ id: uniqueName('sim'), ...n }));
      const fleet = await startSimulatedFleet({
        nc: await connection.get(),
        nodes: withIds,
        log: testLogger(),
        seed: 'tests',
      });
      fleets.push(fleet);
      return { fleet, ids: withIds.map((n) => n.id) };
    },
  };
}

/** LocalAI's default galleries, as the frontend sends them (vectors GAL). */
export const GAL =
  '[{"url":"https://index.localai.io/backends","mirrors":["github:mudler/LocalAI/backend/index.yaml@master"],"name":"localai"}]';

/** The digest a simulated node reports for `name@version`. */
export const simulatedDigest = (name: string, version: string): string =>
  `sha256:${createHash('sha256').update(`${name}@${version}`).digest('hex')}`;

/** The `installed_at` of the first backend in a list reply. */
export const installedAt = (listReply: string): string => /"installed_at":"([^"]+)"/.exec(listReply)?.[1] ?? '';
