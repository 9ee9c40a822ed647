/** Pure parts of the metrics: subject kinds, listen addresses, help texts, counter names, the agent's registry. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { getMetricsFromStream } from 'prom2javascript';
import { AgentMetrics } from '../../src/metrics/agent-metrics.js';
import { AgentMetric, METRIC_HELP, subjectKind, WorkerMetric } from '../../src/metrics/definitions.js';
import {
  assertCanListen,
  formatListenAddress,
  isLoopback,
  ListenAddressError,
  parseListenAddress,
} from '../../src/metrics/listen-address.js';
import { meterName } from '../../src/metrics/worker-metrics.js';
import { metricsListenFromFlags } from '../../src/cli/metrics-flags.js';
import { UsageError } from '../../src/cli/exit.js';
import { histogramSeries, sampleSum } from '../support/prometheus.js';

void test('subject kinds are bounded: the part after the node token, or other', () => {
  const cases: [string, string][] = [
    ['nodes.gpu-1.backend.upgrade', 'backend.upgrade'],
    ['nodes.gpu-1.backend.install', 'backend.install'],
    ['nodes.a-b-c.backend.list', 'backend.list'],
    ['nodes.gpu-1.models.running', 'models.running'],
    ['nodes.gpu-1.backend.install.op-1.progress', 'other'],
    ['nodes.gpu-1.something.else', 'other'],
    ['other.subject', 'other'],
  ];
  for (const [subject, kind] of cases) assert.equal(subjectKind(subject), kind, subject);
});

void test('every metric has help text; counters end in _total and lose it for the meter', () => {
  for (const metric of [...Object.values(WorkerMetric), ...Object.values(AgentMetric)]) {
    assert.ok(METRIC_HELP[metric].length > 10, metric);
    assert.match(metric, /^fleet_rollout_[a-z_]+$/);
  }
  assert.equal(meterName(WorkerMetric.NodesFinished), 'fleet_rollout_nodes_finished');
  assert.equal(meterName(WorkerMetric.Nodes), 'fleet_rollout_nodes');
});

void test('listen addresses: HOST:PORT and [v6]:PORT; errors name the flag and the form', () => {
  assert.deepEqual(parseListenAddress('--listen', '127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseListenAddress('--listen', 'localhost:9464'), { host: 'localhost', port: 9464 });
  assert.deepEqual(parseListenAddress('--listen', '[::1]:9464'), { host: '::1', port: 9464 });
  assert.equal(formatListenAddress({ host: '::1', port: 9464 }), '[::1]:9464');
  for (const bad of ['8080', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', 'a b:1', ':8080', 'http://x:1']) {
    assert.throws(
      () => parseListenAddress('--metrics-listen', bad),
      (err: unknown) =>
        err instanceof ListenAddressError && /^--metrics-listen ".*": expected HOST:PORT/.test(err.message),
      bad,
    );
  }
  assert.ok(isLoopback('127.0.0.1') && isLoopback('127.1.2.3') && isLoopback('::1') && isLoopback('localhost'));
  assert.ok(!isLoopback('0.0.0.0') && !isLoopback('10.0.0.1') && !isLoopback('example.com'));
});

void test('a busy port is refused before any server is given it; the flag beats the environment', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
  const port = (busy.address() as net.AddressInfo).port;
  try {
    await assert.rejects(
      assertCanListen('--metrics-listen', { host: '127.0.0.1', port }),
      /--metrics-listen 127\.0\.0\.1:\d+: cannot listen there \(EADDRINUSE\)/,
    );
    await assert.rejects(
      metricsListenFromFlags(undefined, { FLEET_ROLLOUT_METRICS_LISTEN: `127.0.0.1:${port}` }),
      (err: unknown) => err instanceof UsageError && /^FLEET_ROLLOUT_METRICS_LISTEN/.test(err.message),
    );
  } finally {
    busy.close();
  }
  assert.equal(await metricsListenFromFlags(undefined, {}), undefined, 'off by default');
  await assert.rejects(metricsListenFromFlags('nope', {}), /--metrics-listen "nope": expected HOST:PORT/);
});

void test('agent metrics: installs by outcome with their duration, bytes, requests, invalid requests', async () => {
  const metrics = new AgentMetrics();
  assert.equal(await metrics.timeInstall(() => Promise.resolve('ok')), 'ok');
  await assert.rejects(
    metrics.timeInstall(() => Promise.reject(new Error('disk full'))),
    /disk full/,
  );
  metrics.bytesFetched(1_000);
  metrics.bytesFetched(24);
  metrics.bytesFetched(0);
  metrics.request('upgrade');
  metrics.undecodableRequest('BackendUpgradeRequest');
  metrics.undecodableRequest('BackendUpgradeReply');
  metrics.invalidRequest('list', 'oversized');
  const parsed = await getMetricsFromStream(Readable.from([await metrics.registry.metrics()]));
  assert.equal(sampleSum(parsed, AgentMetric.Installs, { outcome: 'success' }), 1);
  assert.equal(sampleSum(parsed, AgentMetric.Installs, { outcome: 'failure' }), 1);
  assert.equal(histogramSeries(parsed, AgentMetric.InstallDuration, { outcome: 'failure' })[0]?.count, 1);
  assert.equal(sampleSum(parsed, AgentMetric.BytesFetched), 1_024);
  assert.equal(sampleSum(parsed, AgentMetric.Requests, { handler: 'upgrade' }), 1);
  assert.equal(sampleSum(parsed, AgentMetric.InvalidRequests, { handler: 'upgrade', reason: 'undecodable' }), 1);
  assert.equal(sampleSum(parsed, AgentMetric.InvalidRequests, { handler: 'list', reason: 'oversized' }), 1);
  assert.equal(sampleSum(parsed, AgentMetric.InvalidRequests), 2, 'a reply type is no request');
});
