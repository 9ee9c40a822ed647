/**
 * `fleet-rollout fleet --state-dir`: a fleet killed with SIGKILL comes back on the installs it had
 * (same `installed_at`, version, digest, uri) with no processes running; per-node flags pick which
 * nodes fail their start checks and which crash.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { subjects } from '../../src/protocol/index.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { startCli } from './support/cli.js';
import { tempDir } from './support/files.js';
import { ask, lazyConnection } from './support/wire.js';

const servers = useServers({ nats: true, temporal: false });
const connection = lazyConnection(() => servers.nats.url);
after(() => connection.close());

void test(
  'fleet --state-dir: after kill -9 the fleet serves the installs it had, and per-node start failures',
  withLogs(servers, async () => {
    const nc = await connection.get();
    const prefix = `${uniqueName('kept')}-`;
    const args = [
      'fleet',
      ...['--nodes', '3', '--prefix', prefix, '--backend', 'llama-cpp@v1.2.3', '--install-time', '50ms'],
      ...['--replicas', '1', '--fail-start', 'v1.2.4', '--fail-start-nodes', `${prefix}1`],
      ...['--state-dir', path.join(tempDir('fleet-state'), 'state'), '--nats-url', servers.nats.url],
    ];
    const first = startCli(args);
    assert.match(await first.ready, /legacy 0, slow 0, failing 0, failing start 1\)$/);
    const before = await ask(nc, subjects.list(`${prefix}2`), '{}');
    for (const i of [0, 1]) {
      const reply = await ask(nc, subjects.upgrade(`${prefix}${i}`), '{"backend":"llama-cpp"}');
      assert.equal(
        reply,
        '{"success":true,"stopped_process_keys":["llama-cpp-model#0"],"reports_stopped_processes":true}',
      );
    }
    const upgraded = await ask(nc, subjects.list(`${prefix}0`), '{}');
    assert.match(upgraded, /"version":"v1\.2\.4"/);
    const probe = '{"backend":"llama-cpp","model_id":"fleet-rollout-probe"}';
    assert.match(await ask(nc, subjects.install(`${prefix}0`), probe), /^\{"success":true/);
    assert.match(
      await ask(nc, subjects.install(`${prefix}1`), probe),
      /^\{"success":false,"error":"backend process fleet-rollout-probe#0 died during startup\. Last stderr:\\n.*matches fail-start \\"v1\.2\.4\\"/,
    );
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');

    const second = startCli(args);
    try {
      await second.ready;
      assert.equal(await ask(nc, subjects.list(`${prefix}0`), '{}'), upgraded, 'the upgrade survived the kill');
      assert.equal(await ask(nc, subjects.list(`${prefix}2`), '{}'), before, 'an untouched node keeps its install');
      assert.equal(await ask(nc, subjects.modelsRunning(`${prefix}0`), '{}'), '{"models":[]}');
      assert.match(await ask(nc, subjects.install(`${prefix}1`), probe), /"success":false/);
    } finally {
      second.child.kill('SIGTERM');
    }
    assert.equal((await second.exited).code, 0, second.stderr());
  }),
);

void test('fleet rejects unknown ids in --fail-start-nodes and --crash-nodes', async () => {
  const bad = startCli([
    'fleet',
    '--nodes',
    '2',
    '--backend',
    'b@1',
    '--crash-nodes',
    'node-7',
    '--nats-url',
    'nats://127.0.0.1:1',
  ]);
  await assert.rejects(bad.ready, /exited with 2 before it was ready/);
  assert.equal((await bad.exited).code, 2);
  assert.match(bad.stderr(), /--crash-nodes: "node-7" is not a node of this fleet \(ids are node-0 … node-1\)/);
});
