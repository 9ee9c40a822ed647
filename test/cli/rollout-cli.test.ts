/**
 * End to end through the built CLI: `start --wait`, `status --json`, `history`, `list`, and the
 * refusal of a second start, against a real Temporal dev server, nats-server, orchestrator worker
 * and simulated fleet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusJsonSchema } from '../../src/client/status-json.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli, spawnCli, startFleet, temporalArgs, waitFor } from './cli-harness.js';

const servers = useServers();
const orchestrator = useOrchestrator(servers);

void test(
  'start --wait upgrades every node, prints the final table and exits 0; status --json, history and list agree',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 4);
    try {
      const started = await runCli([
        'start',
        '--backend',
        backend,
        '--nodes',
        ids.join(','),
        '--max-parallel',
        '2',
        '--min-healthy-time',
        '0s',
        '--reason',
        'e2e test',
        '--wait',
        ...temporalArgs(servers, orchestrator),
      ]);
      expectExit(started, 0, 'start --wait');
      assert.match(started.stdout, new RegExp(`started rollout:${backend} run [0-9a-f-]+`));
      assert.match(started.stdout, /http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/rollout%3A/);
      assert.match(started.stdout, /NODE\s+ZONE\s+WAVE\s+STATE\s+VERSION\s+ATTEMPTS\s+FALLBACK\s+DURATION\s+ERROR/);
      for (const id of ids)
        assert.match(
          started.stdout,
          new RegExp(`${id}\\s+-\\s+\\d\\s+succeeded\\s+v1\\.0\\.0 → v1\\.0\\.1\\s+1\\s+-\\s+\\S+`),
        );
      assert.match(started.stdout, new RegExp(`${backend}: succeeded: every one of the 4 targeted nodes upgraded`));
      assert.doesNotMatch(started.stdout, /\u001b\[/, 'no ANSI codes when stdout is not a terminal');

      const status = await runCli(['status', backend, '--json', ...temporalArgs(servers)]);
      expectExit(status, 0, 'status --json');
      const doc = StatusJsonSchema.parse(JSON.parse(status.stdout));
      assert.equal(doc.phase, 'succeeded');
      assert.equal(doc.execution, 'completed');
      assert.equal(doc.counts.succeeded, 4);
      assert.equal(doc.reason, 'e2e test');
      assert.deepEqual(doc.nodes.map((n) => n.state).sort(), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      assert.ok(doc.nodes.every((n) => n.durationMs !== null && n.attempts === 1));

      const history = await runCli(['history', backend, ...temporalArgs(servers)]);
      expectExit(history, 0, 'history');
      assert.match(history.stdout, /succeeded\s+4\/4 ok, 0 failed, 0 skipped\s+v1\.0\.0 → v1\.0\.1 \(4\)\s+/);

      const list = await runCli(['list', '--backend', backend, '--json', ...temporalArgs(servers)]);
      expectExit(list, 0, 'list');
      const rows = JSON.parse(list.stdout) as { backend: string; phase: string }[];
      assert.deepEqual(
        rows.map((r) => [r.backend, r.phase]),
        [[backend, 'succeeded']],
      );
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'a second start while one runs is refused naming the running run; --attach joins it',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 2);
    try {
      const common = [
        '--backend',
        backend,
        '--nodes',
        ids.join(','),
        '--canary',
        '1',
        '--min-healthy-time',
        '0s',
        ...temporalArgs(servers, orchestrator),
      ];
      const first = await runCli(['start', ...common]);
      expectExit(first, 0, 'first start');
      const runId = /run ([0-9a-f-]+)/.exec(first.stdout)?.[1] ?? '';
      const second = await runCli(['start', ...common]);
      expectExit(second, 1, 'second start');
      assert.match(
        second.stderr,
        new RegExp(`a rollout of ${backend} is already running: rollout:${backend} run ${runId}`),
      );
      const attached = await runCli(['start', ...common, '--attach']);
      expectExit(attached, 0, 'start --attach');
      assert.match(attached.stdout, new RegExp(`attached to rollout:${backend} run ${runId}`));
      expectExit(await runCli(['abort', backend, ...temporalArgs(servers)]), 0, 'abort');
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'fleet-rollout worker takes its settings from the environment, runs rollouts, and stops cleanly on SIGTERM',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 2);
    const env = {
      TEMPORAL_ADDRESS: servers.temporal.address,
      NATS_URL: servers.nats.url,
      TEMPORAL_TASK_QUEUE: uniqueName('cli-tq'),
    };
    const worker = spawnCli(['worker'], { ...env, LOG_LEVEL: 'info' });
    try {
      await waitFor(
        'the worker to poll',
        () => Promise.resolve(/orchestrator worker running/.test(worker.output()) ? true : undefined),
        60_000,
      );
      const started = await runCli(
        ['start', '--backend', backend, '--nodes', ids.join(','), '--min-healthy-time', '0s', '--wait'],
        { env },
      );
      expectExit(started, 0, 'start --wait on the CLI worker');
      assert.match(started.stdout, new RegExp(`${backend}: succeeded`));
    } finally {
      worker.kill('SIGTERM');
      await fleet.stop();
    }
    assert.equal(await worker.exited, 0, worker.output());
    assert.match(worker.output(), /orchestrator worker stopped/);
  }),
);
