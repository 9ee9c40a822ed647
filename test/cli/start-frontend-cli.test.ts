/**
 * `start --localai-url … --wait` end to end: the CLI reads the simulated frontend's registry as
 * the inventory and puts the frontend in the spec, so the worker (started with the same frontend)
 * drains each node there before its upgrade and resumes it after.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { NodeStatus, startSimulatedFrontend } from '../../src/agent/simulated/frontend/index.js';
import { createFrontendClient } from '../../src/frontend/index.js';
import { installRuntimeLogger } from '../../src/worker.js';
import { startOrchestrator, testLogger, type TestOrchestrator } from '../support/orchestrator.js';
import { useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli, startFleet, temporalArgs } from './cli-harness.js';

const servers = useServers({ temporal: true, nats: true });
const KEY = 'start-admin-key';
let base: TestOrchestrator;
before(async () => {
  installRuntimeLogger(testLogger());
  base = await startOrchestrator(servers);
});

void test(
  'start --localai-url drains and resumes every node through the frontend, the key never printed',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(base, 2, { replicas: 1 });
    const model = `${backend}-model`;
    const frontend = await startSimulatedFrontend({
      nc: base.nc,
      log: base.log,
      nodes: ids.map((id) => ({ id, labels: { zone: 'a' } })),
      catalog: new Map([[model, backend]]),
      scheduling: [{ model, minReplicas: ids.length }],
      auth: { apiKeys: [KEY] },
      tickMs: 500,
    });
    const orch = await startOrchestrator(servers, {
      frontend: createFrontendClient({ url: frontend.url, apiKey: KEY }),
    });
    const drained = new Set<string>();
    const sample = setInterval(() => {
      for (const id of ids) if (frontend.registry.node(id)?.status === NodeStatus.Draining) drained.add(id);
    }, 10);
    try {
      const started = await runCli(
        [
          'start',
          '--backend',
          backend,
          '--localai-url',
          frontend.url,
          '--selector',
          'zone=a',
          '--drain-grace',
          '1s',
          '--min-healthy-time',
          '0s',
          '--wait',
          '--json',
          ...temporalArgs(servers, orch),
        ],
        { env: { LOCALAI_API_KEY: KEY }, timeoutMs: 120_000 },
      );
      expectExit(started, 0, 'start --localai-url --wait');
      const status = JSON.parse(started.stdout) as { phase: string; nodes: { id: string; state: string }[] };
      assert.equal(status.phase, 'succeeded');
      assert.deepEqual(status.nodes.map((n) => n.state).sort(), ['succeeded', 'succeeded']);
      assert.deepEqual([...drained].sort(), [...ids].sort(), 'each node was drained');
      for (const id of ids) assert.equal(frontend.registry.node(id)?.status, NodeStatus.Healthy, `${id} resumed`);
      const described = await orch.client.workflow.getHandle(`rollout:${backend}`).describe();
      assert.ok(described.status.name === 'COMPLETED');
      assert.ok(!started.stderr.includes(KEY) && !started.stdout.includes(KEY), 'the key is never printed');
    } finally {
      clearInterval(sample);
      await orch.stop();
      await frontend.stop();
      await fleet.stop();
    }
  }),
);
