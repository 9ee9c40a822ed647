import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import { test } from 'node:test';
import { startSimulatedFleet, type SimulatedFleet } from '../../src/agent/index.js';
import type { SimulatedNodeInput } from '../../src/agent/simulated/knobs.js';
import type { RolloutSpecInput } from '../../src/domain/spec.js';
import { encodeMessage, MessageType, subjects } from '../../src/protocol/index.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { FleetObserver } from '../support/fleet-observer.js';
import { recordHistory } from '../support/histories.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);

async function withFleet(
  nodes: SimulatedNodeInput[],
  body: (fleet: SimulatedFleet, observer: FleetObserver) => Promise<void>,
  observe: readonly ('upgrade' | 'install')[] = ['upgrade', 'install'],
): Promise<void> {
  const fleet = await startSimulatedFleet({ nc: orch.nc, nodes, log: orch.log });
  const observer = await FleetObserver.start(orch.nc, observe);
  try {
    await body(fleet, observer);
  } finally {
    observer.stop();
    await fleet.stop();
  }
}

function record(handle: WorkflowHandle, name: string): void {
  recordHistory(servers.temporal.address, handle.workflowId, name);
}

function start(spec: RolloutSpecInput) {
  return orch.client.workflow.start(rolloutWorkflow, {
    taskQueue: orch.taskQueue,
    workflowId: rolloutWorkflowId(spec.backend),
    args: [{ spec }],
  });
}

void test(
  'replica budget: 2 replicas per node and maxUnavailable 4 never has more than 2 nodes down at once',
  withLogs(servers, async () => {
    const backend = uniqueName('llama');
    const prefix = uniqueName('n');
    const nodes = Array.from({ length: 6 }, (_, i) => ({
      id: `${prefix}-${i}`,
      backend,
      version: 'v1.0.0',
      installMs: 300,
      replicas: 2,
    }));
    await withFleet(nodes, async (fleet, observer) => {
      const handle = await start({
        backend,
        nodes: nodes.map((n) => n.id),
        maxParallel: 5,
        maxUnavailable: 4,
        minHealthyTime: 0,
      });
      const result = await handle.result();
      record(handle, 'serving-safe-replica-budget');
      assert.equal(result.phase, 'succeeded', result.message);
      assert.equal(result.counts.succeeded, 6);
      assert.equal(observer.requests.length, 6, 'one upgrade request per node');
      const max = observer.maxConcurrent();
      assert.ok(max <= 2, `at most 2 nodes (4 replicas) down at once, saw ${max}`);
      assert.equal(max, 2, 'the budget allows 2 nodes at once and the rollout used it');
      for (const node of result.nodes) {
        assert.equal(node.state, 'succeeded');
        assert.equal(node.attempts, 1);
        assert.deepEqual(node.stoppedProcessKeys?.length, 2, 'the upgrade stopped both replicas and said so');
        assert.notEqual(node.after?.installedAt, node.before?.installedAt);
      }
      const installed = await fleet.installed(nodes[0]?.id ?? '');
      assert.equal(installed.find((b) => b.name === backend)?.version, 'v1.0.1');
    });
  }),
);

void test(
  'a legacy node is upgraded through the forced backend.install fallback and reported so',
  withLogs(servers, async () => {
    const backend = uniqueName('whisper');
    const prefix = uniqueName('n');
    const nodes = [
      { id: `${prefix}-new`, backend, version: 'v1.0.0', installMs: 100 },
      { id: `${prefix}-old`, backend, version: 'v1.0.0', installMs: 100, legacy: true },
    ];
    await withFleet(
      nodes,
      async (fleet, observer) => {
        const result =
          await // Without the start check, the forced install is the only backend.install the old node gets.
          (
            await start({
              backend,
              nodes: nodes.map((n) => n.id),
              maxParallel: 2,
              minHealthyTime: 0,
              startCheck: false,
            })
          ).result();
        assert.equal(result.phase, 'succeeded', result.message);
        const old = result.nodes.find((n) => n.id === `${prefix}-old`);
        assert.equal(old?.fallback, true);
        assert.equal(old?.state, 'succeeded');
        assert.equal(result.nodes.find((n) => n.id === `${prefix}-new`)?.fallback, false);
        const oldRequests = observer.forNode(`${prefix}-old`);
        assert.deepEqual(
          oldRequests.map((r) => r.kind),
          ['install'],
          'the old node got one forced install',
        );
        assert.equal(oldRequests[0]?.opId, old?.opId, 'the fallback carries the node op id');
        assert.equal(fleet.stats()[`${prefix}-old`]?.requests.install, 1);
        assert.equal(
          fleet.stats()[`${prefix}-new`]?.requests.install,
          0,
          'the current node was not sent the legacy install',
        );
      },
      ['install'],
    );
  }),
);

