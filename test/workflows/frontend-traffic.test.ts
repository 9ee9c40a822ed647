/**
 * What a rollout does to inference traffic routed by a LocalAI frontend, on real Temporal and
 * NATS with simulated nodes and the simulated frontend sending constant traffic. Without drain,
 * the upgrade kills processes the frontend still routes to: requests in flight fail, and so does
 * every request routed to a row left pointing at a killed process. With the frontend in the spec,
 * each node is drained first and resumed after: no request fails, no model is ever left without a
 * serving node, and the `min_replicas` replicas are back on every node at the end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { NodeStatus, startSimulatedFrontend, type TrafficStats } from '../../src/agent/simulated/frontend/index.js';
import { createFrontendClient } from '../../src/frontend/index.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import type { RolloutStatus } from '../../src/workflows/status.js';
import { startOrchestrator, useOrchestrator } from '../support/orchestrator.js';
import { recordHistory } from '../support/histories.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);
const ADMIN_KEY = 'traffic-admin-key';

interface TrafficRun {
  result: RolloutStatus;
  stats: TrafficStats;
  /** Fewest healthy nodes with a loaded row of the model seen at any sample during the rollout. */
  fewestServing: number;
  /** Nodes drained at any sample. */
  drainedSeen: Set<string>;
  /** At the end: every node's frontend status and whether it has a loaded row of the model. */
  end: { id: string; status: string; loaded: boolean }[];
}

/** Upgrades 4 nodes, one at a time, under 20 requests/s; with `drain`, through the frontend. */
async function rolloutUnderTraffic(drain: boolean): Promise<TrafficRun> {
  const backend = uniqueName('llama');
  const prefix = uniqueName('n');
  const model = `${backend}-model`;
  const ids = Array.from({ length: 4 }, (_, i) => `${prefix}-${i}`);
  const fleet = await startSimulatedFleet({
    nc: orch.nc,
    log: orch.log,
    nodes: ids.map((id) => ({ id, backend, version: 'v1.0.0', installMs: 400, replicas: 1 })),
  });
  const frontend = await startSimulatedFrontend({
    nc: orch.nc,
    log: orch.log,
    nodes: ids.map((id) => ({ id })),
    catalog: new Map([[model, backend]]),
    scheduling: [{ model, minReplicas: ids.length }],
    auth: { apiKeys: [ADMIN_KEY] },
    tickMs: 1_000,
    traffic: { ratePerSec: 20, requestMs: 300 },
  });
  const worker = drain
    ? await startOrchestrator(servers, { frontend: createFrontendClient({ url: frontend.url, apiKey: ADMIN_KEY }) })
    : orch;
  let fewestServing = Infinity;
  const drainedSeen = new Set<string>();
  const sample = setInterval(() => {
    const nodes = frontend.registry.nodes();
    for (const n of nodes) if (n.status === NodeStatus.Draining) drainedSeen.add(n.id);
    const serving = nodes.filter(
      (n) => n.status === NodeStatus.Healthy && frontend.registry.rows(n.id).some((r) => r.modelName === model),
    ).length;
    fewestServing = Math.min(fewestServing, serving);
  }, 20);
  try {
    const workflowId = rolloutWorkflowId(backend);
    const handle = await worker.client.workflow.start(rolloutWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId,
      args: [
        {
          spec: {
            backend,
            nodes: ids,
            maxParallel: 1,
            minHealthyTime: '1s',
            ...(drain ? { frontend: { url: frontend.url }, drainGrace: '1s' } : {}),
          },
        },
      ],
    });
    const result = await handle.result();
    clearInterval(sample);
    if (drain) recordHistory(servers.temporal.address, workflowId, 'frontend-drain');
    const stats = await frontend.stop();
    assert.ok(stats !== undefined);
    const end = ids.map((id) => ({
      id,
      status: frontend.registry.node(id)?.status ?? 'missing',
      loaded: frontend.registry.rows(id).some((r) => r.modelName === model && r.state === 'loaded'),
    }));
    return { result, stats, fewestServing, drainedSeen, end };
  } finally {
    clearInterval(sample);
    await frontend.stop();
    if (worker !== orch) await worker.stop();
    await fleet.stop();
  }
}

const describe = (s: TrafficStats): string =>
  `${s.sent} requests, ${s.failed} failed (killed in flight ${s.byKind.killed}, stale row ${s.byKind['stale-row']}, no node ${s.byKind['no-node']})`;

void test(
  'without the frontend, a rollout under constant traffic fails requests (killed in flight, or routed to stale rows)',
  withLogs(servers, async () => {
    const run = await rolloutUnderTraffic(false);
    assert.equal(run.result.phase, 'succeeded');
    console.log(`without the frontend: ${describe(run.stats)}`);
    assert.ok(run.stats.failed > 0, 'a rollout that does not drain fails requests');
    assert.ok(run.stats.byKind.killed + run.stats.byKind['stale-row'] > 0);
    assert.equal(run.drainedSeen.size, 0, 'nothing is drained without the frontend');
  }),
);

void test(
  'with the frontend, every node is drained, upgraded and resumed under constant traffic: 0 requests fail',
  withLogs(servers, async () => {
    const run = await rolloutUnderTraffic(true);
    assert.equal(run.result.phase, 'succeeded', run.result.message);
    console.log(`with the frontend: ${describe(run.stats)}`);
    assert.ok(run.stats.sent > 100, `traffic ran (${run.stats.sent} requests)`);
    assert.equal(run.stats.failed, 0, JSON.stringify(run.stats.failures.slice(0, 5)));
    assert.equal(run.drainedSeen.size, 4, 'each node was drained at some point');
    assert.ok(run.fewestServing >= 1, `a model was left without a serving node (${run.fewestServing})`);
    for (const n of run.end) {
      assert.equal(n.status, 'healthy', `${n.id} resumed`);
      assert.ok(n.loaded, `${n.id} serves its min_replicas replica again`);
    }
    for (const node of run.result.nodes) {
      assert.equal(node.state, 'succeeded');
      assert.ok(
        node.steps?.some((s) => s.startsWith('drained')),
        `${node.id} steps: ${node.steps?.join(' | ')}`,
      );
      assert.ok(node.steps?.some((s) => s.startsWith('resumed in the frontend')));
      assert.ok(node.steps?.some((s) => s.startsWith('replicas loaded again in the frontend')));
    }
  }),
);
