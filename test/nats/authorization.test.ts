/**
 * The permissions `fleet-rollout nats-auth` generates, on a real nats-server configured with them:
 * the real agent and the orchestrator's request and progress code work, and one node can neither
 * answer for another, nor publish its progress, nor read replies meant for it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NatsConnection, NatsError } from 'nats';
import { startNatsServer, type NatsServer } from '../../src/local/dev-servers.js';
import { AuthMode, buildAuthorization, PermissionSet } from '../../src/nats/authorization.js';
import { connectNats, listenProgress, requestMessage, type NatsOptionsInput } from '../../src/nats/index.js';
import { MessageType, subjects } from '../../src/protocol/index.js';
import { startCli, type CliProcess } from '../agent/support/cli.js';
import { expectExit, runCli } from '../cli/cli-harness.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-auth-'));
const out = path.join(dir, 'password');
let server: NatsServer | undefined;
const agents: CliProcess[] = [];
const connections: NatsConnection[] = [];
let generated: { stdout: string; stderr: string };

const secret = (file: string): string => readFileSync(path.join(out, file), 'utf8').trim();

before(async () => {
  const result = await runCli(['nats-auth', '--nodes', 'node-a,node-b', '--mode', 'password', '--out', out]);
  expectExit(result, 0, 'nats-auth');
  generated = result;
  server = await startNatsServer({
    logDir: dir,
    // nats-server resolves includes relative to its config file, which startNatsServer writes into `dir`.
    config: `include "${path.relative(dir, path.join(out, 'authorization.conf'))}"\n`,
  });
});

after(async () => {
  for (const nc of connections) await nc.close();
  for (const agent of agents) {
    agent.child.kill('SIGTERM');
    await agent.exited;
  }
  await server?.stop();
});

async function connectAs(auth: Partial<NatsOptionsInput>): Promise<NatsConnection> {
  const nc = await connectNats({ servers: [server?.url ?? ''], ...auth });
  connections.push(nc);
  return nc;
}

const orchestrator = (): Promise<NatsConnection> =>
  connectAs({ user: 'fleet-rollout', password: secret('orchestrator.password') });
const node = (id: string): Promise<NatsConnection> =>
  connectAs({ user: `node-${id}`, password: secret(`nodes/${id}.password`) });

async function startAgent(id: string, auth?: string[], url?: string): Promise<void> {
  const agent = startCli([
    'agent',
    '--node-id',
    id,
    '--simulate',
    '--backend',
    'llama-cpp@v1.0.0',
    '--install-time',
    '300ms',
    '--nats-url',
    url ?? server?.url ?? '',
    ...(auth ?? ['--nats-user', `node-${id}`, '--nats-password-file', path.join(out, 'nodes', `${id}.password`)]),
  ]);
  agents.push(agent);
  await agent.ready;
}

/** Resolves with the server's permission error for a subscription (nats.js hands it to the callback). */
function deniedSubscription(nc: NatsConnection, subject: string, received: string[]): Promise<NatsError> {
  return new Promise((resolve) => {
    nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err !== null) resolve(err);
        else received.push(msg.subject);
      },
    });
  });
}

/** Resolves with the server's permission error for a publish to `subject` (a status event). */
async function deniedPublish(nc: NatsConnection, subject: string): Promise<string> {
  for await (const status of nc.status()) {
    const context = (status as { permissionContext?: { operation: string; subject: string } }).permissionContext;
    if (String(status.type) === 'error' && context?.operation === 'publish' && context.subject === subject)
      return JSON.stringify(status.data);
  }
  throw new Error('connection closed before the permission error arrived');
}

void test('nats-auth writes every credential 0600 and prints none of them', () => {
  const files = [
    'authorization.conf',
    'orchestrator.password',
    ...readdirSync(path.join(out, 'nodes')).map((f) => `nodes/${f}`),
  ];
  assert.deepEqual(files.slice(2).sort(), ['nodes/node-a.password', 'nodes/node-b.password']);
  for (const file of files) assert.equal(statSync(path.join(out, file)).mode & 0o777, 0o600, file);
  for (const file of files.slice(1)) {
    const value = secret(file);
    assert.ok(value.length >= 24, `${file} holds a generated password`);
    assert.ok(!generated.stdout.includes(value) && !generated.stderr.includes(value), `${file} was not printed`);
  }
  const conf = readFileSync(path.join(out, 'authorization.conf'), 'utf8');
  assert.match(conf, /subscribe: \{ allow: \["nodes\.node-a\.>"\] \}, allow_responses: true/);
  assert.match(generated.stdout, /--nats-user fleet-rollout --nats-password-file .*orchestrator\.password/);
});

