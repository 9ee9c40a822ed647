/**
 * `fleet-rollout plan --localai-url` through the built CLI against a simulated LocalAI frontend
 * over simulated nodes on a real nats-server: the frontend as inventory, nodes by status and
 * labels, the drain order, the models LocalAI will not load again, and which credential is wrong.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NatsConnection } from 'nats';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { startSimulatedFrontend } from '../../src/agent/simulated/frontend/index.js';
import { connectNats } from '../../src/nats/index.js';
import { testLogger } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli, installRequests, upgradeRequests } from './cli-harness.js';

const servers = useServers({ nats: true });
let nc: NatsConnection;
const KEY = 'admin-secret-123';

before(async () => {
  await servers.ready;
  nc = await connectNats({ servers: [servers.nats.url] });
  servers.beforeStop(() => nc.drain());
});

void test(
  'plan --localai-url: healthy nodes are targets, the rest left out with the reason; drain order; unrestored models; wrong keys named',
  withLogs(servers, async () => {
    const backend = uniqueName('be');
    const p = uniqueName('n');
    const log = testLogger();
    const ids = ['a', 'b', 'c', 'd', 'e'].map((s) => `${p}-${s}`);
    const [a = '', b = '', c = '', d = '', e = ''] = ids;
    const fleet = await startSimulatedFleet({
      nc,
      log,
      nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', replicas: 1 })),
    });
    const frontend = await startSimulatedFrontend({
      nc,
      log,
      nodes: ids.map((id, i) => ({
        id,
        labels: { zone: i % 2 === 0 ? 'eu' : 'us' },
        ...(id === d ? { pending: true } : {}),
      })),
      catalog: new Map([[`${backend}-model`, backend]]),
      auth: { apiKeys: [KEY], userKeys: ['user-key'] },
      tickMs: 3_600_000,
    });
    try {
      frontend.registry.drain(c);
      frontend.registry.setStatus(e, 'offline');
      const keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-key-')), 'admin.key');
      writeFileSync(keyFile, `${KEY}\n`);
      const inventory = path.join(path.dirname(keyFile), 'fleet.yaml');
      writeFileSync(inventory, `- { id: ${a} }\n`);
      const nats = ['--nats-url', servers.nats.url];
      const common = ['plan', '--backend', backend, '--localai-url', frontend.url, ...nats];
      const out = await runCli([...common, '--localai-api-key-file', keyFile]);
      expectExit(out, 0, 'plan');
      assert.ok(!out.stdout.includes(KEY) && !out.stderr.includes(KEY), 'the key is never printed');
      assert.match(out.stdout, /Plan for .*: 2 nodes/);
      assert.match(out.stdout, new RegExp(`${c}: draining in the LocalAI frontend`));
      assert.match(out.stdout, new RegExp(`${d}: pending in the LocalAI frontend`));
      assert.match(out.stdout, new RegExp(`${e}: offline in the LocalAI frontend`));
      assert.match(out.stdout, /5 nodes \(2 healthy, 1 draining, 1 pending, 1 offline\)/);
      assert.match(out.stdout, new RegExp(`${c}\\s+draining\\s+zone=eu`));
      assert.match(out.stdout, new RegExp(`Drain order \\(drain, upgrade, start check, resume\\): ${a}, ${b}`));
      assert.match(
        out.stdout,
        new RegExp(`${backend}-model on ${a}, ${b}: loads there again only on its next request`),
      );

      const selected = await runCli([...common, '--selector', 'zone=us', '--json'], { env: { LOCALAI_API_KEY: KEY } });
      expectExit(selected, 0, 'plan --selector --json');
      const json = JSON.parse(selected.stdout) as {
        waves: { nodes: { id: string }[] }[];
        skipped: { id: string }[];
        frontend: { drainOrder: string[] };
      };
      assert.deepEqual(json.frontend.drainOrder, [b]);
      assert.deepEqual(
        json.waves.flatMap((w) => w.nodes.map((n) => n.id)),
        [b],
      );
      assert.deepEqual(
        json.skipped.map((s) => s.id),
        [d],
        'only left-out nodes matching the selector',
      );

      frontend.registry.upsertConfig({
        modelName: `${backend}-model`,
        minReplicas: 2,
        maxReplicas: 0,
        spreadAll: false,
      });
      const restored = await runCli([...common, '--localai-api-key', KEY]);
      expectExit(restored, 0, 'plan with min_replicas');
      assert.match(restored.stdout, /Every model on these nodes has min_replicas or spread_all/);

      const wrong = await runCli([...common, '--localai-api-key', 'nope']);
      expectExit(wrong, 2, 'plan with a wrong key');
      assert.match(wrong.stderr, /refused the API key \(401\).*--localai-api-key/);
      assert.ok(!wrong.stderr.includes('nope'));
      const user = await runCli([...common, '--localai-api-key', 'user-key']);
      expectExit(user, 2, 'plan with a user key');
      assert.match(user.stderr, /not an admin \(403\)/);
      const both = await runCli([...common, '--localai-api-key', KEY, '--inventory', inventory]);
      expectExit(both, 2, 'plan with two inventories');
      assert.match(both.stderr, /--inventory and --localai-url: give one/);
      const start = await runCli([
        'start',
        '--backend',
        backend,
        '--localai-url',
        frontend.url,
        '--localai-api-key',
        'nope',
      ]);
      expectExit(start, 2, 'start with a wrong key');
      assert.match(start.stderr, /refused the API key \(401\)/, 'start reads the same inventory, before Temporal');
      assert.equal(upgradeRequests(fleet), 0);
      assert.equal(installRequests(fleet), 0);
    } finally {
      await frontend.stop();
      await fleet.stop();
    }
  }),
);
