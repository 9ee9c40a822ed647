/**
 * The replica set recorded before the upgrade, on real Temporal and NATS with simulated nodes:
 * replicas come back when the reply that named them was lost (a timeout, a node that restarted
 * mid-install), and after the legacy forced install every replica of the backend runs the new build.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulatedFleet, type SimulatedFleet } from '../../src/agent/index.js';
import type { SimulatedNodeInput } from '../../src/agent/simulated/knobs.js';
import type { RolloutSpecInput } from '../../src/domain/spec.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import type { NodeStatus } from '../../src/workflows/status.js';
import { recordHistory } from '../support/histories.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);

function start(spec: RolloutSpecInput) {
  return orch.client.workflow.start(rolloutWorkflow, {
    taskQueue: orch.taskQueue,
    workflowId: rolloutWorkflowId(spec.backend),
    args: [{ spec }],
  });
}

async function withFleet(nodes: SimulatedNodeInput[], body: (fleet: SimulatedFleet) => Promise<void>): Promise<void> {
  const fleet = await startSimulatedFleet({ nc: orch.nc, nodes, log: orch.log });
  try {
    await body(fleet);
  } finally {
    await fleet.stop();
  }
}

/** Asserts that `id` runs exactly `keys`, each started from the backend's current install. */
async function assertServesOnNewBuild(fleet: SimulatedFleet, id: string, backend: string, keys: readonly string[]) {
  const installed = (await fleet.installed(id)).find((b) => b.name === backend);
  assert.equal(installed?.version, 'v1.0.1', `${id} runs the new install`);
  const procs = fleet.processes(id).filter((p) => p.backend === backend);
  assert.deepEqual(
    procs.map((p) => p.key),
    [...keys].sort(),
    `${id} runs exactly its replicas of ${backend} again`,
  );
  for (const p of procs) assert.equal(p.generation, installed?.installedAt, `${p.key} runs the new build`);
}

const steps = (node: NodeStatus | undefined): string => JSON.stringify(node?.steps);

void test(
  'an upgrade reply lost to the request timeout: the replicas that ran before the upgrade are restored on the new build',
  withLogs(servers, async () => {
    const backend = uniqueName('lost');
    const id = uniqueName('l');
    await withFleet([{ id, backend, version: 'v1.0.0', installMs: 200, hangMs: 3_000, replicas: 2 }], async (fleet) => {
      const keys = fleet.processes(id).map((p) => p.key);
      assert.equal(keys.length, 2);
      const handle = await start({ backend, nodes: [id], upgradeTimeout: '1s', minHealthyTime: 0 });
      const result = await handle.result();
      recordHistory(servers.temporal.address, handle.workflowId, 'pre-upgrade-replicas');
      assert.equal(result.phase, 'succeeded', result.message);
      const node = result.nodes[0];
      assert.equal(node?.attempts, 1, `verified as applied, not re-sent: ${steps(node)}`);
      assert.ok(
        node?.steps?.some((s) => s.startsWith('outcome unknown')),
        `the reply was lost: ${steps(node)}`,
      );
      assert.deepEqual(node?.replicasBefore, [...keys].sort());
      assert.equal(node?.replicasRestored, 2, steps(node));
      await assertServesOnNewBuild(fleet, id, backend, keys);
    });
  }),
);

void test(
  'a node that restarted mid-install (its processes gone, the re-send stops none): its replicas are restored',
  withLogs(servers, async () => {
    const backend = uniqueName('crash');
    const id = uniqueName('c');
    const node: SimulatedNodeInput = {
      id,
      backend,
      version: 'v1.0.0',
      installMs: 500,
      replicas: 2,
      crashAt: 'downloading',
      crashRestartMs: 500,
    };
    await withFleet([node], async (fleet) => {
      const keys = fleet.processes(id).map((p) => p.key);
      const handle = await start({ backend, nodes: [id], upgradeTimeout: '2s', minHealthyTime: 0 });
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      const status = result.nodes[0];
      assert.equal(status?.attempts, 2, `re-sent after the restart: ${steps(status)}`);
      assert.deepEqual(status?.stoppedProcessKeys, [], 'the re-send found nothing to stop');
      assert.ok(
        status?.steps?.includes(
          '2 replicas that ran before the upgrade are gone and no reply named them: restoring them too',
        ),
        steps(status),
      );
      assert.equal(status?.replicasRestored, 2, steps(status));
      await assertServesOnNewBuild(fleet, id, backend, keys);
    });
  }),
);

void test(
  'a legacy node: after the forced install, its other replicas are restarted on the new build and other backends are left alone',
  withLogs(servers, async () => {
    const backend = uniqueName('legacy');
    const other = uniqueName('other');
    const id = uniqueName('g');
    const node: SimulatedNodeInput = {
      id,
      backend,
      version: 'v1.0.0',
      otherBackends: [{ name: other, version: 'v7.0.0' }],
      legacy: true,
      modelsRunning: true,
      installMs: 200,
      replicas: 2,
    };
    await withFleet([node], async (fleet) => {
      const before = fleet.processes(id);
      const ours = before.filter((p) => p.backend === backend).map((p) => p.key);
      const theirs = before.filter((p) => p.backend === other);
      assert.equal(ours.length, 2);
      assert.equal(theirs.length, 2);
      const handle = await start({ backend, nodes: [id], minHealthyTime: 0 });
      const result = await handle.result();
      recordHistory(servers.temporal.address, handle.workflowId, 'pre-upgrade-replicas-legacy');
      assert.equal(result.phase, 'succeeded', result.message);
      const status = result.nodes[0];
      assert.equal(status?.fallback, true, 'upgraded through the legacy forced install');
      assert.ok(status?.steps?.includes(`replicas to start on the new build: ${ours.join(', ')}`), steps(status));
      assert.equal(status?.replicasRestored, 2, steps(status));
      await assertServesOnNewBuild(fleet, id, backend, ours);
      assert.deepEqual(
        fleet.processes(id).filter((p) => p.backend !== backend),
        theirs,
        `${other}'s replicas run untouched, on their own build`,
      );
    });
  }),
);