void test('the real agent and the orchestrator request and progress code work under the permissions', async () => {
  await startAgent('node-a');
  const nc = await orchestrator();
  const listed = await requestMessage(
    nc,
    subjects.list('node-a'),
    MessageType.BackendListRequest,
    {},
    MessageType.BackendListReply,
    5_000,
  );
  assert.equal(listed.backends?.[0]?.version, 'v1.0.0');
  const events: string[] = [];
  const progress = await listenProgress(nc, subjects.progress('node-a', 'op-1'), (e) => events.push(e.nodeId));
  const reply = await requestMessage(
    nc,
    subjects.upgrade('node-a'),
    MessageType.BackendUpgradeRequest,
    { backend: 'llama-cpp', opId: 'op-1' },
    MessageType.BackendUpgradeReply,
    10_000,
  );
  progress.stop();
  assert.equal(reply.success, true, reply.error);
  assert.ok(events.length > 0 && events.every((id) => id === 'node-a'), `progress events: ${events.join(',')}`);
  const plan = await runCli([
    'plan',
    '--backend',
    'llama-cpp',
    '--nodes',
    'node-a',
    '--nats-url',
    server?.url ?? '',
    '--nats-user',
    'fleet-rollout',
    '--nats-password-file',
    path.join(out, 'orchestrator.password'),
  ]);
  expectExit(plan, 0, 'plan under the orchestrator user');
  assert.match(plan.stdout, /1 node in 1 wave/);
});

void test('node A cannot subscribe to node B, read replies to B, nor publish progress for B or raw replies', async () => {
  await startAgent('node-b');
  const nc = await orchestrator();
  const a = await node('node-a');
  const sniffed: string[] = [];
  const requests = await deniedSubscription(a, subjects.upgrade('node-b'), sniffed);
  assert.match(requests.message, /permissions violation for subscription to "nodes\.node-b\.backend\.upgrade"/i);
  const inbox = await deniedSubscription(a, '_INBOX.>', sniffed);
  assert.match(inbox.message, /permissions violation for subscription to "_INBOX\.>"/i);
  const reply = await requestMessage(
    nc,
    subjects.list('node-b'),
    MessageType.BackendListRequest,
    {},
    MessageType.BackendListReply,
    5_000,
  );
  assert.equal(reply.backends?.[0]?.name, 'llama-cpp', 'node B itself still answers');

  const forged = subjects.progress('node-b', 'op-x');
  const own = subjects.progress('node-a', 'op-x');
  const seen: string[] = [];
  const forB = await listenProgress(nc, forged, () => seen.push('b'));
  let ownArrived: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (ownArrived = resolve));
  const forA = await listenProgress(nc, own, () => {
    seen.push('a');
    ownArrived();
  });
  const event = (nodeId: string): Uint8Array =>
    new TextEncoder().encode(JSON.stringify({ op_id: 'op-x', node_id: nodeId, backend: 'llama-cpp', percentage: 50 }));
  const refusedProgress = deniedPublish(a, forged);
  const refusedReply = deniedPublish(a, '_INBOX.guessed.reply');
  a.publish(forged, event('node-b'));
  a.publish('_INBOX.guessed.reply', event('node-b'));
  // Messages of one publisher reach one subscriber in order: once A's own event arrived, a forged one would have too.
  a.publish(own, event('node-a'));
  await arrived;
  assert.match(await refusedProgress, /permissions.violation/i);
  assert.match(await refusedReply, /permissions.violation/i);
  forB.stop();
  forA.stop();
  assert.deepEqual(seen, ['a']);
  assert.deepEqual(sniffed, [], 'node A received nothing meant for node B');
});

void test('with nkeys and the LocalAI-compatible set, the agent works and a node can read replies to others', async () => {
  const auth = buildAuthorization({ mode: AuthMode.Nkey, set: PermissionSet.LocalAI, nodeIds: ['node-c', 'node-d'] });
  assert.doesNotMatch(auth.config, /password/);
  assert.ok(
    auth.users.every((u) => u.secret.startsWith('SU') && !auth.config.includes(u.secret)),
    'an nkey config holds public keys only',
  );
  const nkeyDir = path.join(dir, 'nkey');
  mkdirSync(nkeyDir);
  writeFileSync(path.join(nkeyDir, 'authorization.conf'), auth.config);
  const seedFile = (id: string): string => {
    const file = path.join(nkeyDir, `${id}.nk`);
    writeFileSync(file, auth.users.find((u) => u.nodeId === id)?.secret ?? '', { mode: 0o600 });
    return file;
  };
  const second = await startNatsServer({ logDir: dir, config: 'include "nkey/authorization.conf"\n' });
  try {
    await startAgent('node-d', ['--nats-nkey-seed-file', seedFile('node-d')], second.url);
    const nc = await connectNats({ servers: [second.url], nkeySeed: auth.users[0]?.secret ?? '' });
    const c = await connectNats({ servers: [second.url], nkeySeed: readFileSync(seedFile('node-c'), 'utf8') });
    connections.push(nc, c);
    let sniffed: () => void = () => undefined;
    const replyRead = new Promise<void>((resolve) => (sniffed = resolve));
    c.subscribe('_INBOX.>', { callback: (err) => (err === null ? sniffed() : undefined) });
    await c.flush();
    const listed = await requestMessage(
      nc,
      subjects.list('node-d'),
      MessageType.BackendListRequest,
      {},
      MessageType.BackendListReply,
      5_000,
    );
    assert.equal(listed.backends?.[0]?.name, 'llama-cpp');
    await replyRead;
  } finally {
    await second.stop();
  }
});
