/**
 * A node whose replica count nobody can say (no `models.running`, no inventory value), on real
 * Temporal and NATS with simulated nodes: its upgrade may take every replica with it, so it runs
 * only while no other replica is down, and nothing else starts while it does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import type { NodeStatus } from '../../src/workflows/status.js';
import { recordHistory } from '../support/histories.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);

/** True when `a` and `b` were in flight at the same time. */
function overlap(a: NodeStatus, b: NodeStatus): boolean {
  return (a.startedAt ?? 0) < (b.finishedAt ?? 0) && (b.startedAt ?? 0) < (a.finishedAt ?? 0);
}

void test(
  'a node of unknown replica count is upgraded alone, although the budget would let all three start at once',
  withLogs(servers, async () => {
    const backend = uniqueName('dark');
    const p = uniqueName('d');
    const ids = [`${p}-a`, `${p}-b`, `${p}-c`];
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      log: orch.log,
      nodes: ids.map((id) => ({
        id,
        backend,
        version: 'v1.0.0',
        installMs: 400,
        replicas: 2,
        ...(id === `${p}-b` ? { modelsRunning: false } : {}),
      })),
    });
    try {
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(backend),
        args: [{ spec: { backend, nodes: ids, maxParallel: 3, maxUnavailable: '100%', minHealthyTime: 0 } }],
      });
      const result = await handle.result();
      recordHistory(servers.temporal.address, handle.workflowId, 'unknown-replicas-alone');
      assert.equal(result.phase, 'succeeded', result.message);
      const [a, b, c] = ids.map((id) => result.nodes.find((n) => n.id === id));
      assert.ok(a !== undefined && b !== undefined && c !== undefined);
      assert.equal(b.replicasUnknown, true);
      assert.ok(
        b.steps?.includes(
          'replica count unknown (no models.running, no inventory value): upgraded only while no other replica is down',
        ),
        JSON.stringify(b.steps),
      );
      assert.equal(a.replicasUnknown, undefined);
      assert.ok(!overlap(a, b), `a ${a.startedAt}–${a.finishedAt}, b ${b.startedAt}–${b.finishedAt}`);
      assert.ok(!overlap(b, c), `b ${b.startedAt}–${b.finishedAt}, c ${c.startedAt}–${c.finishedAt}`);
      assert.ok((b.startedAt ?? 0) >= (a.finishedAt ?? Infinity), 'b waited for a');
      assert.ok((c.startedAt ?? 0) >= (b.finishedAt ?? Infinity), 'c waited for b');
      assert.equal(b.replicasRestored, 2, JSON.stringify(b.steps));
      for (const proc of fleet.processes(b.id))
        assert.equal(
          proc.generation,
          (await fleet.installed(b.id)).find((x) => x.name === backend)?.installedAt,
          `${proc.key} runs the new build`,
        );
    } finally {
      await fleet.stop();
    }
  }),
);
