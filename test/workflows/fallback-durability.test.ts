/**
 * The fallback fact survives a worker's death: a legacy node (no `backend.upgrade`) is in its forced
 * `backend.install` when the orchestrator worker is killed with SIGKILL; the retried activity reads
 * the last heartbeat, and the node ends up reported with `fallback: true`.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { ManagedProcess, waitUntil } from '../../src/local/managed-process.js';
import { connectNats } from '../../src/nats/index.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { testLogger } from '../support/orchestrator.js';
import { spawnWorker as spawnProcessWorker } from '../support/worker-process.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
let client: Client;
before(async () => {
  await servers.ready;
  client = new Client({ connection: await Connection.connect({ address: servers.temporal.address }) });
  servers.beforeStop(() => client.connection.close());
});

/** The orchestrator worker as its own process, on this file's servers. */
function spawnWorker(taskQueue: string): Promise<ManagedProcess> {
  return spawnProcessWorker(servers, taskQueue);
}

void test(
  'kill -9 of the worker during a legacy node forced install: status still says fallback',
  { timeout: 180_000 },
  withLogs(servers, async () => {
    const nc = await connectNats({ servers: [servers.nats.url] });
    const backend = uniqueName('legacy');
    const taskQueue = uniqueName('tq');
    const id = uniqueName('old');
    const fleet = await startSimulatedFleet({
      nc,
      nodes: [{ id, backend, version: 'v1.0.0', installMs: 8_000, legacy: true }],
      log: testLogger(),
    });
    let worker = await spawnWorker(taskQueue);
    try {
      const handle = await client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: rolloutWorkflowId(backend),
        args: [{ spec: { backend, nodes: [id], minHealthyTime: 0, startCheck: false } }],
      });
      await waitUntil(
        'the forced install to reach the legacy node',
        () => Promise.resolve((fleet.stats()[id]?.requests.install ?? 0) >= 1),
        60_000,
      );
      // Let a heartbeat carrying the fallback leave the worker (heartbeats are throttled to 500 ms).
      await waitUntil(
        'a heartbeat after the fallback',
        async () => {
          const d = await handle.describe();
          const pending = d.raw.pendingActivities?.[0];
          const payload = pending?.heartbeatDetails?.payloads?.[0]?.data;
          return payload !== undefined && payload !== null && Buffer.from(payload).toString().includes('"fallback"');
        },
        10_000,
      );
      await worker.kill();
      worker = await spawnWorker(taskQueue);
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      const node = result.nodes[0];
      assert.equal(node?.fallback, true, `steps: ${JSON.stringify(node?.steps)}`);
      assert.ok(
        node?.steps?.some((s) => s.startsWith('outcome unknown: attempt 2')),
        `the activity was retried after the kill: ${JSON.stringify(node?.steps)}`,
      );
      assert.equal(fleet.stats()[id]?.requests.install, 1, 'the forced install was not sent twice');
    } finally {
      await worker.stop();
      await fleet.stop();
      await nc.drain();
    }
  }),
);
