/** Unit tests of the agent's pure parts: locks, op-id dedup, progress debounce, knobs, reasons. */
import { versionFromUri } from '../../src/agent/node/uri-version.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedMutex } from '../../src/agent/node/backend-lock.js';
import { OpDedup, DedupOutcome } from '../../src/agent/node/op-dedup.js';
import { formatIecBytes, ProgressPublisher } from '../../src/agent/node/progress-publisher.js';
import {
  nextPatch,
  sampleRange,
  seededRandom,
  versionMatches,
  DurationRangeSchema,
  BackendAtVersionSchema,
} from '../../src/agent/simulated/knobs.js';
import { invalidRequestReason } from '../../src/agent/node/invalid-request.js';
import { nextInstalledAt } from '../../src/agent/node/installer/metadata.js';
import { decodeGalleries, GalleryDecodeError } from '../../src/agent/node/installer/gallery-types.js';
import { decodeMessage, MessageType } from '../../src/protocol/index.js';
import { natsOptionsFromFlags } from '../../src/cli/nats-flags.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

void test('KeyedMutex serialises one key in arrival order and runs different keys in parallel', async () => {
  const mutex = new KeyedMutex();
  const log: string[] = [];
  const job = (key: string, name: string, ms: number) =>
    mutex.run(key, async () => {
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
    });
  await Promise.all([job('a', 'a1', 30), job('a', 'a2', 5), job('b', 'b1', 5)]);
  assert.deepEqual(log, ['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
  assert.equal(mutex.busyKeys, 0, 'idle keys are forgotten');
});

void test('KeyedMutex keeps going after a failed operation', async () => {
  const mutex = new KeyedMutex();
  await assert.rejects(
    mutex.run('a', () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await mutex.run('a', () => Promise.resolve(7)), 7);
});

void test('OpDedup joins an operation in flight and answers a finished one from its record', async () => {
  const dedup = new OpDedup<string>();
  let runs = 0;
  const op = () => sleep(20).then(() => `reply ${++runs}`);
  const [first, second] = await Promise.all([dedup.run('op-1', op), dedup.run('op-1', op)]);
  assert.deepEqual([first.value, first.outcome], ['reply 1', DedupOutcome.Ran]);
  assert.deepEqual([second.value, second.outcome], ['reply 1', DedupOutcome.Joined]);
  const third = await dedup.run('op-1', op);
  assert.deepEqual([third.value, third.outcome], ['reply 1', DedupOutcome.Recorded]);
  assert.equal(runs, 1);
});

void test('OpDedup forgets entries past the TTL and beyond the maximum count', async () => {
  let now = 0;
  const dedup = new OpDedup<number>({ ttlMs: 1000, maxEntries: 2, now: () => now });
  await dedup.run('a', () => Promise.resolve(1));
  now = 10;
  await dedup.run('b', () => Promise.resolve(2));
  await dedup.run('c', () => Promise.resolve(3));
  assert.equal(dedup.size, 2);
  assert.equal((await dedup.run('a', () => Promise.resolve(9))).outcome, DedupOutcome.Ran, 'a was evicted by count');
  now = 5000;
  assert.equal((await dedup.run('b', () => Promise.resolve(9))).outcome, DedupOutcome.Ran, 'b expired');
});

void test('OpDedup does not record a failed run', async () => {
  const dedup = new OpDedup<number>();
  await assert.rejects(dedup.run('x', () => Promise.reject(new Error('no'))));
  assert.equal((await dedup.run('x', () => Promise.resolve(1))).outcome, DedupOutcome.Ran);
});

void test('ProgressPublisher: leading edge, at most one event per interval, last tick always flushed', (t) => {
  // A fake clock and mocked timers: the debounce is checked exactly, whatever the machine's load.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let clock = 0;
  const sent: { at: number; body: string }[] = [];
  const started = 0;
  const publisher = new ProgressPublisher({
    publish: (subject, payload) => {
      assert.equal(subject, 'nodes.n-1.backend.install.op-1.progress');
      sent.push({ at: clock - started, body: Buffer.from(payload).toString() });
    },
    subject: 'nodes.n-1.backend.install.op-1.progress',
    opId: 'op-1',
    nodeId: 'n.1',
    backend: 'vllm',
    intervalMs: 100,
    now: () => clock,
  });
  for (let i = 0; i <= 20; i += 1) {
    publisher.tick({ phase: 'downloading', percentage: i * 5, currentBytes: i * 1024, totalBytes: 20 * 1024 });
    clock += 10;
    t.mock.timers.tick(10);
  }
  publisher.tick({ phase: 'extracting', percentage: 100 });
  publisher.flush();
  publisher.tick({ phase: 'starting', percentage: 1 });
  assert.equal(
    sent[0]?.body,
    '{"op_id":"op-1","node_id":"n.1","backend":"vllm","current":"0 B","total":"20.0 KiB","percentage":0,"phase":"downloading"}',
  );
  assert.equal(
    sent.at(-1)?.body,
    '{"op_id":"op-1","node_id":"n.1","backend":"vllm","percentage":100,"phase":"extracting"}',
  );
  assert.ok(sent.length >= 2 && sent.length <= 5, `${sent.length} events for ~230 ms of ticks at a 100 ms interval`);
  for (let i = 1; i < sent.length - 1; i += 1) {
    assert.ok((sent[i]?.at ?? 0) - (sent[i - 1]?.at ?? 0) >= 100, 'events are spaced by the interval');
  }
});

void test('formatIecBytes writes sizes as LocalAI does', () => {
  assert.equal(formatIecBytes(812), '812 B');
  assert.equal(formatIecBytes(1536), '1.5 KiB');
  assert.equal(formatIecBytes(412.3 * 1024 * 1024), '412.3 MiB');
  assert.equal(formatIecBytes(2.1 * 1024 ** 3), '2.1 GiB');
});

void test('simulation knobs: versions, ranges, patterns and a reproducible RNG', () => {
  assert.equal(nextPatch('v1.2.3'), 'v1.2.4');
  assert.equal(nextPatch('2.9'), '2.10');
  assert.equal(nextPatch('latest'), 'latest-next');
  assert.equal(versionFromUri('https://h/x/llama-cpp-v1.3.0.tar.gz'), 'v1.3.0');
  assert.equal(versionFromUri('oci://quay.io/acme/llama-backend:v2'), 'v2');
  assert.equal(versionFromUri('file:///tmp/backend.tar'), undefined);
  assert.ok(versionMatches('v1.3.*', 'v1.3.0'));
  assert.ok(!versionMatches('v1.3.*', 'v1.4.0'));
  assert.ok(versionMatches('/^v2/', 'v2.0.1'));
  assert.deepEqual(DurationRangeSchema.parse('500-3000'), { min: 500, max: 3000 });
  assert.deepEqual(DurationRangeSchema.parse(250), { min: 250, max: 250 });
  assert.equal(DurationRangeSchema.safeParse('3000-500').success, false);
  assert.equal(DurationRangeSchema.safeParse('fast').success, false);
  assert.deepEqual(BackendAtVersionSchema.parse('llama-cpp@v1.2.3'), { name: 'llama-cpp', version: 'v1.2.3' });
  assert.equal(BackendAtVersionSchema.safeParse('llama-cpp').success, false);
  const a = seededRandom('s:node-1');
  const b = seededRandom('s:node-1');
  const c = seededRandom('s:node-2');
  const seqA = [a(), a(), a()];
  assert.deepEqual(seqA, [b(), b(), b()]);
  assert.notDeepEqual(seqA, [c(), c(), c()]);
  const samples = Array.from({ length: 200 }, () => sampleRange({ min: 500, max: 3000 }, a));
  assert.ok(samples.every((s) => s >= 500 && s <= 3000 && Number.isInteger(s)));
});

void test('invalid request reasons read like Go json.Unmarshal errors', () => {
  const reason = (text: string) => {
    const payload = Buffer.from(text);
    const decoded = decodeMessage(MessageType.BackendUpgradeRequest, payload);
    assert.equal(decoded.ok, false, text);
    return decoded.ok ? '' : invalidRequestReason(MessageType.BackendUpgradeRequest, payload, decoded.error);
  };
  assert.equal(reason(''), 'unexpected end of JSON input');
  assert.equal(reason('{"backend":"x"'), 'unexpected end of JSON input');
  assert.equal(reason('garbage'), "invalid character 'g' looking for beginning of value");
  assert.equal(
    reason('{"backend":123}'),
    'json: cannot unmarshal number into Go struct field BackendUpgradeRequest.backend of type string',
  );
  assert.equal(
    reason('{"backend":"x","replica_index":true}'),
    'json: cannot unmarshal bool into Go struct field BackendUpgradeRequest.replica_index of type int32',
  );
  assert.equal(reason('[1]'), 'json: cannot unmarshal array into Go value of type messaging.BackendUpgradeRequest');
});

void test('installed_at strictly increases even when the clock does not', () => {
  const first = nextInstalledAt(undefined, Date.parse('2026-08-20T10:11:12.345Z'));
  assert.equal(first, '2026-08-20T10:11:12.345Z');
  assert.equal(nextInstalledAt(first, Date.parse(first)), '2026-08-20T10:11:12.346Z');
  assert.equal(nextInstalledAt(first, Date.parse(first) - 5000), '2026-08-20T10:11:12.346Z');
  assert.equal(nextInstalledAt('garbage', 0), '1970-01-01T00:00:00.000Z');
});

void test('backend_galleries: empty uses our own, "null" and "[]" mean none, bad JSON is a decode error', () => {
  assert.equal(decodeGalleries(''), undefined);
  assert.deepEqual(decodeGalleries('null'), []);
  assert.deepEqual(decodeGalleries('[]'), []);
  assert.deepEqual(decodeGalleries('[{"url":"file:///g.yaml","name":"g","mirrors":["x"]}]'), [
    { url: 'file:///g.yaml', name: 'g', mirrors: ['x'] },
  ]);
  assert.throws(() => decodeGalleries('[{'), GalleryDecodeError);
  assert.throws(
    () => decodeGalleries('[{"name":"no url"}]'),
    (err: unknown) => err instanceof GalleryDecodeError && /url/.test(err.message),
  );
});

void test('NATS flags default from the environment; auth flags replace the environment auth', () => {
  const env = { NATS_URL: 'nats://a:4222,nats://b:4222', NATS_TOKEN: 'env-token', NATS_TLS_CA: '/ca.pem' };
  const fromEnv = natsOptionsFromFlags({}, env);
  assert.deepEqual(
    [fromEnv.servers, fromEnv.token, fromEnv.tls],
    [['nats://a:4222', 'nats://b:4222'], 'env-token', { caFile: '/ca.pem' }],
  );
  const flags = natsOptionsFromFlags({ 'nats-url': 'nats://c:4222', 'nats-user': 'u', 'nats-password': 'p' }, env);
  assert.deepEqual([flags.servers, flags.token, flags.user, flags.password], [['nats://c:4222'], undefined, 'u', 'p']);
  assert.throws(() => natsOptionsFromFlags({ 'nats-password': 'p' }, {}), /--nats-user: a password needs a user/);
  assert.throws(() => natsOptionsFromFlags({ 'nats-tls-cert': '/c.pem' }, {}), /--nats-tls-cert\/--nats-tls-key/);
  assert.throws(
    () => natsOptionsFromFlags({ 'nats-token': 't', 'nats-creds': '/x.creds' }, {}),
    /--nats-token .*choose one/,
  );
});
