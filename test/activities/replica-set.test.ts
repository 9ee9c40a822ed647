/**
 * `runningReplicas` and `stopBackendProcesses` against a real nats-server and simulated nodes:
 * the keys a node runs, nothing for a node without `models.running`, and a stop by backend name
 * that leaves other backends' processes running.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeRunningReplicas, makeStopBackendProcesses } from '../../src/activities/replica-set.js';
import { requestMessage } from '../../src/nats/index.js';
import { MessageType, subjects } from '../../src/protocol/index.js';
import { useSimulation } from '../agent/support/simulation.js';
import { testLogger } from '../agent/support/wire.js';

const sim = useSimulation();

async function deps() {
  return { nc: await sim.connection(), log: testLogger() };
}

void test('runningReplicas lists the keys sorted; a node without models.running gives none', async () => {
  const { ids } = await sim.fleetOf(
    { backend: 'llama', version: 'v1', replicas: 2, otherBackends: [{ name: 'whisper', version: 'v1' }] },
    { backend: 'llama', version: 'v1', replicas: 2, modelsRunning: false },
  );
  const running = makeRunningReplicas(await deps());
  assert.deepEqual(await running({ nodeId: ids[0] ?? '' }), {
    keys: ['llama-model#0', 'llama-model#1', 'whisper-model#0', 'whisper-model#1'],
  });
  assert.deepEqual(await running({ nodeId: ids[1] ?? '' }), {});
});

void test('stopBackendProcesses after a legacy forced install stops the backend by name and reports what still runs', async () => {
  const { fleet, ids } = await sim.fleetOf({
    backend: 'llama',
    version: 'v1',
    replicas: 2,
    otherBackends: [{ name: 'whisper', version: 'v1' }],
    legacy: true,
    modelsRunning: true,
    installMs: 10,
  });
  const id = ids[0] ?? '';
  const d = await deps();
  const reply = await requestMessage(
    d.nc,
    subjects.install(id),
    MessageType.BackendInstallRequest,
    { backend: 'llama', force: true },
    MessageType.BackendInstallReply,
    10_000,
  );
  assert.equal(reply.success, true);
  assert.ok(
    fleet.processes(id).some((p) => p.key === 'llama#0'),
    'the forced install started llama#0',
  );
  const out = await makeStopBackendProcesses(d)({ nodeId: id, backend: 'llama', readyTimeoutMs: 5_000 });
  assert.deepEqual(out, { keys: ['whisper-model#0', 'whisper-model#1'] });
  assert.deepEqual(
    fleet.processes(id).map((p) => p.key),
    ['whisper-model#0', 'whisper-model#1'],
  );
});
