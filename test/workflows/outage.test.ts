/**
 * A brief outage fails nothing: the whole simulated fleet goes away after the canary (an agent
 * restart, a network blip) and comes back with its installs a few seconds later. The nodes launched
 * meanwhile get no responders on both subjects; they are re-sent within `unreachableGrace`, the
 * rollout starts no new node while two of them are away and says so, and every node succeeds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { startSimulatedFleet, type SimulatedFleet } from '../../src/agent/index.js';
import type { SimulatedNodeInput } from '../../src/agent/simulated/knobs.js';
import { WaitReason } from '../../src/domain/rollout-policy.js';
import { promoteUpdate, rolloutWorkflowId, statusQuery } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import type { RolloutStatus } from '../../src/workflows/status.js';
import { recordHistory } from '../support/histories.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);

type Handle = WorkflowHandle<typeof rolloutWorkflow>;

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

const retries = (steps: readonly string[] | undefined): number =>
  (steps ?? []).filter((s) => s.startsWith('no responders on backend.upgrade nor backend.install')).length;

void test(
  'a fleet away for a few seconds mid-rollout fails no node: re-sent within unreachableGrace, no new starts meanwhile',
  withLogs(servers, async () => {
    const backend = uniqueName('llama');
    const p = uniqueName('away');
    const stateDir = mkdtempSync(path.join(tmpdir(), 'fleet-outage-'));
    const nodes: SimulatedNodeInput[] = [0, 1, 2, 3, 4].map((i) => ({
      id: `${p}-${i}`,
      backend,
      version: 'v1.0.0',
      installMs: 100,
    }));
    const startFleet = (): Promise<SimulatedFleet> =>
      startSimulatedFleet({ nc: orch.nc, nodes, log: orch.log, stateDir });
    let fleet: SimulatedFleet | undefined = await startFleet();
    try {
      const spec = {
        backend,
        nodes: nodes.map((n) => n.id),
        canary: { nodes: 1, promote: 'manual' },
        maxParallel: 2,
        maxUnavailable: 10,
        minHealthyTime: 0,
        onFailure: 'continue',
        unreachableGrace: '2m',
      } as const;
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(backend),
        args: [{ spec }],
      });
      await until(handle, (s) => s.waiting === WaitReason.CanaryGate, 'the canary to pass');

      await fleet.stop();
      fleet = undefined;
      await handle.executeUpdate(promoteUpdate, { args: [{}] });
      // Two nodes away, each re-sent twice (1 s, then 2 s backoff): the fleet has been gone for seconds.
      const away = await until(
        handle,
        (s) =>
          s.waiting === WaitReason.UnreachableNodes &&
          s.nodes.filter((n) => n.unreachableSince !== undefined && retries(n.steps) >= 2).length === 2,
        'two nodes retried while the fleet is away',
      );
      assert.equal(away.counts.failed, 0, 'no node failed while the fleet was away');
      assert.match(away.message, /2 nodes unreachable/);
      assert.equal(
        away.nodes.filter((n) => n.state === 'pending').length,
        2,
        'no new node started while two were unreachable',
      );

      fleet = await startFleet();
      const result = await handle.result();
      recordHistory(servers.temporal.address, handle.workflowId, 'unreachable-grace');
      assert.equal(result.phase, 'succeeded', result.message);
      assert.equal(result.counts.succeeded, 5);
      assert.equal(result.counts.failed, 0);
      const retried = result.nodes.filter((n) => retries(n.steps) > 0);
      assert.equal(retried.length, 2, 'the two nodes launched during the outage were retried');
      for (const n of result.nodes) {
        assert.equal(n.unreachableSince, undefined, `${n.id} answered again`);
        assert.equal(n.attempts, 1, `${n.id}: re-sends while unreachable are not upgrade attempts`);
        assert.equal(n.fallback, false, `${n.id} is not a legacy node`);
        const installed = await fleet.installed(n.id);
        assert.equal(installed.find((b) => b.name === backend)?.version, 'v1.0.1', `${n.id} is on the new install`);
      }
    } finally {
      await fleet?.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }),
);
