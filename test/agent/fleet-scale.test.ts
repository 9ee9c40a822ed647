/**
 * A 1,000-node simulated fleet answers `backend.list` on every node, from the library and from
 * the `fleet` CLI command (one process, one NATS connection), and the CLI exits 0 on SIGTERM.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection } from 'nats';
import { startSimulatedFleet, type SimulatedFleet } from '../../src/agent/index.js';
import { subjects } from '../../src/protocol/index.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { startCli } from './support/cli.js';
import { ask, failureCode, lazyConnection, testLogger } from './support/wire.js';

const fleets: SimulatedFleet[] = [];
after(async () => {
  for (const fleet of fleets) await fleet.stop();
  await connection.close();
});
const servers = useServers({ nats: true, temporal: false });
const connection = lazyConnection(() => servers.nats.url);

async function listAll(nc: NatsConnection, ids: readonly string[]): Promise<string[]> {
  const replies: string[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    replies.push(...(await Promise.all(ids.slice(i, i + 200).map((id) => ask(nc, subjects.list(id), '{}', 10_000)))));
  }
  return replies;
}

void test(
  'startSimulatedFleet serves 1,000 nodes from one connection; legacy nodes give real no-responders',
  withLogs(servers, async () => {
    const nc = await connection.get();
    const prefix = uniqueName('big');
    const nodes = Array.from({ length: 1000 }, (_, i) => ({
      id: `${prefix}-${i}`,
      backend: 'llama-cpp',
      version: 'v1.2.3',
      legacy: i % 100 === 7,
    }));
    const fleet = await startSimulatedFleet({ nc, nodes, log: testLogger() });
    fleets.push(fleet);
    assert.equal(fleet.nodeIds.length, 1000);
    const replies = await listAll(nc, fleet.nodeIds);
    assert.ok(
      replies.every(
        (r) =>
          r.startsWith('{"backends":[{"name":"llama-cpp","is_system":false,"is_meta":false,"installed_at":"') &&
          r.includes('"version":"v1.2.3"'),
      ),
    );
    assert.equal(await failureCode(nc, subjects.upgrade(`${prefix}-7`), '{"backend":"llama-cpp"}'), '503');
    assert.equal(await failureCode(nc, subjects.upgrade(`${prefix}-8`), '{"backend":"llama-cpp"}'), 'ok');
    const stats = fleet.stats();
    assert.equal(stats[`${prefix}-0`]?.requests.list, 1);
    assert.equal(stats[`${prefix}-8`]?.requests.upgrade, 1);
    assert.equal(stats[`${prefix}-7`]?.requests.upgrade, 0);
  }),
);

void test(
  'fleet-rollout fleet --nodes 1000 answers backend.list on every node and exits 0 on SIGTERM',
  withLogs(servers, async () => {
    const nc = await connection.get();
    const prefix = `${uniqueName('cli')}-`;
    const fleet = startCli([
      'fleet',
      '--nodes',
      '1000',
      '--prefix',
      prefix,
      '--backend',
      'llama-cpp@v1.2.3',
      '--legacy-nodes',
      `${prefix}3`,
      '--replicas',
      '1',
      '--nats-url',
      servers.nats.url,
    ]);
    try {
      const ready = await fleet.ready;
      assert.match(
        ready,
        new RegExp(
          `^fleet: 1000 nodes serving on ${servers.nats.url} \\(${prefix}0 … ${prefix}999; llama-cpp@v1\\.2\\.3; legacy 1, slow 0, failing 0, failing start 0\\)$`,
        ),
      );
      const ids = Array.from({ length: 1000 }, (_, i) => `${prefix}${i}`);
      const replies = await listAll(nc, ids);
      assert.equal(replies.filter((r) => r.includes('"version":"v1.2.3"')).length, 1000);
      assert.equal(await failureCode(nc, subjects.upgrade(`${prefix}3`), '{"backend":"llama-cpp"}'), '503');
      assert.equal(
        await ask(nc, subjects.modelsRunning(`${prefix}5`), '{}'),
        '{"models":[{"model_id":"llama-cpp-model","replica_index":0,"address":"127.0.0.1:50052"}]}',
      );
    } finally {
      fleet.child.kill('SIGTERM');
    }
    assert.equal((await fleet.exited).code, 0, fleet.stderr());
  }),
);

void test(
  'fleet-rollout agent --simulate serves one node and exits 0 on SIGTERM',
  withLogs(servers, async () => {
    const nc = await connection.get();
    const id = uniqueName('one');
    const agent = startCli([
      'agent',
      '--node-id',
      id,
      '--simulate',
      '--backend',
      'llama-cpp@v1.2.3',
      '--install-time',
      '100ms-200ms',
      '--replicas',
      '1',
      '--nats-url',
      servers.nats.url,
    ]);
    try {
      assert.equal(await agent.ready, `agent ${id} serving on ${servers.nats.url} (simulated: llama-cpp@v1.2.3)`);
      assert.equal(
        await ask(nc, subjects.upgrade(id), '{"backend":"llama-cpp"}'),
        '{"success":true,"stopped_process_keys":["llama-cpp-model#0"],"reports_stopped_processes":true}',
      );
      assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v1\.2\.4"/);
    } finally {
      agent.child.kill('SIGTERM');
    }
    assert.equal((await agent.exited).code, 0, agent.stderr());
  }),
);

void test('fleet and agent commands refuse bad flags with exit code 2 and a message naming the flag', async () => {
  const run = async (...args: string[]) => {
    const cli = startCli(args);
    cli.ready.catch(() => undefined);
    return { code: (await cli.exited).code, stderr: cli.stderr(), stdout: cli.stdout() };
  };
  const cases: [string[], RegExp][] = [
    [['fleet', '--nodes', 'many', '--backend', 'x@1'], /--nodes many: expected a count/],
    [['fleet', '--nodes', '3'], /--backend is required/],
    [
      ['fleet', '--nodes', '3', '--backend', 'x@1', '--fail-nodes', 'nope'],
      /--fail-nodes: "nope" is not a node of this fleet/,
    ],
    [['fleet', '--nodes', '3', '--backend', 'x'], /--backend "x".*NAME@VERSION/],
    [['fleet', '--bogus'], /unknown flag --bogus; run 'fleet-rollout fleet --help'/],
    [['agent', '--simulate', '--backend', 'x@1'], /--node-id is required/],
    [['agent', '--node-id', 'n1'], /--backends-dir DIR is required/],
    [
      ['agent', '--node-id', 'n1', '--backends-dir', '/tmp/x', '--install-time', '5ms'],
      /--install-time only applies with --simulate/,
    ],
    [
      ['agent', '--node-id', 'n1', '--simulate', '--backend', 'x@1', '--nats-url', 'http://x'],
      /--nats-url: expected a URL such as nats:\/\/127\.0\.0\.1:4222/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await run(...args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, pattern, args.join(' '));
  }
  const help = await run('fleet', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:\n {2}fleet-rollout fleet --nodes 1000/);
});
