import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulatedFleet } from '../../src/agent/index.js';
import type { RolloutSpecInput } from '../../src/domain/spec.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { FleetObserver } from '../support/fleet-observer.js';
import { recordHistory } from '../support/histories.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);

function start(spec: RolloutSpecInput, historyEventLimit?: number) {
  return orch.client.workflow.start(rolloutWorkflow, {
    taskQueue: orch.taskQueue,
    workflowId: rolloutWorkflowId(spec.backend),
    args: [{ spec, ...(historyEventLimit !== undefined ? { historyEventLimit } : {}) }],
  });
}

void test(
  'a rollout continues as new several times and still upgrades every node exactly once',
  withLogs(servers, async () => {
    const backend = uniqueName('can');
    const ids = Array.from({ length: 16 }, (_, i) => `${uniqueName('c')}-${i}`);
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', installMs: 20 })),
      log: orch.log,
    });
    const observer = await FleetObserver.start(orch.nc, ['upgrade']);
    try {
      const handle = await start(
        { backend, nodes: ids, maxParallel: 2, maxUnavailable: '100%', minHealthyTime: 0 },
        40,
      );
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      assert.equal(result.counts.succeeded, 16);
      assert.ok(result.continueAsNewCount >= 2, `continued as new ${result.continueAsNewCount} times`);
      for (const id of ids) assert.equal(observer.forNode(id).length, 1, `${id}: one upgrade request`);
      // The first run: it ends by continuing as new, carrying its state.
      recordHistory(
        servers.temporal.address,
        handle.workflowId,
        'continue-as-new-first-run',
        handle.firstExecutionRunId,
      );
    } finally {
      observer.stop();
      await fleet.stop();
    }
  }),
);

void test(
  'two rollouts of different backends on one worker keep their own state',
  withLogs(servers, async () => {
    const [a, b] = [uniqueName('left'), uniqueName('right')];
    const idsA = [0, 1, 2].map((i) => `${uniqueName('a')}-${i}`);
    const idsB = [0, 1, 2, 3].map((i) => `${uniqueName('b')}-${i}`);
    const failing = idsB[2] ?? '';
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: [
        ...idsA.map((id) => ({ id, backend: a, version: 'v1.0.0', installMs: 200 })),
        ...idsB.map((id) => ({
          id,
          backend: b,
          version: 'v2.0.0',
          installMs: 100,
          ...(id === failing ? { failVersion: 'v2.0.1' } : {}),
        })),
      ],
      log: orch.log,
    });
    try {
      const [ha, hb] = await Promise.all([
        start({ backend: a, nodes: idsA, maxParallel: 1, minHealthyTime: 0 }),
        start({
          backend: b,
          nodes: idsB,
          maxParallel: 2,
          maxUnavailable: '100%',
          minHealthyTime: 0,
          onFailure: 'continue',
        }),
      ]);
      const [ra, rb] = await Promise.all([ha.result(), hb.result()]);
      assert.equal(ra.phase, 'succeeded', ra.message);
      assert.deepEqual(
        ra.nodes.map((n) => n.state),
        ['succeeded', 'succeeded', 'succeeded'],
      );
      assert.equal(rb.phase, 'failed');
      assert.deepEqual(
        rb.nodes.map((n) => [n.id, n.state]),
        idsB.map((id) => [id, id === failing ? 'failed' : 'succeeded']),
      );
      assert.equal(ra.counts.failed, 0, 'the other rollout’s failure does not leak into this one');
      const stats = fleet.stats();
      for (const id of [...idsA, ...idsB]) assert.equal(stats[id]?.requests.upgrade, 1, `${id}: one upgrade request`);
    } finally {
      await fleet.stop();
    }
  }),
);
