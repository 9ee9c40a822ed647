/**
 * The simulated frontend through the built CLI on a real nats-server: `fleet --frontend-listen`
 * serves the registry for its own nodes, and `frontend-sim` does the same for that fleet from a
 * second process; both stop cleanly on SIGTERM and print their traffic counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { spawnCli, waitFor, type CliProcess } from './cli-harness.js';

const servers = useServers({ nats: true });

const urlOf = (proc: CliProcess): Promise<string> =>
  waitFor('the frontend URL', () =>
    Promise.resolve(/frontend: simulated LocalAI frontend at (\S+)/.exec(proc.output())?.[1]),
  );

void test(
  'fleet --frontend-listen and frontend-sim serve the node registry with auth and count traffic',
  withLogs(servers, async () => {
    const prefix = `${uniqueName('f')}-`;
    const nats = ['--nats-url', servers.nats.url];
    const fleet = spawnCli([
      'fleet',
      ...['--nodes', '2', '--prefix', prefix, '--backend', 'llama-cpp@v1', '--replicas', '1', ...nats],
      ...['--frontend-listen', '127.0.0.1:0', '--frontend-api-key', 'k', '--frontend-zones', 'a,b'],
    ]);
    let standalone: CliProcess | undefined;
    try {
      const fleetUrl = await urlOf(fleet);
      // Started once the fleet serves, as a LocalAI frontend only knows workers that registered.
      standalone = spawnCli([
        'frontend-sim',
        ...['--nodes', `${prefix}0,${prefix}1`, '--backend', 'llama-cpp', ...nats],
        ...['--frontend-listen', '127.0.0.1:0', '--traffic-rps', '20', '--traffic-request-time', '50ms'],
      ]);

      const denied = await fetch(`${fleetUrl}/api/nodes`);
      assert.equal(denied.status, 401);
      const nodes = (await (await fetch(`${fleetUrl}/api/nodes`, { headers: { 'x-api-key': 'k' } })).json()) as {
        id: string;
        labels: Record<string, string>;
        model_count: number;
      }[];
      assert.deepEqual(
        nodes.map((n) => [n.id, n.labels['zone'], n.model_count]),
        [
          [`${prefix}0`, 'a', 1],
          [`${prefix}1`, 'b', 1],
        ],
      );
      const simUrl = await urlOf(standalone);
      await waitFor('traffic', async () => {
        const stats = (await (await fetch(`${simUrl}/sim/traffic`)).json()) as { succeeded: number };
        return stats.succeeded >= 5 ? true : undefined;
      });
    } finally {
      standalone?.kill('SIGTERM');
      assert.equal(await standalone?.exited, 0);
      fleet.kill('SIGTERM');
      assert.equal(await fleet.exited, 0);
    }
    assert.match(standalone?.output() ?? '', /frontend: traffic \d+ sent, \d+ ok, 0 failed/);
  }),
);
