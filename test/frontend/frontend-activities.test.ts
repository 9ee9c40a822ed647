/**
 * The LocalAI frontend activities' logic against the simulated frontend over simulated nodes on
 * a real nats-server: rows read before the drain, the bounded grace only with work in flight,
 * resume only of draining nodes, the replica wait, and failures typed for the workflow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import {
  drainNodeWith,
  frontendFailure,
  makeFrontendActivities,
  plainHooks,
  readNodeModelsWith,
  resumeNodeWith,
  waitModelLoadedWith,
} from '../../src/activities/frontend.js';
import {
  startSimulatedFrontend,
  TrafficGenerator,
  type SimulatedFrontend,
} from '../../src/agent/simulated/frontend/index.js';
import { createFrontendClient, FrontendError, type FrontendClient } from '../../src/frontend/index.js';
import { FailureType } from '../../src/domain/failures.js';
import { subjects } from '../../src/protocol/index.js';
import { withLogs } from '../support/servers.js';
import { useSimulation } from '../agent/support/simulation.js';
import { ask, testLogger } from '../agent/support/wire.js';

const sim = useSimulation();
const { servers, fleetOf } = sim;
const KEY = 'k';
const MODEL = 'llama-cpp-model';
const CATALOG = new Map([[MODEL, 'llama-cpp']]);
const frontends: SimulatedFrontend[] = [];
servers.beforeStop(async () => {
  for (const f of frontends) await f.stop();
});

async function setUp(
  count: number,
  options: { tickMs?: number; pending?: string[] } = {},
): Promise<{ ids: string[]; f: SimulatedFrontend; client: FrontendClient }> {
  const { ids } = await fleetOf(
    ...Array.from({ length: count }, () => ({ backend: 'llama-cpp', version: 'v1', replicas: 1, installMs: 50 })),
  );
  const f = await startSimulatedFrontend({
    nc: await sim.connection(),
    log: testLogger(),
    nodes: ids.map((id) => ({ id, pending: options.pending?.includes(id) ?? false })),
    catalog: CATALOG,
    auth: { apiKeys: [KEY] },
    tickMs: options.tickMs ?? 3_600_000,
  });
  frontends.push(f);
  return { ids, f, client: createFrontendClient({ url: f.url, apiKey: KEY }) };
}

void test(
  'drainNode reads the rows first, drains at once when idle, and reports a second call as already draining',
  withLogs(servers, async () => {
    const { ids, f, client } = await setUp(1);
    const id = ids[0] ?? '';
    const read = await readNodeModelsWith(client, { nodeId: id });
    assert.deepEqual([read.status, read.rows.length, read.inFlight], ['healthy', 1, false]);
    const drained = await drainNodeWith(client, plainHooks, { nodeId: id, drainGraceMs: 60_000 });
    assert.equal(drained.outcome, 'drained');
    assert.equal(drained.waitedMs, 0, 'nothing was in flight: no grace');
    assert.deepEqual(
      drained.rowsBefore.map((r) => [r.model, r.state]),
      [[MODEL, 'loaded']],
    );
    assert.equal(f.registry.node(id)?.status, 'draining');
    assert.deepEqual(await client.nodeModels(id), []);
    const again = await drainNodeWith(client, plainHooks, { nodeId: id });
    assert.deepEqual([again.outcome, again.rowsBefore.length], ['already-draining', 0]);
  }),
);

void test(
  'drainNode waits the grace when a request was in flight, and that request finishes normally',
  withLogs(servers, async () => {
    const { ids, f, client } = await setUp(2);
    const id = ids[0] ?? '';
    const traffic = new TrafficGenerator({
      registry: f.registry,
      link: f.link,
      catalog: CATALOG,
      log: testLogger(),
      requestMs: 1_200,
    });
    // Both nodes hold a row; route one request to each so this node surely has one in flight.
    const requests = [traffic.send(MODEL), traffic.send(MODEL)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const read = await readNodeModelsWith(client, { nodeId: id });
    assert.equal(read.rows[0]?.inFlight, 2, 'one request shows as 2');
    const drained = await drainNodeWith(client, plainHooks, { nodeId: id, drainGraceMs: 700 });
    assert.deepEqual([drained.outcome, drained.hadInFlight], ['drained', true]);
    assert.ok(drained.waitedMs >= 690, `waited ${drained.waitedMs} ms`);
    await Promise.all(requests);
    const stats = await traffic.stop();
    assert.deepEqual([stats.succeeded, stats.failed], [2, 0]);
  }),
);

void test(
  'resumeNode resumes only a draining node: a healthy one is reported as restarted, a pending one is left pending',
  withLogs(servers, async () => {
    const { ids, f, client } = await setUp(2, { pending: [] });
    const [a = '', b = ''] = ids;
    f.registry.setStatus(b, 'pending');
    await client.drain(a);
    const resumed = await resumeNodeWith(client, { nodeId: a });
    assert.equal(resumed.outcome, 'resumed');
    assert.equal(f.registry.node(a)?.status, 'healthy');
    const again = await resumeNodeWith(client, { nodeId: a });
    assert.equal(again.outcome, 'already-healthy');
    assert.match(again.detail, /restarted/);
    const pending = await resumeNodeWith(client, { nodeId: b });
    assert.equal(pending.outcome, 'not-resumed');
    assert.equal(f.registry.node(b)?.status, 'pending');
  }),
);

void test(
  'waitModelLoaded: a min_replicas model is back after drain, upgrade and resume within a tick; one without stays missing',
  withLogs(servers, async () => {
    const { ids, f, client } = await setUp(2, { tickMs: 300 });
    const id = ids[0] ?? '';
    const nc = await sim.connection();
    await client.drain(id);
    await ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}');
    await client.resume(id);
    const none = await waitModelLoadedWith(client, plainHooks, {
      nodeId: id,
      models: [MODEL],
      timeoutMs: 900,
      pollMs: 100,
    });
    assert.deepEqual(none.missing, [MODEL], 'no scheduling config: LocalAI restores nothing');
    f.registry.upsertConfig({ modelName: MODEL, minReplicas: 2, maxReplicas: 0, spreadAll: false });
    const back = await waitModelLoadedWith(client, plainHooks, {
      nodeId: id,
      models: [MODEL],
      timeoutMs: 10_000,
      pollMs: 100,
    });
    assert.deepEqual([back.loaded, back.missing], [[MODEL], []]);
    assert.ok(back.waitedMs < 5_000, `back after ${back.waitedMs} ms`);
  }),
);

void test(
  'failures: a wrong key and an unknown node are final, an unreachable frontend is retried, a worker without a frontend says so',
  withLogs(servers, async () => {
    const { ids, f } = await setUp(1);
    const wrong = createFrontendClient({ url: f.url, apiKey: 'nope' });
    const refused = await readNodeModelsWith(wrong, { nodeId: ids[0] ?? '' }).catch((e: unknown) => e);
    assert.ok(refused instanceof FrontendError);
    const mapped = frontendFailure(refused, ids[0] ?? '') as ApplicationFailure;
    assert.deepEqual([mapped.type, mapped.nonRetryable], [FailureType.FrontendRefused, true]);
    assert.ok(!mapped.message.includes('nope'));
    const client = createFrontendClient({ url: f.url, apiKey: KEY });
    const unknown = await resumeNodeWith(client, { nodeId: 'ghost' }).catch((e: unknown) => e);
    assert.equal((frontendFailure(unknown, 'ghost') as ApplicationFailure).type, FailureType.FrontendRefused);
    const gone = createFrontendClient({ url: 'http://127.0.0.1:1', timeoutMs: 2_000 });
    const unreachable = await gone.listNodes().catch((e: unknown) => e);
    const transient = frontendFailure(unreachable, 'x') as ApplicationFailure;
    assert.deepEqual([transient.type, transient.nonRetryable], [FailureType.FrontendUnavailable, false]);
    const activities = makeFrontendActivities({ nc: await sim.connection(), log: testLogger() });
    await assert.rejects(activities.drainNode({ nodeId: 'x' }), (err: ApplicationFailure) => {
      assert.equal(err.type, FailureType.FrontendRefused);
      return /--localai-url/.test(err.message);
    });
  }),
);
