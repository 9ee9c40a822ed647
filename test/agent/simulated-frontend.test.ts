/**
 * The simulated LocalAI frontend against a simulated fleet on a real nats-server: the routes and
 * bodies of the reference, auth, drain/resume quirks, the reconciler and the traffic generator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection } from 'nats';
import {
  startSimulatedFrontend,
  TrafficGenerator,
  type FrontendNode,
  type SimulatedFrontend,
} from '../../src/agent/simulated/frontend/index.js';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { subjects } from '../../src/protocol/index.js';
import { withLogs } from '../support/servers.js';
import { useSimulation } from './support/simulation.js';
import { ask, eventually, testLogger } from './support/wire.js';

const sim = useSimulation();
const { servers, fleetOf } = sim;
const KEY = 'admin-key-1';
const CATALOG = new Map([['llama-cpp-model', 'llama-cpp']]);
const frontends: SimulatedFrontend[] = [];
servers.beforeStop(async () => {
  for (const f of frontends) await f.stop();
});

async function frontendFor(
  nodes: FrontendNode[],
  extra: Partial<Parameters<typeof startSimulatedFrontend>[0]> = {},
): Promise<SimulatedFrontend> {
  const frontend = await startSimulatedFrontend({
    nc: await sim.connection(),
    log: testLogger(),
    nodes,
    catalog: CATALOG,
    auth: { apiKeys: [KEY], userKeys: ['user-key'], registrationToken: 'reg-token' },
    tickMs: 3_600_000,
    ...extra,
  });
  frontends.push(frontend);
  return frontend;
}

async function call(
  f: SimulatedFrontend,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${KEY}` },
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${f.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const rowsOf = async (f: SimulatedFrontend, id: string) =>
  JSON.parse((await call(f, 'GET', `/api/nodes/${id}/models`)).text) as { address: string; in_flight: number }[];

void test(
  'GET /api/nodes: node objects in LocalAI key order, sorted labels with the auto-labels, rows from models.running',
  withLogs(servers, async () => {
    const { ids } = await fleetOf({ backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 50 });
    const id = ids[0] ?? '';
    const f = await frontendFor([{ id, labels: { zone: 'a', role: 'test' } }]);
    const res = await call(f, 'GET', '/api/nodes');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.ok(res.text.endsWith('}]\n'));
    const [node] = JSON.parse(res.text) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(node ?? {}).slice(0, 6), [
      'id',
      'name',
      'node_type',
      'address',
      'http_address',
      'status',
    ]);
    assert.deepEqual(Object.keys(node ?? {}).slice(-3), ['model_count', 'in_flight_count', 'labels']);
    assert.equal(node?.['status'], 'healthy');
    assert.equal(
      JSON.stringify(node?.['labels']),
      `{"node.name":"${id}","node.replica-slots":"1","role":"test","zone":"a"}`,
    );
    assert.equal(node?.['model_count'], 1);
    const rows = await rowsOf(f, id);
    assert.equal(rows[0]?.address, '127.0.0.1:50052');
    assert.equal(
      (await call(f, 'GET', '/api/nodes/nope')).text,
      '{"error":{"code":404,"message":"node not found","type":"node_error"}}\n',
    );
    assert.equal((await call(f, 'GET', '/api/nodes/nope/models')).text, '[]\n');
  }),
);

void test(
  'auth: 401 with the exact body for no, wrong or registration-token keys; 403 for a user key; x-api-key works',
  withLogs(servers, async () => {
    const { ids } = await fleetOf({ backend: 'llama-cpp', version: 'v1', installMs: 50 });
    const f = await frontendFor([{ id: ids[0] ?? '' }]);
    const unauthorized =
      '{"error":{"code":401,"message":"An authentication key is required","type":"invalid_request_error"}}\n';
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Bearer reg-token' }]) {
      const res = await call(f, 'GET', '/api/nodes', undefined, headers);
      assert.equal(res.status, 401);
      assert.equal(res.text, unauthorized);
      assert.equal(res.headers.get('content-length'), '100');
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    }
    const forbidden = await call(f, 'GET', '/api/nodes', undefined, { 'x-api-key': 'user-key' });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.headers.get('content-length'), '86');
    assert.equal((await call(f, 'GET', '/api/nodes', undefined, { 'x-api-key': KEY })).status, 200);
    const selfNoHeader = await call(f, 'GET', `/api/node/${ids[0] ?? ''}/models`, undefined, {});
    assert.deepEqual(
      [selfNoHeader.status, selfNoHeader.text],
      [401, '{"error":"missing or invalid Authorization header"}\n'],
    );
    const selfAdminKey = await call(f, 'GET', `/api/node/${ids[0] ?? ''}/models`);
    assert.deepEqual([selfAdminKey.status, selfAdminKey.text], [401, '{"error":"invalid registration token"}\n']);
    const self = await call(f, 'GET', `/api/node/${ids[0] ?? ''}/models`, undefined, {
      authorization: 'Bearer reg-token',
    });
    assert.equal(self.status, 200);
  }),
);

void test(
  'drain deletes the rows at once; resume forces healthy, even for a pending node; unknown ids give 500; approve 400s',
  withLogs(servers, async () => {
    const { ids } = await fleetOf(
      { backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 50 },
      { backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 50 },
    );
    const [a = '', b = ''] = ids;
    const f = await frontendFor([{ id: a }, { id: b, pending: true }]);
    assert.equal((await rowsOf(f, a)).length, 1);
    const drained = await call(f, 'POST', `/api/nodes/${a}/drain`);
    assert.deepEqual([drained.status, drained.text], [200, '{"message":"node set to draining"}\n']);
    assert.deepEqual(await rowsOf(f, a), []);
    const node = JSON.parse((await call(f, 'GET', `/api/nodes/${a}`)).text) as Record<string, unknown>;
    assert.deepEqual([node['status'], node['model_count'], node['in_flight_count']], ['draining', 0, 0]);
    assert.deepEqual((await ask(await sim.connection(), subjects.modelsRunning(a), '{}')).includes('50052'), true);
    assert.equal((await call(f, 'POST', `/api/nodes/${a}/resume`)).text, '{"message":"node resumed"}\n');
    assert.equal(f.registry.node(a)?.status, 'healthy');
    assert.deepEqual(await rowsOf(f, a), []);
    await call(f, 'POST', `/api/nodes/${b}/drain`);
    await call(f, 'POST', `/api/nodes/${b}/resume`);
    assert.equal(f.registry.node(b)?.status, 'healthy');
    const approve = await call(f, 'POST', `/api/nodes/${b}/approve`);
    assert.deepEqual(
      [approve.status, approve.text],
      [400, '{"error":{"code":400,"message":"failed to approve node","type":"node_error"}}\n'],
    );
    assert.equal((await call(f, 'POST', '/api/nodes/ghost/drain')).status, 500);
    assert.equal((await call(f, 'POST', '/api/nodes/ghost/resume')).status, 500);
  }),
);

void test(
  'scheduling bodies and errors; the reconciler restores a min_replicas model on a resumed node at its next tick',
  withLogs(servers, async () => {
    const { ids } = await fleetOf(
      { backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 50 },
      { backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 50 },
    );
    const [a = '', b = ''] = ids;
    const f = await frontendFor([{ id: a }, { id: b }]);
    const bad = await call(f, 'POST', '/api/nodes/scheduling', { model_name: 'x', min_replicas: 3, max_replicas: 2 });
    assert.equal(
      bad.text,
      '{"error":{"code":400,"message":"min_replicas must be \\u003c= max_replicas","type":"node_error"}}\n',
    );
    const ok = await call(f, 'POST', '/api/nodes/scheduling', {
      model_name: 'llama-cpp-model',
      min_replicas: 2,
      max_replicas: 2,
      node_selector: { role: 'test' },
    });
    assert.equal(ok.status, 200);
    assert.match(
      ok.text,
      /"node_selector":"{\\"role\\":\\"test\\"}","min_replicas":2,"max_replicas":2,"unsatisfiable_ticks":0/,
    );
    await call(f, 'POST', '/api/nodes/scheduling', { model_name: 'llama-cpp-model', min_replicas: 2, max_replicas: 2 });
    await call(f, 'POST', `/api/nodes/${a}/drain`);
    await call(f, 'POST', `/api/nodes/${a}/resume`);
    assert.equal((await rowsOf(f, a)).length, 0);
    await f.tick();
    const rows = await rowsOf(f, a);
    assert.equal(rows.length, 1);
    const running = await ask(await sim.connection(), subjects.modelsRunning(a), '{}');
    assert.ok(running.includes(`"address":"${rows[0]?.address ?? '?'}"`), 'the row points at a live process');
    assert.equal((await call(f, 'DELETE', '/api/nodes/scheduling/none')).status, 204);
    assert.equal((await call(f, 'GET', '/api/nodes/scheduling/none')).status, 404);
  }),
);

void test(
  'traffic: one request shows in_flight 2; a worker-side upgrade fails the request in flight and the next one on the stale row',
  withLogs(servers, async () => {
    const { ids } = await fleetOf({ backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 100 });
    const id = ids[0] ?? '';
    const f = await frontendFor([{ id }]);
    const gen = new TrafficGenerator({
      registry: f.registry,
      link: f.link,
      catalog: CATALOG,
      log: testLogger(),
      requestMs: 1_500,
    });
    const nc: NatsConnection = await sim.connection();
    const running = gen.send('llama-cpp-model');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await rowsOf(f, id))[0]?.in_flight, 2);
    await ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}');
    await running;
    assert.equal(gen.snapshot().byKind.killed, 1);
    assert.deepEqual(await rowsOf(f, id), [], 'the loader deleted the row on the stream error');
    await gen.send('llama-cpp-model');
    assert.equal(gen.snapshot().succeeded, 1, 'the next request cold-loaded the model');
    await ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}');
    assert.equal((await rowsOf(f, id)).length, 1, 'an idle upgrade leaves the row pointing at the killed process');
    await gen.send('llama-cpp-model');
    const stats = await gen.stop();
    assert.deepEqual([stats.sent, stats.succeeded, stats.byKind.killed, stats.byKind['stale-row']], [3, 1, 1, 1]);
  }),
);

void test(
  'every node drained: requests fail, and the failed load is replayed for the grace even after resume',
  withLogs(servers, async () => {
    const { ids } = await fleetOf({ backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 50 });
    const id = ids[0] ?? '';
    const f = await frontendFor([{ id }]);
    const gen = new TrafficGenerator({
      registry: f.registry,
      link: f.link,
      catalog: CATALOG,
      log: testLogger(),
      requestMs: 10,
      loadFailureGraceMs: 1_500,
    });
    f.registry.drain(id);
    await gen.send('llama-cpp-model');
    assert.equal(gen.snapshot().byKind['no-node'], 1, 'no healthy node: no available nodes');
    f.registry.resume(id);
    await gen.send('llama-cpp-model');
    assert.equal(gen.snapshot().byKind['no-node'], 2, 'the failed load job is replayed after resume');
    const replayed = gen.snapshot().failures[1]?.message ?? '';
    assert.match(replayed, /replayed/);
    await eventually(
      'the grace ends',
      async () => {
        await gen.send('llama-cpp-model');
        return gen.snapshot().succeeded === 1;
      },
      5_000,
    );
    const stats = await gen.stop();
    assert.ok(stats.failed >= 2);
  }),
);

void test(
  'reconciler: a stale row is reaped after two misses; a silent node goes offline, and comes back healthy (even from draining) when it answers again',
  withLogs(servers, async () => {
    const { fleet, ids } = await fleetOf(
      { backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 50 },
      { backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 50 },
    );
    const [a = '', b = ''] = ids;
    const f = await frontendFor([{ id: a }, { id: b }], { staleRowMinAgeMs: 0, offlineAfterMs: 0 });
    f.registry.addRow({
      nodeId: a,
      modelName: 'llama-cpp-model',
      replicaIndex: 1,
      address: '127.0.0.1:9',
      backendType: 'llama-cpp',
    });
    assert.equal((await rowsOf(f, a)).length, 2);
    await f.tick();
    assert.equal((await rowsOf(f, a)).length, 2, 'one miss keeps the row');
    await f.tick();
    assert.deepEqual(
      (await rowsOf(f, a)).map((r) => r.address),
      ['127.0.0.1:50052'],
      'two misses reap it',
    );

    f.registry.drain(b);
    await fleet.stop();
    await f.tick();
    assert.equal(f.registry.node(a)?.status, 'offline', 'a silent healthy node goes offline');
    assert.equal(f.registry.node(b)?.status, 'draining', 'the health check skips draining nodes');
    // A restarted worker re-registers: here the same ids answer again from a new fleet.
    const restarted = await startSimulatedFleet({
      nc: await sim.connection(),
      nodes: [a, b].map((id) => ({ id, backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 50 })),
      log: testLogger(),
    });
    try {
      await f.tick();
      assert.equal(f.registry.node(a)?.status, 'healthy');
      assert.equal(f.registry.node(b)?.status, 'healthy', 'a restart silently un-drains a node');
    } finally {
      await restarted.stop();
    }
  }),
);
