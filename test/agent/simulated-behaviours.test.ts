/**
 * Behaviours of simulated nodes over a real nats-server: op-id dedup, per-backend locking,
 * stop/delete, failures, crashes and seeded randomness.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection } from 'nats';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { subjects } from '../../src/protocol/index.js';
import { uniqueName, withLogs } from '../support/servers.js';
import { useSimulation } from './support/simulation.js';
import { ask, eventually, failureCode, testLogger } from './support/wire.js';

const sim = useSimulation();
const { servers, fleetOf } = sim;
let nc: NatsConnection;

void test(
  'op-id dedup: a repeated op id joins the operation in flight or gets its recorded reply; without op id every request reinstalls',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids, fleet } = await fleetOf({ backend: 'llama-cpp', version: 'v1.2.3', replicas: 1, installMs: 300 });
    const id = ids[0] ?? '';
    const request = '{"backend":"llama-cpp","op_id":"op-dedup"}';
    const [first, joined] = await Promise.all([
      ask(nc, subjects.upgrade(id), request),
      ask(nc, subjects.upgrade(id), request),
    ]);
    const recorded = await ask(nc, subjects.upgrade(id), request);
    assert.equal(
      first,
      '{"success":true,"stopped_process_keys":["llama-cpp-model#0"],"reports_stopped_processes":true}',
    );
    assert.equal(joined, first);
    assert.equal(recorded, first);
    let stats = fleet.stats()[id];
    assert.deepEqual([stats?.requests.upgrade, stats?.installsRun, stats?.dedupHits], [3, 1, 2]);
    assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v1\.2\.4"/);
    const started = Date.now();
    await Promise.all([
      ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}'),
      ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}'),
    ]);
    assert.ok(Date.now() - started >= 580, 'same-backend upgrades run one after the other');
    stats = fleet.stats()[id];
    assert.equal(stats?.installsRun, 3);
    assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v1\.2\.6"/);
  }),
);

void test(
  'different backends of one node upgrade in parallel',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids } = await fleetOf({
      backend: 'llama-cpp',
      version: 'v1.0.0',
      otherBackends: [{ name: 'vllm', version: '0.9.0' }],
      installMs: 2_000,
    });
    const id = ids[0] ?? '';
    const started = Date.now();
    await Promise.all([
      ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}'),
      ask(nc, subjects.upgrade(id), '{"backend":"vllm"}'),
    ]);
    // One after the other would take at least 4 s; the margin absorbs a busy machine.
    assert.ok(Date.now() - started < 3_500, `took ${Date.now() - started} ms`);
    const list = await ask(nc, subjects.list(id), '{}');
    assert.match(list, /"name":"llama-cpp".*"version":"v1\.0\.1".*"name":"vllm".*"version":"0\.9\.1"/);
  }),
);

void test(
  'backend.stop (publish, null = all) and backend.delete report and stop processes',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids } = await fleetOf({ backend: 'llama-cpp', version: 'v1.2.3', replicas: 3 });
    const id = ids[0] ?? '';
    nc.publish(subjects.stop(id), Buffer.from('{"backend":"llama-cpp-model#1"}'));
    nc.publish(subjects.stop(id), Buffer.from('{not json'));
    await nc.flush();
    await eventually(
      'replica 1 stopped',
      async () => !(await ask(nc, subjects.modelsRunning(id), '{}')).includes('"replica_index":1'),
    );
    assert.equal(
      await ask(nc, subjects.delete(id), '{"backend":"llama-cpp"}'),
      '{"success":true,"stopped_process_keys":["llama-cpp-model#0","llama-cpp-model#2"],"reports_stopped_processes":true}',
    );
    assert.equal(await ask(nc, subjects.list(id), '{}'), '{"backends":null}');
    assert.equal(await ask(nc, subjects.modelsRunning(id), '{}'), '{"models":[]}');
    assert.equal(
      await ask(nc, subjects.delete(id), '{"backend":"llama-cpp"}'),
      '{"success":false,"error":"backend \\"llama-cpp\\" is not installed","reports_stopped_processes":true}',
    );
    const { ids: others } = await fleetOf({ backend: 'vllm', version: '1.0', replicas: 2 });
    const other = others[0] ?? '';
    nc.publish(subjects.stop(other), Buffer.from('null'));
    await nc.flush();
    await eventually(
      'all stopped',
      async () => (await ask(nc, subjects.modelsRunning(other), '{}')) === '{"models":[]}',
    );
  }),
);

void test(
  'fail-version fails matching upgrades after stopping processes and keeps the old version',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids } = await fleetOf({
      backend: 'llama-cpp',
      version: 'v1.2.3',
      replicas: 1,
      installMs: 50,
      failVersion: 'v1.2.*',
    });
    const id = ids[0] ?? '';
    assert.equal(
      await ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}'),
      '{"success":false,"error":"upgrading backend from gallery: failed to download backend \\"oci://registry.sim/backends/llama-cpp:v1.2.4\\": simulated failure: version v1.2.4 matches --fail-version \\"v1.2.*\\"","stopped_process_keys":["llama-cpp-model#0"],"reports_stopped_processes":true}',
    );
    assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v1\.2\.3"/);
    const viaUri = await ask(
      nc,
      subjects.upgrade(id),
      '{"backend":"llama-cpp","uri":"https://example.com/llama-cpp-v2.0.0.tar.gz"}',
    );
    assert.match(viaUri, /^\{"success":true/);
    assert.match(
      await ask(nc, subjects.list(id), '{}'),
      /"version":"v2\.0\.0","uri":"https:\/\/example\.com\/llama-cpp-v2\.0\.0\.tar\.gz"/,
    );
  }),
);

void test(
  'crash-at: the node drops off mid-install, comes back with the old version, and the next upgrade succeeds',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids } = await fleetOf({
      backend: 'llama-cpp',
      version: 'v1.2.3',
      installMs: 200,
      crashAt: 'extracting',
      crashRestartMs: 600,
    });
    const id = ids[0] ?? '';
    assert.equal(
      await failureCode(nc, subjects.upgrade(id), '{"backend":"llama-cpp","op_id":"op-crash"}', 500),
      'TIMEOUT',
    );
    assert.equal(await failureCode(nc, subjects.list(id), '{}', 500), '503', 'a crashed node has no responders');
    await eventually('node back', async () => (await failureCode(nc, subjects.list(id), '{}', 500)) === 'ok');
    assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v1\.2\.3"/);
    assert.equal(
      await ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp","op_id":"op-crash"}'),
      '{"success":true,"reports_stopped_processes":true}',
    );
    assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v1\.2\.4"/);
  }),
);

void test(
  'a fail rate is reproducible for a given seed and node id',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const id = uniqueName('seeded');
    const outcomes = async (): Promise<string> => {
      const fleet = await startSimulatedFleet({
        nc,
        nodes: [{ id, backend: 'b', version: 'v1.0.0', installMs: 0, failRate: 0.5 }],
        log: testLogger(),
        seed: 42,
      });
      let pattern = '';
      for (let i = 0; i < 12; i += 1)
        pattern += (await ask(nc, subjects.upgrade(id), '{"backend":"b"}')).startsWith('{"success":true') ? 'S' : 'F';
      await fleet.stop();
      return pattern;
    };
    const first = await outcomes();
    assert.match(first, /S/);
    assert.match(first, /F/);
    assert.equal(await outcomes(), first);
  }),
);

void test('startSimulatedFleet refuses bad specs and colliding subject tokens', async () => {
  nc = await sim.connection();
  await assert.rejects(
    startSimulatedFleet({ nc, nodes: [{ id: 'a', backend: 'b', version: '' }], log: testLogger() }),
    /version/,
  );
  await assert.rejects(
    startSimulatedFleet({
      nc,
      nodes: [
        { id: 'a.b', backend: 'b', version: '1' },
        { id: 'a-b', backend: 'b', version: '1' },
      ],
      log: testLogger(),
    }),
    /invalid simulated fleet: node ids "a\.b" and "a-b" collide: both address the subject nodes\.a-b\./,
  );
});
