/**
 * The protocol handlers over the simulated installer, against a real nats-server, driven with raw
 * request bytes shaped like ../shared/protocol/vectors.json and asserting the reply bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection } from 'nats';
import { subjects } from '../../src/protocol/index.js';
import { withLogs } from '../support/servers.js';
import { GAL, installedAt, simulatedDigest as digest, useSimulation } from './support/simulation.js';
import { ask, collect, eventually, failureCode } from './support/wire.js';

const sim = useSimulation();
const { servers, fleetOf } = sim;
let nc: NatsConnection;

void test(
  'backend.list and models.running reply byte-exact LocalAI shapes',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids } = await fleetOf({ backend: 'llama-cpp', version: 'v1.2.3', replicas: 2 });
    const id = ids[0] ?? '';
    const list = await ask(nc, subjects.list(id), '{}');
    assert.match(installedAt(list), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(
      list,
      `{"backends":[{"name":"llama-cpp","is_system":false,"is_meta":false,"installed_at":"${installedAt(list)}","version":"v1.2.3","uri":"oci://registry.sim/backends/llama-cpp:v1.2.3","digest":"${digest('llama-cpp', 'v1.2.3')}"}]}`,
    );
    assert.equal(
      await ask(nc, subjects.modelsRunning(id), '{}'),
      '{"models":[{"model_id":"llama-cpp-model","replica_index":0,"address":"127.0.0.1:50052"},{"model_id":"llama-cpp-model","replica_index":1,"address":"127.0.0.1:50053"}]}',
    );
  }),
);

void test(
  'backend.upgrade (V2 shape) stops the replicas, reports their keys, publishes phased progress and moves the version',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids } = await fleetOf({ backend: 'llama-cpp', version: 'v1.2.3', replicas: 2, installMs: 1200 });
    const id = ids[0] ?? '';
    const before = await ask(nc, subjects.list(id), '{}');
    const op = '0f8fad5b-d9cb-11ef-9b0a-0242ac120002';
    const progress = await collect(nc, subjects.progress(id, op));
    const request = JSON.stringify({ backend: 'llama-cpp', backend_galleries: GAL, op_id: op });
    const reply = await ask(nc, subjects.upgrade(id), request);
    assert.equal(
      reply,
      '{"success":true,"stopped_process_keys":["llama-cpp-model#0","llama-cpp-model#1"],"reports_stopped_processes":true}',
    );
    await eventually('final progress event', () =>
      progress.events.some((e) => e.json.includes('"percentage":100,"phase":"starting"')),
    );
    progress.stop();
    const events = progress.events.map(
      (e) => JSON.parse(e.json) as { node_id: string; phase: string; percentage: number; op_id: string },
    );
    assert.ok(events.every((e) => e.node_id === id && e.op_id === op && typeof e.percentage === 'number'));
    const order = ['resolving', 'downloading', 'extracting', 'starting'];
    const phases = events.map((e) => order.indexOf(e.phase));
    assert.deepEqual(
      phases,
      [...phases].sort((a, b) => a - b),
      `phases in order: ${events.map((e) => e.phase).join(',')}`,
    );
    assert.ok(new Set(phases).size >= 3, 'several phases were reported');
    const gaps = progress.events.slice(1, -1).map((e, i) => e.at - (progress.events[i]?.at ?? 0));
    assert.ok(
      gaps.every((g) => g >= 150),
      `events at most one per 250 ms: gaps ${gaps.join(',')}`,
    );
    assert.ok(
      progress.events.length <= 1 + Math.ceil(1200 / 250) + 1,
      `${progress.events.length} events for a 1.2 s install`,
    );
    const after = await ask(nc, subjects.list(id), '{}');
    assert.match(after, /"version":"v1\.2\.4"/);
    assert.ok(installedAt(after) > installedAt(before), 'installed_at moved forward');
    assert.ok(after.includes(digest('llama-cpp', 'v1.2.4')));
    assert.equal(
      await ask(nc, subjects.modelsRunning(id), '{}'),
      '{"models":[]}',
      'an upgrade starts no process, as a LocalAI worker starts none',
    );
  }),
);

void test(
  'undecodable and oversized payloads get invalid request replies and the node keeps serving',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids, fleet } = await fleetOf({ backend: 'llama-cpp', version: 'v1.2.3', installMs: 0 });
    const id = ids[0] ?? '';
    assert.equal(
      await ask(nc, subjects.upgrade(id), ''),
      '{"success":false,"error":"invalid request: unexpected end of JSON input"}',
    );
    assert.equal(
      await ask(nc, subjects.upgrade(id), '{"backend":123}'),
      '{"success":false,"error":"invalid request: json: cannot unmarshal number into Go struct field BackendUpgradeRequest.backend of type string"}',
    );
    assert.equal(
      await ask(nc, subjects.install(id), Buffer.from([0xff, 0x00, 0x13])),
      '{"success":false,"error":"invalid request: invalid character \'\uFFFD\' looking for beginning of value"}',
    );
    assert.equal(
      await ask(nc, subjects.delete(id), '{"backend":["x"]}'),
      '{"success":false,"error":"invalid request: json: cannot unmarshal array into Go struct field BackendDeleteRequest.backend of type string"}',
    );
    const huge = JSON.stringify({ backend: 'llama-cpp', alias: 'x'.repeat(1536 * 1024) });
    assert.equal(
      await ask(nc, subjects.upgrade(id), huge),
      `{"success":false,"error":"invalid request: payload of ${huge.length} bytes exceeds the 1048576-byte limit"}`,
    );
    assert.equal(
      await ask(nc, subjects.list(id), 'x'.repeat(1024 * 1024 + 1)),
      '{"backends":null,"error":"invalid request: payload of 1048577 bytes exceeds the 1048576-byte limit"}',
    );
    assert.equal(
      await ask(nc, subjects.upgrade(id), '{"backend":""}'),
      '{"success":false,"error":"upgrading backend from gallery: backend name is empty","reports_stopped_processes":true}',
    );
    assert.equal(
      await ask(nc, subjects.upgrade(id), '{"backend":"whisper"}'),
      '{"success":false,"error":"upgrading backend from gallery: no backend found with name \\"whisper\\"","reports_stopped_processes":true}',
    );
    assert.equal(
      await ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp","backend_galleries":"[{"}'),
      `{"success":false,"error":"decoding backend galleries: Expected property name or '}' in JSON at position 2","reports_stopped_processes":true}`,
    );
    assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v1\.2\.3"/);
    assert.equal(fleet.stats()[id]?.installsRun, 1, 'only the unknown backend reached the installer');
    assert.equal(fleet.stats()[id]?.oversized, 2);
    const controlOpId = JSON.stringify({ backend: 'llama-cpp', op_id: 'op\u0001x' });
    assert.equal(
      await ask(nc, subjects.upgrade(id), controlOpId),
      '{"success":true,"reports_stopped_processes":true}',
      'an op id that cannot be a subject token only loses progress',
    );
  }),
);

void test(
  'a legacy node has no backend.upgrade responder; the legacy force install (V12 shape) upgrades it',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids } = await fleetOf({ backend: 'llama-cpp', version: 'v1.2.3', legacy: true, installMs: 100 });
    const id = ids[0] ?? '';
    assert.equal(await failureCode(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}'), '503');
    const v12 = JSON.stringify({ backend: 'llama-cpp', backend_galleries: GAL, force: true, op_id: 'op-legacy' });
    assert.match(await ask(nc, subjects.install(id), v12), /^\{"success":true,"address":"127\.0\.0\.1:\d+"\}$/);
    assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v1\.2\.4"/);
  }),
);

void test(
  'a hanging node replies after the request timed out while its install finished on time',
  withLogs(servers, async () => {
    nc = await sim.connection();
    const { ids } = await fleetOf({ backend: 'llama-cpp', version: 'v1.2.3', hangMs: 1500, installMs: 200 });
    const id = ids[0] ?? '';
    assert.equal(await failureCode(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}', 600), 'TIMEOUT');
    assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v1\.2\.4"/, 'applied although no reply came');
  }),
);
