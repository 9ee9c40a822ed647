/**
 * What a rollout does to inference traffic routed by a LocalAI frontend, on real Temporal and
 * NATS with simulated nodes and the simulated frontend sending constant traffic. Without drain,
 * the upgrade kills processes the frontend still routes to: requests in flight fail, and so does
 * every request routed to a row left pointing at a killed process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { startSimulatedFrontend } from '../../src/agent/simulated-frontend/index.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);

void test(
  'without the frontend, a rollout under constant traffic fails requests (killed in flight, or routed to stale rows)',
  withLogs(servers, async () => {
    const backend = uniqueName('llama');
    const prefix = uniqueName('n');
    const model = `${backend}-model`;
    const ids = Array.from({ length: 4 }, (_, i) => `${prefix}-${i}`);
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      log: orch.log,
      nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', installMs: 400, replicas: 1 })),
    });
    const frontend = await startSimulatedFrontend({
      nc: orch.nc,
      log: orch.log,
      nodes: ids.map((id) => ({ id })),
      catalog: new Map([[model, backend]]),
      scheduling: [{ model, minReplicas: ids.length }],
      tickMs: 1_000,
      traffic: { ratePerSec: 20, requestMs: 300 },
    });
    try {
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(backend),
        args: [{ spec: { backend, nodes: ids, maxParallel: 1 } }],
      });
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded');
      const stats = await frontend.stop();
      assert.ok(stats !== undefined);
      console.log(
        `without the frontend: ${stats.sent} requests, ${stats.failed} failed (killed in flight ${stats.byKind.killed}, stale row ${stats.byKind['stale-row']}, no node ${stats.byKind['no-node']})`,
      );
      assert.ok(stats.failed > 0, 'a rollout that does not drain fails requests');
      assert.ok(stats.byKind.killed + stats.byKind['stale-row'] > 0);
    } finally {
      await frontend.stop();
      await fleet.stop();
    }
  }),
);
