/**
 * A simulated node serves like a LocalAI worker (PROTOCOL.md §4, §8): an upgrade stops every
 * process of the backend and starts none; only `backend.install` with a model id brings a replica
 * back, on the new install; a start check can be made to fail; the legacy forced install restarts
 * only `<backend>#N` processes; `--state-dir` keeps installs across a restart. Real nats-server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NatsConnection } from 'nats';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { subjects } from '../../src/protocol/index.js';
import { uniqueName, withLogs } from '../support/servers.js';
import { tempDir } from './support/files.js';
import { installedAt, useSimulation } from './support/simulation.js';
import { ask, eventually, failureCode, testLogger } from './support/wire.js';

const sim = useSimulation();
const { servers, fleetOf } = sim;
let nc: NatsConnection;

const PROBE = 'fleet-rollout-probe';
const running = async (id: string): Promise<string> => await ask(nc, subjects.modelsRunning(id), '{}');
const keysOf = (reply: string): string[] =>
  [...reply.matchAll(/"model_id":"([^"]+)","replica_index":(\d+)/g)].map((m) => `${m[1]}#${m[2]}`);

void test(
  'an upgrade stops every replica and starts none; install with a model id restores each on the new install',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids, fleet } = await fleetOf({
      backend: 'llama-cpp',
      version: 'v1.2.3',
      replicas: 2,
      installMs: 50,
      otherBackends: [{ name: 'whisper', version: 'v0.1.0' }],
    });
    const id = ids[0] ?? '';
    const oldAt = installedAt(await ask(nc, subjects.list(id), '{}'));
    assert.ok(fleet.processes(id).every((p) => p.backend !== 'llama-cpp' || p.generation === oldAt));
    assert.equal(
      await ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}'),
      '{"success":true,"stopped_process_keys":["llama-cpp-model#0","llama-cpp-model#1"],"reports_stopped_processes":true}',
    );
    assert.deepEqual(keysOf(await running(id)), ['whisper-model#0', 'whisper-model#1'], 'only the other backend runs');
    const newAt = installedAt(await ask(nc, subjects.list(id), '{}'));
    assert.ok(newAt > oldAt);
    await eventually('still nothing restarted by itself', async () => keysOf(await running(id)).length === 2, 300);

    const probe = await ask(nc, subjects.install(id), JSON.stringify({ backend: 'llama-cpp', model_id: PROBE }));
    assert.match(probe, /^\{"success":true,"address":"127\.0\.0\.1:\d+"\}$/);
    assert.ok(keysOf(await running(id)).includes(`${PROBE}#0`));
    nc.publish(subjects.stop(id), Buffer.from(JSON.stringify({ backend: `${PROBE}#0` })));
    await nc.flush();
    await eventually('probe gone', async () => !keysOf(await running(id)).includes(`${PROBE}#0`));

    for (const replica of [0, 1]) {
      const request = { backend: 'llama-cpp', model_id: 'llama-cpp-model', replica_index: replica };
      assert.match(await ask(nc, subjects.install(id), JSON.stringify(request)), /^\{"success":true,"address":/);
    }
    assert.deepEqual(keysOf(await running(id)).sort(), [
      'llama-cpp-model#0',
      'llama-cpp-model#1',
      'whisper-model#0',
      'whisper-model#1',
    ]);
    const llama = fleet.processes(id).filter((p) => p.backend === 'llama-cpp');
    assert.deepEqual(
      llama.map((p) => [p.key, p.generation]),
      [
        ['llama-cpp-model#0', newAt],
        ['llama-cpp-model#1', newAt],
      ],
      'the restored replicas run the new install',
    );
  }),
);

void test(
  'fail-start: installs of a matching version fail their start check with a stderr tail and leave nothing running',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids, fleet } = await fleetOf({ backend: 'vllm', version: 'v1.0.0', installMs: 20, failStart: 'v2.*' });
    const id = ids[0] ?? '';
    const probe = JSON.stringify({ backend: 'vllm', model_id: PROBE });
    assert.match(await ask(nc, subjects.install(id), probe), /^\{"success":true/, 'v1.0.0 starts');
    nc.publish(subjects.stop(id), Buffer.from(`{"backend":"${PROBE}#0"}`));
    await nc.flush();
    await eventually('probe stopped', async () => (await running(id)) === '{"models":[]}');
    const upgrade = await ask(nc, subjects.upgrade(id), '{"backend":"vllm","uri":"oci://registry.sim/vllm:v2.0.0"}');
    assert.equal(upgrade, '{"success":true,"reports_stopped_processes":true}', 'the bytes install fine');
    assert.equal(
      await ask(nc, subjects.install(id), probe),
      `{"success":false,"error":"backend process ${PROBE}#0 died during startup. Last stderr:\\n${PROBE}#0: starting vllm v2.0.0 from oci://registry.sim/vllm:v2.0.0\\nerror: simulated start failure: vllm v2.0.0 matches fail-start \\"v2.*\\"\\nexit status 1\\n"}`,
    );
    assert.equal(await running(id), '{"models":[]}');
    assert.deepEqual(fleet.processes(id), []);
    await ask(nc, subjects.upgrade(id), '{"backend":"vllm","uri":"oci://registry.sim/vllm:v3.0.0"}');
    assert.match(await ask(nc, subjects.install(id), probe), /^\{"success":true/, 'v3.0.0 starts again');
  }),
);

void test(
  'legacy node: no models.running; the forced install restarts only <backend>#N and leaves other replicas on the old build',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids, fleet } = await fleetOf({
      backend: 'llama-cpp',
      version: 'v1.2.3',
      replicas: 2,
      legacy: true,
      installMs: 30,
    });
    const id = ids[0] ?? '';
    assert.equal(await failureCode(nc, subjects.modelsRunning(id), '{}'), '503');
    assert.equal(await failureCode(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}'), '503');
    // An idle process from an earlier admin install: the only kind a legacy forced install stops.
    assert.match(await ask(nc, subjects.install(id), '{"backend":"llama-cpp","replica_index":1}'), /"success":true/);
    const oldAt = installedAt(await ask(nc, subjects.list(id), '{}'));
    assert.match(
      await ask(nc, subjects.install(id), '{"backend":"llama-cpp","force":true,"op_id":"op-legacy"}'),
      /^\{"success":true,"address":"127\.0\.0\.1:\d+"\}$/,
    );
    const newAt = installedAt(await ask(nc, subjects.list(id), '{}'));
    assert.ok(newAt > oldAt);
    assert.deepEqual(
      fleet.processes(id).map((p) => [p.key, p.generation === newAt ? 'new' : 'old']),
      [
        ['llama-cpp-model#0', 'old'],
        ['llama-cpp-model#1', 'old'],
        ['llama-cpp#0', 'new'],
      ],
      'llama-cpp#1 stopped, llama-cpp#0 started on the new build, the model replicas untouched',
    );
    const restart = '{"backend":"llama-cpp","model_id":"llama-cpp-model","replica_index":1}';
    assert.match(await ask(nc, subjects.install(id), restart), /"success":true/);
    assert.equal(fleet.processes(id).find((p) => p.key === 'llama-cpp-model#1')?.generation, newAt);
  }),
);

void test(
  'a state directory keeps installs across a restart; the restarted node runs no processes',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const stateDir = tempDir('fleet-state');
    const id = uniqueName('kept');
    const node = { id, backend: 'llama-cpp', version: 'v1.2.3', replicas: 2, installMs: 20 };
    const start = () => startSimulatedFleet({ nc, nodes: [node], log: testLogger(), seed: 'tests', stateDir });
    let fleet = await start();
    const initial = await ask(nc, subjects.list(id), '{}');
    await fleet.stop();
    fleet = await start();
    assert.equal(await ask(nc, subjects.list(id), '{}'), initial, 'the initial install is kept, installed_at too');
    assert.match(await ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp","alias":"x"}'), /"success":true/);
    const upgraded = await ask(nc, subjects.list(id), '{}');
    assert.match(upgraded, /"version":"v1\.2\.4"/);
    await fleet.stop();
    fleet = await start();
    try {
      assert.equal(await ask(nc, subjects.list(id), '{}'), upgraded);
      assert.equal(await running(id), '{"models":[]}');
      assert.match(await ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}'), /"success":true/);
      assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v1\.2\.5"/, 'later upgrades go on from there');
    } finally {
      await fleet.stop();
    }
    const other = { ...node, id: uniqueName('other') };
    writeFileSync(path.join(stateDir, `${other.id}.json`), '{"format":1');
    await assert.rejects(
      startSimulatedFleet({ nc, nodes: [other], log: testLogger(), stateDir }),
      new RegExp(`${other.id}\\.json is not JSON .*delete it to start that node afresh`),
    );
  }),
);
