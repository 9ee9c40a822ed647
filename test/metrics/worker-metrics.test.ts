/**
 * `/metrics` of the orchestrator worker and of the agent after the demo's rollout on the real
 * stack (Temporal dev server, nats-server, 12 simulated nodes: one legacy, one slow, one failing):
 * parsed with a Prometheus text-format parser, every counter matches the rollout's result exactly,
 * the Temporal SDK's own worker metrics share the endpoint, and `promtool check metrics` passes.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { startRollout } from '../../src/client/index.js';
import { DEMO_BACKEND, demoSpec, simulatedNodes } from '../../src/cli/demo/scenario.js';
import { freePort } from '../../src/local/free-port.js';
import { locateTool } from '../../src/local/tools.js';
import { agentMetrics } from '../../src/metrics/agent-metrics.js';
import {
  AgentMetric,
  NATS_SECONDS_BUCKETS,
  UPGRADE_SECONDS_BUCKETS,
  WorkerMetric,
} from '../../src/metrics/definitions.js';
import { serveMetrics, type MetricsServer } from '../../src/metrics/metrics-server.js';
import { subjects } from '../../src/protocol/index.js';
import { installRuntimeLogger } from '../../src/worker.js';
import { startOrchestrator, testLogger, type TestOrchestrator } from '../support/orchestrator.js';
import { histogramSeries, promtoolCheck, sampleSum, scrape, type Scrape } from '../support/prometheus.js';
import { useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
let orch: TestOrchestrator;
let workerMetricsUrl = '';
let agentServer: MetricsServer;

before(async () => {
  await servers.ready;
  const port = await freePort();
  installRuntimeLogger(testLogger(), { metricsListen: { host: '127.0.0.1', port } });
  workerMetricsUrl = `http://127.0.0.1:${port}/metrics`;
  orch = await startOrchestrator(servers);
  agentServer = await serveMetrics({ host: '127.0.0.1', port: 0 }, agentMetrics.registry);
  servers.beforeStop(() => agentServer.close());
});

const backend = { backend: DEMO_BACKEND };

function promtoolPath(): string {
  try {
    return locateTool('promtool');
  } catch {
    throw new Error(
      "promtool is missing: run 'npm run setup' (it unpacks promtool from Debian's prometheus package; run 'apt-get update' first on a fresh machine), or 'apt-get install prometheus', or set PROMTOOL=/path/to/promtool",
    );
  }
}

/** Scrapes until `ready` holds (the workflow's metrics reach the exporter after its activation), at most 10 s. */
async function scrapeUntil(url: string, ready: (s: Scrape) => boolean): Promise<Scrape> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await scrape(url);
    if (ready(s) || Date.now() > deadline) return s;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

