import assert from 'node:assert/strict';
import path from 'node:path';
import { before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { ManagedProcess, waitUntil } from '../../src/local/managed-process.js';
import { PROJECT_ROOT } from '../../src/local/tools.js';
import { connectNats } from '../../src/nats/index.js';
import { rolloutWorkflowId, statusQuery } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { FleetObserver } from '../support/fleet-observer.js';
import { testLogger } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { readFileSync } from 'node:fs';

const servers = useServers({ temporal: { persist: true }, nats: true });
let client: Client;
before(async () => {
  await servers.ready;
  client = new Client({ connection: await Connection.connect({ address: servers.temporal.address }) });
  servers.beforeStop(() => client.connection.close());
});

/** The orchestrator worker as a separate process (`fleet-rollout worker`), ready when it says so. */
async function spawnWorker(taskQueue: string): Promise<ManagedProcess> {
  const logFile = path.join(servers.logDir, `${uniqueName('worker')}.log`);
  const proc = ManagedProcess.start(
    'worker',
    process.execPath,
    [
      path.join(PROJECT_ROOT, 'dist/src/cli/main.js'),
      'worker',
      '--temporal-address',
      servers.temporal.address,
      '--task-queue',
      taskQueue,
      '--nats-url',
      servers.nats.url,
    ],
    logFile,
  );
  await waitUntil(
    'the orchestrator worker process',
    () => Promise.resolve(readFileSync(logFile, 'utf8').includes('orchestrator worker running')),
    60_000,
  );
  return proc;
}

async function inFlightAtLeast(backend: string, n: number): Promise<void> {
  const handle = client.workflow.getHandle(rolloutWorkflowId(backend));
  await waitUntil(
    `${n} nodes in flight`,
    async () => (await handle.query(statusQuery, { nodes: 'none' })).counts.inFlight >= n,
    60_000,
  );
}

void test(
  'kill -9 of the orchestrator worker mid-rollout: a new worker finishes it and every node saw a single op id',
  { timeout: 300_000 },
  withLogs(servers, async () => {
    const nc = await connectNats({ servers: [servers.nats.url] });
    const backend = uniqueName('crash');
    const taskQueue = uniqueName('tq');
    const ids = Array.from({ length: 6 }, (_, i) => `${uniqueName('k')}-${i}`);
    const fleet = await startSimulatedFleet({
      nc,
      nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', installMs: 3_000 })),
      log: testLogger(),
    });
    const observer = await FleetObserver.start(nc, ['upgrade']);
    let worker = await spawnWorker(taskQueue);
    try {
      const handle = await client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: rolloutWorkflowId(backend),
        args: [{ spec: { backend, nodes: ids, maxParallel: 3, maxUnavailable: '100%', minHealthyTime: 0 } }],
      });
      // Kill once requests are on the wire: a worker killed before its request left would leave the
      // node quiet on the old install, re-sent only after the quiet period (minutes by default).
      await waitUntil('2 upgrade requests on the wire', () => Promise.resolve(observer.requests.length >= 2), 60_000);
      await worker.kill();
      worker = await spawnWorker(taskQueue);
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      for (const id of ids) {
        const opIds = new Set(observer.forNode(id).map((r) => r.opId));
        assert.equal(opIds.size, 1, `${id} received requests with op ids ${[...opIds].join(', ')}`);
      }
      const resent = ids.filter((id) => observer.forNode(id).length > 1);
      assert.deepEqual(resent, [], 'no node was sent the upgrade twice: the retry verified first');
    } finally {
      await worker.stop();
      observer.stop();
      await fleet.stop();
      await nc.drain();
    }
  }),
);

void test(
  'a restart of the (persisted) Temporal server mid-rollout: the rollout completes',
  { timeout: 300_000 },
  withLogs(servers, async () => {
    const nc = await connectNats({ servers: [servers.nats.url] });
    const backend = uniqueName('restart');
    const taskQueue = uniqueName('tq');
    const ids = Array.from({ length: 4 }, (_, i) => `${uniqueName('r')}-${i}`);
    const fleet = await startSimulatedFleet({
      nc,
      nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', installMs: 2_000 })),
      log: testLogger(),
    });
    const worker = await spawnWorker(taskQueue);
    try {
      const handle = await client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: rolloutWorkflowId(backend),
        args: [{ spec: { backend, nodes: ids, maxParallel: 2, maxUnavailable: '100%', minHealthyTime: 0 } }],
      });
      await inFlightAtLeast(backend, 1);
      await servers.temporal.restart();
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      assert.equal(result.counts.succeeded, 4);
    } finally {
      await worker.stop();
      await fleet.stop();
      await nc.drain();
    }
  }),
);

void test(
  'kill -9 of the worker during a start check: another worker runs it within the heartbeat timeout',
  { timeout: 180_000 },
  withLogs(servers, async () => {
    const nc = await connectNats({ servers: [servers.nats.url] });
    const backend = uniqueName('probe');
    const taskQueue = uniqueName('tq');
    const id = uniqueName('p');
    // Every reply comes 6 s after its request: the upgrade times out (2 s) and is verified, then the
    // start check's install is in flight long enough to kill the worker under it.
    const fleet = await startSimulatedFleet({
      nc,
      nodes: [{ id, backend, version: 'v1.0.0', installMs: 300, hangMs: 6_000 }],
      log: testLogger(),
    });
    let worker = await spawnWorker(taskQueue);
    try {
      const handle = await client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: rolloutWorkflowId(backend),
        args: [{ spec: { backend, nodes: [id], upgradeTimeout: '2s', minHealthyTime: 0 } }],
      });
      await waitUntil(
        'the start check on the wire',
        () => Promise.resolve((fleet.stats()[id]?.requests.install ?? 0) >= 1),
        60_000,
      );
      await worker.kill();
      const killedAt = Date.now();
      worker = await spawnWorker(taskQueue);
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      assert.ok(
        result.nodes[0]?.steps?.some((s) => s.startsWith('start check passed')),
        JSON.stringify(result.nodes[0]?.steps),
      );
      // The step's start-to-close timeout is 11 minutes; the heartbeat timeout is 30 s.
      const after = Date.now() - killedAt;
      assert.ok(after < 90_000, `the start check was retried ${after} ms after the kill`);
    } finally {
      await worker.stop();
      await fleet.stop();
      await nc.drain();
    }
  }),
);