void test(
  'a worker that replies after the 2 s upgrade timeout is verified as applied without a second request',
  withLogs(servers, async () => {
    const backend = uniqueName('vllm');
    const id = uniqueName('slow');
    await withFleet([{ id, backend, version: 'v2.0.0', installMs: 500, hangMs: 6_000 }], async (fleet, observer) => {
      const handle = await start({ backend, nodes: [id], upgradeTimeout: '2s', minHealthyTime: 0 });
      const result = await handle.result();
      record(handle, 'serving-safe-still-installing');
      assert.equal(result.phase, 'succeeded', result.message);
      const node = result.nodes[0];
      assert.equal(node?.attempts, 1);
      assert.ok(
        node?.steps?.some((s) => s.includes('verified as applied without a re-send')),
        JSON.stringify(node?.steps),
      );
      assert.equal(observer.forNode(id).length, 1, 'exactly one upgrade request reached the node');
      assert.equal(fleet.stats()[id]?.requests.upgrade, 1);
    });
  }),
);

void test(
  'an upgrade reply that comes after the timeout still names the killed replicas, and they are restored',
  withLogs(servers, async () => {
    const backend = uniqueName('late');
    const id = uniqueName('late');
    // The install takes 3 s, the request times out after 2 s: the reply, with the two process keys
    // the upgrade stopped, arrives while the node is being verified.
    await withFleet([{ id, backend, version: 'v1.0.0', installMs: 3_000, replicas: 2 }], async (fleet, observer) => {
      const handle = await start({ backend, nodes: [id], upgradeTimeout: '2s', minHealthyTime: 0 });
      const result = await handle.result();
      record(handle, 'late-upgrade-reply');
      assert.equal(result.phase, 'succeeded', result.message);
      const node = result.nodes[0];
      const steps = JSON.stringify(node?.steps);
      assert.equal(node?.attempts, 1, steps);
      assert.ok(
        node?.steps?.some((s) => /^late reply to backend\.upgrade: success; stopped .+#0, .+#1$/.test(s)),
        steps,
      );
      assert.equal(node?.stoppedProcessKeys?.length, 2, steps);
      assert.equal(node?.replicasRestored, 2, steps);
      assert.equal(observer.forNode(id).length, 1, 'exactly one upgrade request reached the node');
      const after = (await fleet.installed(id)).find((b) => b.name === backend)?.installedAt;
      const procs = fleet.processes(id);
      assert.deepEqual(procs.map((p) => p.key).sort(), [...(node?.stoppedProcessKeys ?? [])].sort());
      assert.ok(
        procs.every((p) => p.generation === after),
        'both replicas run the new build',
      );
    });
  }),
);

void test(
  'a malformed reply and a verify mismatch fail their nodes with readable reasons; onFailure continue goes on',
  withLogs(servers, async () => {
    const backend = uniqueName('mixed');
    const p = uniqueName('m');
    const bad = `${p}-bad`;
    // A broken worker: lists the backend correctly, answers the upgrade with a wrong type.
    const subs = [
      orch.nc.subscribe(subjects.list(bad), {
        callback: (_e, msg) =>
          msg.respond(
            encodeMessage(MessageType.BackendListReply, {
              backends: [
                {
                  name: backend,
                  isSystem: false,
                  isMeta: false,
                  installedAt: '2026-01-01T00:00:00Z',
                  version: 'v1.0.0',
                },
              ],
            }),
          ),
      }),
      orch.nc.subscribe(subjects.upgrade(bad), {
        callback: (_e, msg) => msg.respond(new TextEncoder().encode('{"success":"yes"}')),
      }),
    ];
    const nodes = [
      { id: `${p}-a-good`, backend, version: 'v1.0.0', installMs: 50 },
      { id: `${p}-c-other`, backend, version: 'v2.0.0', installMs: 50 },
    ];
    try {
      await withFleet(nodes, async () => {
        const handle = await start({
          backend,
          nodes: [nodes[0]?.id ?? '', bad, nodes[1]?.id ?? ''],
          targetVersion: 'v1.0.1',
          maxParallel: 1,
          minHealthyTime: 0,
          onFailure: 'continue',
        });
        const result = await handle.result();
        assert.equal(result.phase, 'failed');
        const byId = new Map(result.nodes.map((n) => [n.id, n]));
        assert.equal(byId.get(`${p}-a-good`)?.state, 'succeeded');
        assert.equal(byId.get(bad)?.state, 'failed');
        assert.match(byId.get(bad)?.lastError ?? '', /invalid reply.*success/);
        assert.equal(byId.get(`${p}-c-other`)?.state, 'failed');
        assert.match(byId.get(`${p}-c-other`)?.lastError ?? '', /verify mismatch: .*v2\.0\.1 instead of v1\.0\.1/);
        assert.equal(result.counts.failed, 2);
      });
    } finally {
      for (const sub of subs) sub.unsubscribe();
    }
  }),
);

void test(
  'onFailure revert puts upgraded nodes back on the install they had before',
  withLogs(servers, async () => {
    const backend = uniqueName('revert');
    const p = uniqueName('r');
    const nodes = [
      { id: `${p}-a`, backend, version: 'v1.0.0', installMs: 50 },
      { id: `${p}-b`, backend, version: 'v1.0.0', installMs: 50, failVersion: 'v1.0.1' },
      { id: `${p}-c`, backend, version: 'v1.0.0', installMs: 50 },
    ];
    await withFleet(nodes, async (fleet) => {
      const handle = await start({
        backend,
        nodes: nodes.map((n) => n.id),
        maxParallel: 1,
        minHealthyTime: 0,
        onFailure: 'revert',
      });
      const result = await handle.result();
      record(handle, 'revert');
      assert.equal(result.phase, 'failed');
      assert.match(result.message, /reverted 1 of 1 upgraded nodes/);
      assert.deepEqual(
        result.nodes.map((n) => n.state),
        ['succeeded', 'failed', 'pending'],
      );
      assert.ok(
        result.nodes[0]?.steps?.some((s) => s.startsWith('reverted to v1.0.0')),
        JSON.stringify(result.nodes[0]?.steps),
      );
      const installed = await fleet.installed(`${p}-a`);
      assert.equal(installed.find((b) => b.name === backend)?.version, 'v1.0.0');
      assert.equal(fleet.stats()[`${p}-c`]?.requests.upgrade, 0, 'nothing starts once the budget is exceeded');
    });
  }),
);

void test(
  'a worker that crashed mid-install is verified, found on the old install and quiet, then sent the upgrade again',
  withLogs(servers, async () => {
    const backend = uniqueName('crashy');
    const id = uniqueName('crash');
    await withFleet(
      [{ id, backend, version: 'v1.0.0', installMs: 500, crashAt: 'downloading', crashRestartMs: 500 }],
      async (fleet, observer) => {
        const handle = await start({
          backend,
          nodes: [id],
          upgradeTimeout: '2s',
          minHealthyTime: 0,
          healthyDeadline: '2m',
        });
        const result = await handle.result();
        assert.equal(result.phase, 'succeeded', result.message);
        const node = result.nodes[0];
        assert.equal(node?.attempts, 2, JSON.stringify(node?.steps));
        assert.ok(
          node?.steps?.some((s) => /old install and no progress for \d+ ms: re-sending/.test(s)),
          JSON.stringify(node?.steps),
        );
        const requests = observer.forNode(id);
        assert.equal(requests.length, 2, 'exactly one re-send');
        assert.equal(requests[0]?.opId, requests[1]?.opId, 'the re-send carries the same op id');
        assert.equal(fleet.stats()[id]?.installsRun, 2);
      },
    );
  }),
);