void test(
  'after the demo rollout, worker and agent metrics match its result exactly',
  { timeout: 120_000 },
  withLogs(servers, async () => {
    const fleet = await startSimulatedFleet({ nc: orch.nc, nodes: simulatedNodes(), log: orch.log });
    try {
      const started = await startRollout(orch.client, demoSpec(), { taskQueue: orch.taskQueue });
      const result = await started.handle.result();
      const count = (state: string) => result.nodes.filter((n) => n.state === state).length;
      assert.equal(result.phase, 'failed', 'the staged failure ends the demo rollout in phase failed');
      assert.equal(count('succeeded'), 11);
      assert.equal(count('failed'), 1);

      const worker = await scrapeUntil(
        workerMetricsUrl,
        (s) => sampleSum(s.metrics, WorkerMetric.RolloutsFinished, backend) === 1,
      );
      const m = worker.metrics;
      // Nodes: the end-state counter, the gauge, and the duration histogram agree with the result.
      assert.equal(sampleSum(m, WorkerMetric.NodesFinished, { ...backend, state: 'succeeded' }), 11);
      assert.equal(sampleSum(m, WorkerMetric.NodesFinished, { ...backend, state: 'failed' }), 1);
      assert.equal(sampleSum(m, WorkerMetric.NodesFinished, backend), result.nodes.length);
      assert.equal(sampleSum(m, WorkerMetric.Nodes, { ...backend, state: 'succeeded' }), 11);
      assert.equal(sampleSum(m, WorkerMetric.Nodes, { ...backend, state: 'failed' }), 1);
      assert.equal(sampleSum(m, WorkerMetric.Nodes, { ...backend, state: 'pending' }), 0);
      const durations = histogramSeries(m, WorkerMetric.NodeUpgradeDuration, { ...backend, outcome: 'succeeded' });
      assert.equal(durations.length, 1);
      assert.equal(durations[0]?.count, 11);
      assert.deepEqual(
        Object.keys(durations[0]?.buckets ?? {})
          .filter((le) => le !== '+Inf')
          .map(Number)
          .sort((a, b) => a - b),
        [...UPGRADE_SECONDS_BUCKETS],
        'our buckets, not the exporter defaults',
      );
      // The rollout: one ended, in phase failed; the phase gauge says the same.
      assert.equal(sampleSum(m, WorkerMetric.RolloutsFinished, { ...backend, phase: 'failed' }), 1);
      assert.equal(sampleSum(m, WorkerMetric.Rollouts, { ...backend, phase: 'failed' }), 1);
      assert.equal(sampleSum(m, WorkerMetric.Rollouts, backend), 1, 'exactly one phase is current');
      // Attempts, re-sends, the legacy fallback, verification of the slow node.
      const attempts = result.nodes.reduce((sum, n) => sum + n.attempts, 0);
      assert.equal(attempts, 12);
      assert.equal(sampleSum(m, WorkerMetric.UpgradeAttempts, backend), attempts);
      assert.equal(sampleSum(m, WorkerMetric.UpgradeResends, backend), 0);
      assert.equal(result.nodes.filter((n) => n.fallback).length, 1);
      assert.equal(sampleSum(m, WorkerMetric.LegacyFallbacks, backend), 1);
      assert.equal(sampleSum(m, WorkerMetric.VerificationPolls, { ...backend, verdict: 'applied' }), 1);
      // NATS requests by subject kind and result, with a latency series for each.
      const nats = (kind: string, result: string) =>
        sampleSum(m, WorkerMetric.NatsRequests, { subject_kind: kind, result });
      assert.equal(nats('backend.upgrade', 'ok'), 10, 'every node but the legacy and the slow one replied');
      assert.equal(nats('backend.upgrade', 'no-responders'), 1, 'the legacy node');
      assert.equal(nats('backend.upgrade', 'timeout'), 1, 'the slow node');
      // backend.install also carries each start-check probe and each restored replica.
      const probes = result.nodes.filter((n) => (n.steps ?? []).some((s) => s.startsWith('start check: probe'))).length;
      const restored = result.nodes.reduce((sum, n) => sum + (n.replicasRestored ?? 0), 0);
      assert.ok(probes >= 11 && restored > 0, `probes ${probes}, restored replicas ${restored}`);
      assert.equal(nats('backend.install', 'ok'), 1 + probes + restored, 'the legacy fallback, probes and restores');
      assert.ok(nats('backend.list', 'ok') >= 12, 'discovery asked every node');
      for (const series of histogramSeries(m, WorkerMetric.NatsRequestDuration)) {
        assert.equal(series.count, sampleSum(m, WorkerMetric.NatsRequests, series.labels), JSON.stringify(series));
        assert.equal(Object.keys(series.buckets).length, NATS_SECONDS_BUCKETS.length + 1);
      }
      // The Temporal SDK's own worker metrics share the endpoint.
      assert.ok(
        Object.keys(m).some((name) => name.startsWith('temporal_workflow_')),
        'SDK workflow metrics are served too',
      );
      // No node ids or op ids as label values.
      for (const node of result.nodes) assert.ok(!worker.text.includes(node.id), `${node.id} appears in /metrics`);

      // The agent side: a malformed request first, then the counters.
      const malformed = await orch.nc.request(subjects.upgrade('eu-west-gpu-1'), new TextEncoder().encode('{not json'));
      assert.match(new TextDecoder().decode(malformed.data), /invalid request/);
      const agent = await scrape(agentServer.url);
      const a = agent.metrics;
      const received = (handler: string) =>
        Object.values(fleet.stats()).reduce((sum, s) => sum + s.requests[handler as 'upgrade'], 0);
      for (const handler of ['list', 'upgrade', 'install', 'modelsRunning'])
        assert.equal(sampleSum(a, AgentMetric.Requests, { handler }), received(handler), handler);
      assert.equal(sampleSum(a, AgentMetric.Requests, { handler: 'upgrade' }), 12, '11 upgrades and the malformed one');
      assert.equal(sampleSum(a, AgentMetric.InvalidRequests, { handler: 'upgrade', reason: 'undecodable' }), 1);
      const installsRun = Object.values(fleet.stats()).reduce((sum, s) => sum + s.installsRun, 0);
      assert.equal(sampleSum(a, AgentMetric.Installs), installsRun);
      assert.equal(sampleSum(a, AgentMetric.Installs, { outcome: 'failure' }), 1, 'the failing node');
      assert.equal(sampleSum(a, AgentMetric.Installs, { outcome: 'success' }), installsRun - 1);
      assert.equal(histogramSeries(a, AgentMetric.InstallDuration, { outcome: 'success' })[0]?.count, installsRun - 1);
      assert.equal(sampleSum(a, AgentMetric.BytesFetched), 0, 'simulated installs download nothing');

      // promtool (from Debian's prometheus package, unpacked by scripts/setup.sh) accepts both expositions.
      const promtool = promtoolPath();
      assert.equal(promtoolCheck(promtool, worker.text), '');
      assert.equal(promtoolCheck(promtool, agent.text), '');
    } finally {
      await fleet.stop();
    }
  }),
);
