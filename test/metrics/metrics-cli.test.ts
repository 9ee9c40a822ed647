/**
 * `fleet-rollout worker --metrics-listen` and `fleet-rollout agent --metrics-listen` as operators
 * run them: real processes against a real Temporal dev server and nats-server, scraped over HTTP.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from 'nats';
import { freePort } from '../../src/local/free-port.js';
import { AgentMetric } from '../../src/metrics/definitions.js';
import { subjects } from '../../src/protocol/index.js';
import { runCli, spawnCli, type CliProcess } from '../cli/cli-harness.js';
import { sampleSum, scrape, type Scrape } from '../support/prometheus.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });

/** Scrapes `url` until `ready` holds; fails with the process output after 30 s. */
async function scrapeWhen(proc: CliProcess, url: string, ready: (s: Scrape) => boolean): Promise<Scrape> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await scrape(url).catch(() => undefined);
    if (s !== undefined && ready(s)) return s;
    if (Date.now() > deadline) throw new Error(`${url} never became ready:\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

void test(
  'worker --metrics-listen serves the Temporal SDK worker metrics on /metrics and stops cleanly',
  { timeout: 90_000 },
  withLogs(servers, async () => {
    const port = await freePort();
    const worker = spawnCli(['worker', '--task-queue', uniqueName('tq')], {
      TEMPORAL_ADDRESS: servers.temporal.address,
      NATS_URL: servers.nats.url,
      FLEET_ROLLOUT_METRICS_LISTEN: `127.0.0.1:${port}`,
    });
    try {
      const s = await scrapeWhen(worker, `http://127.0.0.1:${port}/metrics`, (m) =>
        Object.keys(m.metrics).some((name) => name.startsWith('temporal_')),
      );
      assert.ok(Object.keys(s.metrics).some((name) => name.startsWith('temporal_')));
    } finally {
      worker.kill('SIGTERM');
    }
    assert.equal(await worker.exited, 0, worker.output());
  }),
);

void test(
  'agent --metrics-listen counts the requests it receives, and a malformed one as invalid',
  { timeout: 60_000 },
  withLogs(servers, async () => {
    const port = await freePort();
    const nodeId = uniqueName('metrics-node');
    const agent = spawnCli(
      [
        'agent',
        '--node-id',
        nodeId,
        '--simulate',
        '--backend',
        'llama-cpp@v1.0.0',
        '--metrics-listen',
        `127.0.0.1:${port}`,
      ],
      { NATS_URL: servers.nats.url },
    );
    const nc = await connect({ servers: servers.nats.url });
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      await scrapeWhen(agent, url, () => /serving on/.test(agent.output()));
      await nc.request(subjects.list(nodeId), new TextEncoder().encode('{}'), { timeout: 5_000 });
      await nc.request(subjects.upgrade(nodeId), new TextEncoder().encode('[1,2'), { timeout: 5_000 });
      const s = await scrapeWhen(agent, url, (m) => sampleSum(m.metrics, AgentMetric.Requests) === 2);
      assert.equal(sampleSum(s.metrics, AgentMetric.Requests, { handler: 'list' }), 1);
      assert.equal(sampleSum(s.metrics, AgentMetric.Requests, { handler: 'upgrade' }), 1);
      assert.equal(sampleSum(s.metrics, AgentMetric.InvalidRequests, { handler: 'upgrade', reason: 'undecodable' }), 1);
      assert.equal(sampleSum(s.metrics, AgentMetric.Installs), 0, 'an invalid request installs nothing');
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    } finally {
      await nc.close();
      agent.kill('SIGTERM');
    }
    assert.equal(await agent.exited, 0, agent.output());

    const bad = await runCli(['worker', '--metrics-listen', 'localhost'], {
      env: { TEMPORAL_ADDRESS: servers.temporal.address, NATS_URL: servers.nats.url },
    });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--metrics-listen "localhost": expected HOST:PORT/);
  }),
);
