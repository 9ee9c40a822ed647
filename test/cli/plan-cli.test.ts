/**
 * `fleet-rollout plan` through the built CLI against a real nats-server and simulated nodes:
 * waves in planning order, budgets, nodes left out and why, and no upgrade sent.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NatsConnection } from 'nats';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { connectNats } from '../../src/nats/index.js';
import { testLogger } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli, installRequests, upgradeRequests } from './cli-harness.js';

const servers = useServers({ nats: true });
let nc: NatsConnection;

before(async () => {
  await servers.ready;
  nc = await connectNats({ servers: [servers.nats.url] });
  servers.beforeStop(() => nc.drain());
});

void test(
  'plan prints the waves, the budgets and the nodes left out, and upgrades nothing',
  withLogs(servers, async () => {
    const backend = uniqueName('be');
    const p = uniqueName('n');
    const log = testLogger();
    const fleet = await startSimulatedFleet({
      nc,
      log,
      nodes: [
        { id: `${p}-a`, backend, version: 'v1.0.0', replicas: 2 },
        { id: `${p}-b`, backend, version: 'v1.0.0', replicas: 2 },
        { id: `${p}-c`, backend, version: 'v1.0.0', replicas: 2 },
        { id: `${p}-d`, backend, version: 'v1.0.0', replicas: 2 },
        { id: `${p}-other`, backend: 'whisper', version: 'v1.0.0' },
      ],
    });
    try {
      const inventory = path.join(mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-plan-')), 'fleet.yaml');
      const zones = { a: 'eu', b: 'us', c: 'eu', d: 'us', other: 'eu', gone: 'eu', skip: 'eu' };
      writeFileSync(
        inventory,
        `nodes:\n${Object.entries(zones)
          .map(([n, zone]) => `  - { id: ${p}-${n}, labels: { zone: ${zone} } }`)
          .join('\n')}\n`,
      );
      const args = [
        'plan',
        '--backend',
        backend,
        '--inventory',
        inventory,
        '--exclude',
        `${p}-skip`,
        '--canary',
        '1',
        '--batches',
        '50%',
        '--max-unavailable',
        '50%',
        '--nats-url',
        servers.nats.url,
      ];

      const text = await runCli(args);
      expectExit(text, 0, 'plan');
      assert.match(text.stdout, new RegExp(`Plan for ${backend}: 4 nodes in 3 waves`));
      assert.match(text.stdout, /maxParallel 1 · replicas down at once ≤ 4 of 8 · failures tolerated 0/);
      assert.match(text.stdout, new RegExp(`Wave 1 \\(canary, 1 node\\):\\n.*\\n\\s+${p}-a\\s+eu\\s+2\\s+v1\\.0\\.0`));
      assert.match(
        text.stdout,
        new RegExp(`Wave 2 \\(batch, 2 nodes\\):\\n.*\\n\\s+${p}-c\\s+eu.*\\n\\s+${p}-b\\s+us`),
      );
      assert.match(text.stdout, new RegExp(`Wave 3 \\(batch, 1 node\\):\\n.*\\n\\s+${p}-d\\s+us`));
      assert.match(text.stdout, new RegExp(`${p}-skip: excluded`));
      assert.match(text.stdout, new RegExp(`${p}-other: not-installed: ${backend} is not installed on this node`));
      assert.match(text.stdout, new RegExp(`${p}-gone: unreachable: no responders`));
      assert.match(text.stdout, /Nothing was upgraded\./);

      const json = await runCli([...args, '--json']);
      expectExit(json, 0, 'plan --json');
      const plan = JSON.parse(json.stdout) as {
        waves: { kind: string; nodes: { id: string }[] }[];
        skipped: { id: string }[];
      };
      assert.deepEqual(
        plan.waves.map((w) => [w.kind, w.nodes.map((n) => n.id)]),
        [
          ['canary', [`${p}-a`]],
          ['batch', [`${p}-c`, `${p}-b`]],
          ['batch', [`${p}-d`]],
        ],
      );
      assert.equal(plan.skipped.length, 3);
      assert.equal(upgradeRequests(fleet), 0, 'plan upgrades nothing');
      assert.equal(installRequests(fleet), 0, 'plan installs nothing');
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'plan names the legacy workers and warns that a passive subscriber on nodes.> keeps them from the fallback',
  withLogs(servers, async () => {
    const backend = uniqueName('be');
    const p = uniqueName('l');
    const fleet = await startSimulatedFleet({
      nc,
      log: testLogger(),
      nodes: [
        { id: `${p}-new`, backend, version: 'v1.0.0' },
        { id: `${p}-old`, backend, version: 'v1.0.0', legacy: true },
      ],
    });
    try {
      const args = ['plan', '--backend', backend, '--nodes', `${p}-new,${p}-old`, '--nats-url', servers.nats.url];
      const text = await runCli(args);
      expectExit(text, 0, 'plan');
      assert.match(text.stdout, new RegExp(`Legacy workers \\(no models.running\\): ${p}-old\\.\\n`));
      assert.match(
        text.stdout,
        /a passive\nsubscriber on nodes\.> \(a debugging `nats sub`\) turns that into a timeout/,
      );
      const json = await runCli([...args, '--json']);
      expectExit(json, 0, 'plan --json');
      const nodes = (JSON.parse(json.stdout) as { waves: { nodes: { id: string; legacy?: boolean }[] }[] }).waves
        .flatMap((w) => w.nodes)
        .map((n) => [n.id, n.legacy === true]);
      assert.deepEqual(
        new Map(nodes as [string, boolean][]),
        new Map([
          [`${p}-new`, false],
          [`${p}-old`, true],
        ]),
      );
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'plan marks a node of unknown replica count and says it is upgraded only while nothing else is down; an inventory count makes it known',
  withLogs(servers, async () => {
    const backend = uniqueName('be');
    const p = uniqueName('u');
    const fleet = await startSimulatedFleet({
      nc,
      log: testLogger(),
      nodes: [
        { id: `${p}-known`, backend, version: 'v1.0.0', replicas: 2 },
        { id: `${p}-dark`, backend, version: 'v1.0.0', replicas: 2, modelsRunning: false },
      ],
    });
    try {
      const args = ['plan', '--backend', backend, '--nats-url', servers.nats.url];
      const text = await runCli([...args, '--nodes', `${p}-known,${p}-dark`]);
      expectExit(text, 0, 'plan');
      assert.match(text.stdout, new RegExp(`${p}-dark +\\? +v1\\.0\\.0`));
      assert.match(text.stdout, new RegExp(`${p}-known +2 +v1\\.0\\.0`));
      assert.match(
        text.stdout,
        new RegExp(`Replica count unknown \\(no models.running, no inventory replicas\\): ${p}-dark\\.\\n`),
      );
      assert.match(text.stdout, /each is upgraded only while no other\nreplica is down/);
      const json = await runCli([...args, '--nodes', `${p}-known,${p}-dark`, '--json']);
      expectExit(json, 0, 'plan --json');
      const nodes = (
        JSON.parse(json.stdout) as { waves: { nodes: { id: string; replicasUnknown?: boolean }[] }[] }
      ).waves
        .flatMap((w) => w.nodes)
        .map((n): [string, boolean] => [n.id, n.replicasUnknown === true]);
      assert.deepEqual(
        new Map(nodes),
        new Map([
          [`${p}-known`, false],
          [`${p}-dark`, true],
        ]),
      );
      const dir = mkdtempSync(path.join(os.tmpdir(), 'plan-unknown-'));
      const inventory = path.join(dir, 'inventory.json');
      writeFileSync(inventory, JSON.stringify([{ id: `${p}-known` }, { id: `${p}-dark`, replicas: 3 }]));
      const counted = await runCli([...args, '--inventory', inventory]);
      expectExit(counted, 0, 'plan --inventory');
      assert.match(counted.stdout, new RegExp(`${p}-dark +3 +v1\\.0\\.0`));
      assert.doesNotMatch(counted.stdout, /Replica count unknown/);
    } finally {
      await fleet.stop();
    }
  }),
);
