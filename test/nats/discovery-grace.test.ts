/**
 * Discovery across a brief outage: a node that does not answer `backend.list` at first (its worker
 * restarting) is asked again with backoff within the grace period and is found, not left out.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { discoverNodes } from '../../src/nats/discovery.js';
import { DiscoverySkip } from '../../src/activities/types.js';
import { useSimulation } from '../agent/support/simulation.js';
import { testLogger } from '../agent/support/wire.js';
import { uniqueName } from '../support/servers.js';

const sim = useSimulation();

void test('a node that starts answering within the grace period is discovered', async () => {
  const nc = await sim.connection();
  const id = uniqueName('late');
  const started = Date.now();
  const discovery = discoverNodes(
    { nc, log: testLogger(), listTimeoutMs: 1_000, unreachableGraceMs: 20_000 },
    { backend: 'llama-cpp', nodeIds: [id], askReplicas: [] },
  );
  await sleep(2_500);
  const fleet = await startSimulatedFleet({
    nc,
    nodes: [{ id, backend: 'llama-cpp', version: 'v1.0.0' }],
    log: testLogger(),
  });
  try {
    const out = await discovery;
    assert.deepEqual(out.skipped, []);
    assert.equal(out.found[0]?.id, id);
    assert.ok(Date.now() - started >= 2_500, 'the node was found only after it came up');
  } finally {
    await fleet.stop();
  }
});

void test('a node still silent when the grace period ends is left out as unreachable, with the reason', async () => {
  const nc = await sim.connection();
  const id = uniqueName('gone');
  const started = Date.now();
  const out = await discoverNodes(
    { nc, log: testLogger(), listTimeoutMs: 500, unreachableGraceMs: 2_000 },
    { backend: 'llama-cpp', nodeIds: [id], askReplicas: [] },
  );
  const elapsed = Date.now() - started;
  assert.equal(out.found.length, 0);
  assert.equal(out.skipped[0]?.kind, DiscoverySkip.Unreachable);
  assert.match(out.skipped[0]?.reason ?? '', /no responders/);
  assert.ok(elapsed >= 1_000 && elapsed < 15_000, `asked again within the grace period only (${elapsed} ms)`);
});

void test('without a grace period an unreachable node is asked once', async () => {
  const nc = await sim.connection();
  const started = Date.now();
  const out = await discoverNodes(
    { nc, log: testLogger() },
    { backend: 'llama-cpp', nodeIds: [uniqueName('gone')], askReplicas: [] },
  );
  assert.equal(out.skipped[0]?.kind, DiscoverySkip.Unreachable);
  assert.ok(Date.now() - started < 1_000, 'no waiting without a grace period');
});
