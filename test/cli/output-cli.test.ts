/**
 * Through the built CLI on a real stack: one output convention (`-o text|json|jsonl|yaml`) on the
 * read commands, `nodes` asking each node what it has installed, and `watch` with `--timeout`,
 * `--run-id`, `-o jsonl`, and following a halted rollout until its nodes in flight are done.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { HistoryRunDetailJsonSchema, HistoryRunJsonSchema } from '../../src/client/history-json.js';
import { RolloutListJsonSchema } from '../../src/client/list-json.js';
import { NodesJsonSchema } from '../../src/client/nodes-json.js';
import { StatusJsonSchema } from '../../src/client/status-json.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli, spawnCli, startFleet, temporalArgs, waitFor } from './cli-harness.js';

const servers = useServers();
const orchestrator = useOrchestrator(servers);

void test(
  'status, history and nodes speak text, json, jsonl and yaml with the same fields',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 3);
    try {
      const t = temporalArgs(servers);
      const nats = ['--nats-url', servers.nats.url];
      const start = ['start', '--backend', backend, '--nodes', ids.join(','), '--min-healthy-time', '0s', '--wait'];
      expectExit(await runCli([...start, ...temporalArgs(servers, orchestrator)]), 0, 'start --wait');

      const json = await runCli(['status', backend, '-o', 'json', ...t]);
      expectExit(json, 0, 'status -o json');
      const doc = StatusJsonSchema.parse(JSON.parse(json.stdout));
      assert.deepEqual(JSON.parse((await runCli(['status', backend, '--json', ...t])).stdout), doc);
      const yaml = await runCli(['status', backend, '-o', 'yaml', ...t]);
      expectExit(yaml, 0, 'status -o yaml');
      assert.deepEqual(parseYaml(yaml.stdout), doc);
      const jsonl = await runCli(['status', backend, '-o', 'jsonl', ...t]);
      assert.equal(jsonl.stdout.trimEnd().split('\n').length, 1);
      assert.deepEqual(JSON.parse(jsonl.stdout), doc);
      assert.deepEqual(
        doc.nodes.map((n) => [n.installedBefore, n.installedAfter]),
        ids.map(() => ['v1.0.0', 'v1.0.1']),
      );
      const refused = await runCli(['status', backend, '-o', 'xml', ...t]);
      expectExit(refused, 2, 'status -o xml');
      assert.match(refused.stderr, /-o\/--output: "xml" is not one of text, json, jsonl, yaml/);

      const history = await runCli(['history', backend, '-o', 'jsonl', ...t]);
      expectExit(history, 0, 'history -o jsonl');
      const runs = history.stdout
        .trimEnd()
        .split('\n')
        .map((l) => HistoryRunJsonSchema.parse(JSON.parse(l)));
      assert.equal(runs.length, 1);
      assert.equal(runs[0]?.runId, doc.runId);
      assert.equal(runs[0]?.outcome, 'succeeded');
      assert.deepEqual(runs[0]?.installs, [{ from: 'v1.0.0', to: 'v1.0.1', nodes: 3 }]);
      assert.deepEqual(runs[0]?.counts?.succeeded, doc.counts.succeeded, 'history and status count alike');
      const detail = await runCli(['history', backend, '--run', doc.runId, '-o', 'json', ...t]);
      expectExit(detail, 0, 'history --run -o json');
      const run = HistoryRunDetailJsonSchema.parse(JSON.parse(detail.stdout));
      assert.deepEqual(
        { ...run, controls: undefined },
        { ...doc, controls: undefined },
        'the run detail is its status',
      );

      const list = await runCli(['list', '--backend', backend, '-o', 'yaml', ...t]);
      expectExit(list, 0, 'list -o yaml');
      const listed = RolloutListJsonSchema.parse(parseYaml(list.stdout));
      assert.deepEqual(
        listed.map((r) => [r.backend, r.runId, r.execution, r.phase, r.startedAt]),
        [[backend, doc.runId, doc.execution, doc.phase, runs[0]?.startedAt]],
        'list, history and status spell the same fields alike',
      );

      const planned = await runCli(['plan', '--backend', backend, '--nodes', ids.join(','), '-o', 'json', ...nats]);
      expectExit(planned, 0, 'plan -o json');
      const plan = JSON.parse(planned.stdout) as { backend: string; waves: { nodes: { id: string }[] }[] };
      assert.deepEqual(plan.waves.flatMap((w) => w.nodes.map((n) => n.id)).sort(), [...ids].sort());
      const planYaml = await runCli(['plan', '--backend', backend, '--nodes', ids.join(','), '-o', 'yaml', ...nats]);
      expectExit(planYaml, 0, 'plan -o yaml');
      assert.equal((parseYaml(planYaml.stdout) as { backend: string }).backend, backend);

      const missing = uniqueName('gone');
      const asked = await runCli(['nodes', backend, '--nodes', `${ids[0]},${missing}`, '-o', 'json', ...nats, ...t]);
      expectExit(asked, 1, 'nodes with an unreachable node');
      const installs = NodesJsonSchema.parse(JSON.parse(asked.stdout));
      assert.equal(installs[0]?.id, ids[0]);
      assert.equal(installs[0]?.installed?.version, 'v1.0.1');
      assert.equal(installs[1]?.installed, null);
      assert.match(installs[1]?.problem ?? '', new RegExp(`nodes\\.${missing}\\.backend\\.list`));
      const all = await runCli(['nodes', backend, ...nats, ...t]);
      expectExit(all, 0, 'nodes of the latest rollout');
      assert.match(all.stdout, /^NODE\s+INSTALLED\s+INSTALLED AT\s+DIGEST\s+SOURCE\n/);
      for (const id of ids) assert.match(all.stdout, new RegExp(`^${id}\\s+v1\\.0\\.1\\s+\\S+`, 'm'));
      const bare = await runCli(['nodes', backend, '--list-timeout', '30', ...nats, ...t]);
      expectExit(bare, 2, 'a duration without a unit');
      assert.match(bare.stderr, /--list-timeout: "30" has no unit/);
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'watch: --timeout exits 4, -o jsonl streams one document per change of the pinned run',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 2, { installMs: 300 });
    try {
      const start = ['start', '--backend', backend, '--nodes', ids.join(','), '--canary', '1', '--promote', 'manual'];
      const started = await runCli([...start, '--min-healthy-time', '0s', ...temporalArgs(servers, orchestrator)]);
      expectExit(started, 0, 'start');
      const runId = /run ([0-9a-f-]+)/.exec(started.stdout)?.[1] ?? '';
      const t = temporalArgs(servers);

      const timedOut = await runCli(['watch', backend, '--timeout', '1s', ...t]);
      expectExit(timedOut, 4, 'watch --timeout 1s at the canary gate');
      assert.match(timedOut.stderr, /gave up watching .* after --timeout; it is still running/);
      const atGate = await runCli(['status', backend, ...t]);
      expectExit(atGate, 0, 'status at the canary gate');
      assert.match(
        atGate.stdout,
        new RegExp(`^waiting for the canary to be promoted: 'fleet-rollout promote ${backend}'$`, 'm'),
      );
      assert.doesNotMatch(atGate.stdout, /eta/);

      const watching = spawnCli(['watch', backend, '--run-id', runId, '-o', 'jsonl', ...t]);
      await waitFor('the canary gate in the stream', () =>
        Promise.resolve(/"waiting":"canary-gate"/.test(watching.output()) ? true : undefined),
      );
      expectExit(await runCli(['promote', backend, ...t]), 0, 'promote');
      assert.equal(await watching.exited, 0);
      const docs = watching
        .output()
        .trimEnd()
        .split('\n')
        .map((l) => StatusJsonSchema.parse(JSON.parse(l)));
      assert.ok(docs.length >= 2, `one document per change: ${docs.length}`);
      assert.ok(docs.every((d) => d.runId === runId));
      assert.equal(docs.at(-1)?.phase, 'succeeded');
      assert.ok(docs.some((d) => d.waiting === 'canary-gate'));
      for (let i = 1; i < docs.length; i += 1) assert.notDeepEqual(docs[i], docs[i - 1], 'only changes are written');
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'watch follows a halted rollout while a node is still in flight, then exits 1',
  withLogs(servers, async () => {
    const backend = uniqueName('be');
    const fast = uniqueName('fails');
    const slow = uniqueName('slow');
    const fleet = await startSimulatedFleet({
      nc: orchestrator.nc,
      log: orchestrator.log,
      nodes: [
        { id: fast, backend, version: 'v1.0.0', installMs: 100, failRate: 1 },
        { id: slow, backend, version: 'v1.0.0', installMs: 4_000 },
      ],
    });
    try {
      const start = ['start', '--backend', backend, '--nodes', `${fast},${slow}`, '--max-parallel', '2'];
      const flags = ['--max-failures', '0', '--min-healthy-time', '0s', ...temporalArgs(servers, orchestrator)];
      expectExit(await runCli([...start, ...flags]), 0, 'start');
      const watched = await runCli(['watch', backend, ...temporalArgs(servers)]);
      expectExit(watched, 1, 'watch of a halted rollout');
      assert.match(watched.stdout, /halted/);
      assert.match(watched.stdout, new RegExp(`^${slow}\\s+-\\s+\\d\\s+succeeded\\s+v1\\.0\\.0 → v1\\.0\\.1`, 'm'));
      assert.match(watched.stdout, new RegExp(`^${fast}\\s+-\\s+\\d\\s+failed`, 'm'));
      assert.match(watched.stdout, /halted: 1 of 2 upgraded, 1 failed/);
    } finally {
      await fleet.stop();
    }
  }),
);
