import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { startSimulatedFleet } from '../../src/agent/index.js';
import type { RolloutSpecInput } from '../../src/domain/spec.js';
import {
  abortUpdate,
  pauseUpdate,
  promoteUpdate,
  resumeUpdate,
  rolloutWorkflowId,
  statusQuery,
} from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import type { RolloutStatus } from '../../src/workflows/status.js';
import { FleetObserver } from '../support/fleet-observer.js';
import { recordHistory } from '../support/histories.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);

type Handle = WorkflowHandle<typeof rolloutWorkflow>;

async function start(spec: RolloutSpecInput): Promise<Handle> {
  return await orch.client.workflow.start(rolloutWorkflow, {
    taskQueue: orch.taskQueue,
    workflowId: rolloutWorkflowId(spec.backend),
    args: [{ spec }],
  });
}

/** Polls the status query until `predicate` holds (bounded). */
async function until(
  handle: Handle,
  predicate: (s: RolloutStatus) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<RolloutStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: RolloutStatus | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(statusQuery, { nodes: 'all' });
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last, null, 1).slice(0, 2_000)}`);
}

void test(
  'failing nodes halt the rollout at the budget; resume goes on; abort ends it',
  withLogs(servers, async () => {
    const backend = uniqueName('llama');
    const p = uniqueName('h');
    const ids = [0, 1, 2, 3, 4].map((i) => `${p}-${i}`);
    const failing = new Set([ids[1], ids[3]]);
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: ids.map((id) => ({
        id,
        backend,
        version: 'v1.0.0',
        installMs: 50,
        ...(failing.has(id) ? { failVersion: 'v1.0.1' } : {}),
      })),
      log: orch.log,
    });
    try {
      const handle = await start({ backend, nodes: ids, maxParallel: 1, minHealthyTime: 0, maxFailures: 0 });
      let status = await until(handle, (s) => s.phase === 'halted', 'the first halt');
      assert.equal(status.waiting, 'failure-budget');
      assert.deepEqual(
        status.nodes.map((n) => n.state),
        ['succeeded', 'failed', 'pending', 'pending', 'pending'],
      );
      assert.match(status.nodes[1]?.lastError ?? '', /rejected the upgrade/);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await handle.query(statusQuery, {})).nodes[2]?.state, 'pending', 'a halted rollout starts nothing');

      await handle.executeUpdate(resumeUpdate, { args: [{}] });
      status = await until(handle, (s) => s.phase === 'halted' && s.nodes[3]?.state === 'failed', 'the second halt');
      assert.deepEqual(
        status.nodes.map((n) => n.state),
        ['succeeded', 'failed', 'succeeded', 'failed', 'pending'],
      );

      await handle.executeUpdate(abortUpdate, { args: [{ reason: 'test' }] });
      const result = await handle.result();
      assert.equal(result.phase, 'aborted');
      assert.equal(result.nodes[4]?.state, 'pending');
      assert.equal(
        fleet.stats()[ids[4] ?? '']?.requests.upgrade,
        0,
        'the node after the abort was never sent an upgrade',
      );
      await assert.rejects(handle.executeUpdate(resumeUpdate, { args: [{}] }));
      recordHistory(servers.temporal.address, handle.workflowId, 'halt-resume-abort');
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'a manual canary waits for promote; pause and resume at the gate keep it visible',
  withLogs(servers, async () => {
    const backend = uniqueName('canary');
    const p = uniqueName('c');
    const ids = [0, 1, 2].map((i) => `${p}-${i}`);
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: ids.map((id) => ({ id, backend, version: 'v3.1.0', installMs: 50 })),
      log: orch.log,
    });
    try {
      const handle = await start({
        backend,
        nodes: ids,
        maxParallel: 3,
        minHealthyTime: 0,
        canary: { nodes: 1, promote: 'manual' },
      });
      const gated = await until(handle, (s) => s.waiting === 'canary-gate', 'the canary gate');
      assert.equal(gated.counts.succeeded, 1);
      assert.equal(gated.counts.pending, 2);
      await new Promise((r) => setTimeout(r, 1_000));
      const still = await handle.query(statusQuery, {});
      assert.equal(still.counts.pending, 2, 'nothing starts before promote');
      await assert.rejects(handle.executeUpdate(resumeUpdate, { args: [{}] }), (err: Error) => {
        assert.match(String((err.cause as Error | undefined)?.message), /not paused or halted/);
        return true;
      });
      const paused = await handle.executeUpdate(pauseUpdate, { args: [{ reason: 'at the gate' }] });
      assert.equal(paused.phase, 'paused');
      const resumed = await handle.executeUpdate(resumeUpdate, { args: [{}] });
      assert.equal(resumed.phase, 'running');
      assert.equal(resumed.waiting, 'canary-gate', 'a resume at the canary gate keeps the gate visible');
      const after = await handle.query(statusQuery, {});
      assert.equal(after.waiting, 'canary-gate');
      assert.equal(after.counts.pending, 2, 'a resume is not a promote');
      await handle.executeUpdate(promoteUpdate, { args: [{}] });
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded');
      assert.equal(result.counts.succeeded, 3);
      recordHistory(servers.temporal.address, handle.workflowId, 'canary-pause-promote');
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'after pause is accepted no node starts until resume',
  withLogs(servers, async () => {
    const backend = uniqueName('pause');
    const p = uniqueName('p');
    const ids = [0, 1, 2, 3].map((i) => `${p}-${i}`);
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', installMs: 700 })),
      log: orch.log,
    });
    const observer = await FleetObserver.start(orch.nc);
    try {
      const handle = await start({ backend, nodes: ids, maxParallel: 1, minHealthyTime: 0 });
      await until(handle, (s) => s.counts.inFlight === 1, 'the first node in flight');
      const accepted = await handle.executeUpdate(pauseUpdate, { args: [{ reason: 'maintenance' }] });
      // Nodes started before the pause was accepted may still send their request (an activity the
      // workflow scheduled just before it took the update runs after); no pending node may.
      const startedBeforePause = accepted.counts.total - accepted.counts.pending;
      assert.ok(startedBeforePause >= 1 && startedBeforePause < 4, JSON.stringify(accepted.counts));
      await new Promise((r) => setTimeout(r, 2_500));
      const paused = await handle.query(statusQuery, {});
      assert.equal(paused.phase, 'paused');
      assert.equal(paused.counts.pending, accepted.counts.pending, 'no pending node started while paused');
      const requestedNodes = (): number => new Set(observer.requests.map((r) => r.nodeToken)).size;
      assert.equal(
        requestedNodes(),
        startedBeforePause,
        'only the nodes started before the pause were sent an upgrade',
      );
      const before = observer.requests.length;
      const resumedAt = Date.now();
      await handle.executeUpdate(resumeUpdate, { args: [{}] });
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded');
      assert.equal(observer.requests.length, 4);
      assert.ok(observer.requests.slice(before).every((r) => r.at >= resumedAt));
      recordHistory(servers.temporal.address, handle.workflowId, 'pause-resume');
    } finally {
      observer.stop();
      await fleet.stop();
    }
  }),
);

void test(
  'a closed maintenance window holds new starts until it opens',
  withLogs(servers, async () => {
    const backend = uniqueName('window');
    const p = uniqueName('w');
    const ids = [0, 1].map((i) => `${p}-${i}`);
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', installMs: 50 })),
      log: orch.log,
    });
    const observer = await FleetObserver.start(orch.nc);
    try {
      // The window opens at the next whole minute (UTC) and stays open ten minutes.
      const opensAt = Math.ceil((Date.now() + 1_000) / 60_000) * 60_000;
      const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
      const handle = await start({
        backend,
        nodes: ids,
        maxParallel: 2,
        minHealthyTime: 0,
        window: { start: hhmm(opensAt), end: hhmm(opensAt + 10 * 60_000), timeZone: 'UTC' },
      });
      const waiting = await until(handle, (s) => s.waiting === 'window-closed', 'the closed window', 60_000);
      assert.match(waiting.message, /opens at/);
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded');
      assert.equal(observer.requests.length, 2);
      for (const r of observer.requests)
        assert.ok(r.at >= opensAt, `request at ${new Date(r.at).toISOString()} before the window opened`);
      recordHistory(servers.temporal.address, handle.workflowId, 'window-wait');
    } finally {
      observer.stop();
      await fleet.stop();
    }
  }),
);
