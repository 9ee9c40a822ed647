import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NatsConnection } from 'nats';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { requestMessage } from '../../src/nats/index.js';
import { formatProcessKey, MessageType, subjects } from '../../src/protocol/index.js';
import { rolloutWorkflowId, statusQuery } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import type { RolloutSpecInput } from '../../src/domain/spec.js';
import { FleetObserver } from '../support/fleet-observer.js';
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

/**
 * Watches the replicas from the wire: asks every node's `models.running` in a tight loop and
 * records, per sample, how many of the replicas that ran before the rollout are missing.
 */
class ReplicaWatch {
  maxDown = 0;
  samples = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(nc: NatsConnection, expected: ReadonlyMap<string, readonly string[]>) {
    this.done = (async () => {
      while (!this.stopped) {
        let down = 0;
        for (const [node, keys] of expected) {
          const reply = await requestMessage(
            nc,
            subjects.modelsRunning(node),
            MessageType.ModelsRunningRequest,
            {},
            MessageType.ModelsRunningReply,
            5_000,
          );
          const running = new Set(reply.models.map((m) => formatProcessKey(m.modelId, m.replicaIndex)));
          down += keys.filter((k) => !running.has(k)).length;
        }
        this.samples += 1;
        this.maxDown = Math.max(this.maxDown, down);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

void test(
  '6 nodes × 2 replicas, maxUnavailable 2: the wire never shows more than 2 replicas down, and every node serves its 2 replicas on the new build',
  withLogs(servers, async () => {
    const backend = uniqueName('serve');
    const p = uniqueName('s');
    const ids = Array.from({ length: 6 }, (_, i) => `${p}-${i}`);
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', installMs: 200, replicas: 2 })),
      log: orch.log,
    });
    const expected = new Map(ids.map((id) => [id, fleet.processes(id).map((proc) => proc.key)]));
    assert.ok(
      [...expected.values()].every((keys) => keys.length === 2),
      'each node starts with 2 replicas',
    );
    const watch = new ReplicaWatch(orch.nc, expected);
    try {
      const handle = await start({ backend, nodes: ids, maxParallel: 6, maxUnavailable: 2, minHealthyTime: 0 });
      const result = await handle.result();
      await watch.stop();
      assert.equal(result.phase, 'succeeded', result.message);
      assert.ok(watch.samples > 10, `sampled ${watch.samples} times`);
      assert.ok(watch.maxDown <= 2, `at most 2 replicas down at once, saw ${watch.maxDown}`);
      assert.equal(watch.maxDown, 2, 'the rollout used its budget');
      assert.equal(result.replicasTotal, 12);
      assert.equal(result.replicasDown, 0);
      for (const id of ids) {
        const node = result.nodes.find((n) => n.id === id);
        assert.equal(node?.replicasRestored, 2, JSON.stringify(node?.steps));
        assert.ok(
          node?.steps?.some((s) => s.startsWith('start check passed')),
          JSON.stringify(node?.steps),
        );
        const installed = (await fleet.installed(id)).find((b) => b.name === backend);
        assert.equal(installed?.version, 'v1.0.1');
        const procs = fleet.processes(id);
        assert.deepEqual(
          procs.map((proc) => proc.key),
          expected.get(id),
          `${id} runs exactly its replicas again (the probe is gone)`,
        );
        for (const proc of procs)
          assert.equal(proc.generation, installed?.installedAt, `${proc.key} runs the new build`);
      }
    } finally {
      await watch.stop();
      await fleet.stop();
    }
  }),
);

void test(
  'a canary whose new build does not start fails its start check with the output, and the rollout halts before any other node',
  withLogs(servers, async () => {
    const backend = uniqueName('nostart');
    const p = uniqueName('f');
    const ids = [0, 1, 2].map((i) => `${p}-${i}`);
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', installMs: 50, replicas: 1, failStart: 'v1.0.1' })),
      log: orch.log,
    });
    const observer = await FleetObserver.start(orch.nc, ['upgrade']);
    try {
      const handle = await start({
        backend,
        nodes: ids,
        maxParallel: 3,
        maxUnavailable: '100%',
        minHealthyTime: 0,
        maxFailures: 0,
        canary: { nodes: 1, promote: 0 },
      });
      let status = await handle.query(statusQuery, {});
      for (let i = 0; i < 300 && status.phase !== 'halted'; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        status = await handle.query(statusQuery, {});
      }
      assert.equal(status.phase, 'halted', status.message);
      assert.equal(status.waiting, 'failure-budget');
      const canary = status.nodes[0];
      assert.equal(canary?.state, 'failed');
      assert.match(canary?.lastError ?? '', /start check failed .*died during startup/s);
      assert.deepEqual(
        status.nodes.slice(1).map((n) => n.state),
        ['pending', 'pending'],
      );
      assert.deepEqual(
        observer.requests.map((r) => r.nodeToken),
        [ids[0]],
        'only the canary was sent an upgrade',
      );
      await handle.terminate('test done');
    } finally {
      observer.stop();
      await fleet.stop();
    }
  }),
);

void test(
  'a replica that cannot be started again fails its node with the key and the worker’s error; the stopped keys stay in the status',
  withLogs(servers, async () => {
    const backend = uniqueName('norestore');
    const id = uniqueName('r');
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: [{ id, backend, version: 'v1.0.0', installMs: 50, replicas: 1, failStart: 'v1.0.1' }],
      log: orch.log,
    });
    try {
      const [key] = fleet.processes(id).map((proc) => proc.key);
      const handle = await start({ backend, nodes: [id], minHealthyTime: 0, startCheck: false, onFailure: 'continue' });
      const result = await handle.result();
      assert.equal(result.phase, 'failed');
      const node = result.nodes[0];
      assert.equal(node?.state, 'failed');
      assert.ok(node?.steps?.includes('start check not run (startCheck false)'), JSON.stringify(node?.steps));
      assert.match(
        node?.lastError ?? '',
        new RegExp(`replica ${key ?? '?'} on ${id} could not be restored: .*died during startup`, 's'),
      );
      assert.deepEqual(node?.stoppedProcessKeys, [key]);
    } finally {
      await fleet.stop();
    }
  }),
);
