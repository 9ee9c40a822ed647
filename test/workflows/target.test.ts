import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulatedFleet, type SimulatedFleet } from '../../src/agent/index.js';
import type { SimulatedNodeInput } from '../../src/agent/simulated/knobs.js';
import type { RolloutSpecInput } from '../../src/domain/spec.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { FleetObserver } from '../support/fleet-observer.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
// A node that never answers is asked again for 3 s, not the worker's default minute.
const orch = useOrchestrator(servers, { discoveryGraceMs: 3_000 });

async function withFleet(
  nodes: SimulatedNodeInput[],
  body: (fleet: SimulatedFleet, observer: FleetObserver) => Promise<void>,
): Promise<void> {
  const fleet = await startSimulatedFleet({ nc: orch.nc, nodes, log: orch.log });
  const observer = await FleetObserver.start(orch.nc, ['upgrade', 'install']);
  try {
    await body(fleet, observer);
  } finally {
    observer.stop();
    await fleet.stop();
  }
}

async function run(spec: RolloutSpecInput, suffix: string) {
  const handle = await orch.client.workflow.start(rolloutWorkflow, {
    taskQueue: orch.taskQueue,
    workflowId: `${rolloutWorkflowId(spec.backend)}-${suffix}`,
    args: [{ spec }],
  });
  return { handle, result: await handle.result() };
}

void test(
  'nodes already on the target are left up-to-date; a second identical rollout sends nothing',
  withLogs(servers, async () => {
    const backend = uniqueName('llama');
    const prefix = uniqueName('n');
    const nodes = Array.from({ length: 6 }, (_, i) => ({
      id: `${prefix}-${i}`,
      backend,
      version: i < 2 ? 'v1.0.1' : 'v1.0.0',
      installMs: 100,
    }));
    await withFleet(nodes, async (_fleet, observer) => {
      const spec: RolloutSpecInput = {
        backend,
        nodes: nodes.map((n) => n.id),
        maxParallel: 3,
        minHealthyTime: 0,
        targetVersion: 'v1.0.1',
      };
      const first = await run(spec, 'first');
      assert.equal(first.result.phase, 'succeeded', first.result.message);
      assert.equal(first.result.target?.version, 'v1.0.1');
      assert.equal(first.result.target?.source, 'explicit');
      assert.equal(first.result.counts.upToDate, 2);
      assert.equal(first.result.counts.succeeded, 4);
      assert.equal(first.result.counts.failed, 0);
      assert.equal(observer.requests.length, 4, 'exactly the 4 old nodes got a request');
      for (const node of first.result.nodes) {
        if (node.id.endsWith('-0') || node.id.endsWith('-1')) {
          assert.equal(node.state, 'up-to-date');
          assert.equal(node.attempts, 0);
        } else {
          assert.equal(node.after?.version, 'v1.0.1');
          assert.ok(
            node.steps?.some((s) => s.includes('decided by version')),
            `the steps say which field decided: ${node.steps?.join(' | ')}`,
          );
        }
      }
      const { memo } = await first.handle.describe();
      assert.match(String(memo?.['target']), /version v1\.0\.1/);

      const second = await run(spec, 'second');
      assert.equal(second.result.phase, 'succeeded');
      assert.match(second.result.message, /^nothing to do/);
      assert.equal(second.result.counts.upToDate, 6);
      assert.equal(observer.requests.length, 4, 'the second rollout sent no request');

      const forced = await run({ ...spec, nodes: [`${prefix}-0`], force: true, maxFailures: 1 }, 'forced');
      assert.equal(forced.result.phase, 'failed', 'the simulated node moves to v1.0.2, not the forced target');
      assert.equal(observer.requests.length, 5, '--force sends the upgrade to an up-to-date node');
    });
  }),
);

void test(
  'a rollout where every candidate was left out fails, with the reasons',
  withLogs(servers, async () => {
    const backend = uniqueName('vllm');
    const prefix = uniqueName('n');
    const nodes = [{ id: `${prefix}-other`, backend: uniqueName('other'), version: 'v1.0.0' }];
    await withFleet(nodes, async (_fleet, observer) => {
      const { result } = await run(
        { backend, nodes: [`${prefix}-other`, `${prefix}-gone`], minHealthyTime: 0 },
        'left-out',
      );
      assert.equal(result.phase, 'failed');
      assert.match(result.message, /every candidate .* was left out/);
      assert.match(result.message, /not installed/);
      assert.match(result.message, new RegExp(`${prefix}-gone`));
      assert.equal(observer.requests.length, 0);
    });
  }),
);
