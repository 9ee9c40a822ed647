/**
 * Op and node id lengths are bounded on both sides, on a real nats-server: an op id that would
 * overflow the server's control line gets `invalid request: op_id too long` and the agent stays
 * connected; the orchestrator's subject builders refuse such ids before anything is sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulatedFleet, type SimulatedFleet } from '../../src/agent/index.js';
import { connectNats, requestBytes } from '../../src/nats/index.js';
import { MAX_ID_LENGTH, subjects, SubjectTokenError } from '../../src/protocol/index.js';
import { testLogger } from '../agent/support/wire.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ nats: true });
const fleets: SimulatedFleet[] = [];
servers.beforeStop(async () => {
  for (const fleet of fleets) await fleet.stop();
});

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

void test(
  'an op id over the bound is answered as an invalid request and the agent keeps serving',
  withLogs(servers, async () => {
    const agentNc = await connectNats({ servers: [servers.nats.url] });
    const nc = await connectNats({ servers: [servers.nats.url] });
    try {
      const id = uniqueName('long-op');
      fleets.push(
        await startSimulatedFleet({
          nc: agentNc,
          nodes: [{ id, backend: 'llama-cpp', version: 'v1.0.0', installMs: 0 }],
          log: testLogger(),
          seed: 'ids',
        }),
      );
      for (const kind of ['upgrade', 'install'] as const) {
        const request = JSON.stringify({ backend: 'llama-cpp', op_id: 'x'.repeat(5_000) });
        const reply = text(await requestBytes(nc, subjects[kind](id), new TextEncoder().encode(request), 5_000));
        assert.equal(
          reply,
          `{"success":false,"error":"invalid request: op_id too long: 5000 characters, at most ${MAX_ID_LENGTH}"}`,
        );
      }
      const atBound = JSON.stringify({ backend: 'llama-cpp', op_id: 'y'.repeat(MAX_ID_LENGTH) });
      const ok = text(await requestBytes(nc, subjects.upgrade(id), new TextEncoder().encode(atBound), 5_000));
      assert.match(ok, /^\{"success":true/, 'an op id at the bound still works end to end, progress included');
      assert.equal(agentNc.isClosed(), false, 'nats-server did not disconnect the agent');
      const list = text(await requestBytes(nc, subjects.list(id), new TextEncoder().encode('{}'), 5_000));
      assert.match(list, /"version":"v1\.0\.1"/, 'only the upgrade with the bounded op id ran');
    } finally {
      await nc.close();
      await agentNc.close();
    }
  }),
);

void test('the orchestrator refuses node and op ids over the bound before sending', () => {
  const long = 'n'.repeat(MAX_ID_LENGTH + 1);
  assert.throws(
    () => subjects.upgrade(long),
    (err: unknown) =>
      err instanceof SubjectTokenError &&
      err.reason === 'too-long' &&
      err.message === `node id too long: ${MAX_ID_LENGTH + 1} characters, at most ${MAX_ID_LENGTH}`,
  );
  assert.throws(() => subjects.progress('n-1', long), /^SubjectTokenError: op id too long: 257 characters/);
  assert.equal(subjects.upgrade('n'.repeat(MAX_ID_LENGTH)), `nodes.${'n'.repeat(MAX_ID_LENGTH)}.backend.upgrade`);
});
