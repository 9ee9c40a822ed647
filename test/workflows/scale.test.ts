import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);

void test(
  'a 2,000-node rollout with instant installs and maxParallel 100 completes through continue-as-new',
  { timeout: 600_000 },
  withLogs(servers, async () => {
    const backend = uniqueName('scale');
    const ids = Array.from({ length: 2_000 }, (_, i) => `s${i}`);
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', installMs: 0 })),
      log: orch.log,
    });
    try {
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(backend),
        args: [{ spec: { backend, nodes: ids, maxParallel: 100, maxUnavailable: '100%', minHealthyTime: 0 } }],
      });
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      assert.equal(result.counts.succeeded, 2_000);
      assert.ok(result.continueAsNewCount >= 1, `continued as new ${result.continueAsNewCount} times`);
      assert.equal(result.nodes.length, 2_000, 'the result lists every node');
      const bytes = JSON.stringify(result).length;
      assert.ok(bytes < 1_000_000, `the result stays small (succeeded nodes summarised): ${bytes} bytes`);
      const stats = fleet.stats();
      assert.ok(
        ids.every((id) => stats[id]?.requests.upgrade === 1),
        'every node got exactly one upgrade request',
      );
    } finally {
      await fleet.stop();
    }
  }),
);
