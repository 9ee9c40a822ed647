/** Pure parts of the LocalAI frontend support: inventory from the registry, unrestored models, the flags. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { frontendConfigFromFlags } from '../../src/cli/localai-flags.js';
import {
  inventoryFromFrontend,
  ModelRowListSchema,
  NodeListSchema,
  SchedulingListSchema,
  unrestoredModels,
} from '../../src/frontend/index.js';

const node = (id: string, status: string) => ({ id, name: `w-${id}`, status, labels: { zone: 'a' } });

void test('only healthy nodes are inventory; every other status is left out with its reason', () => {
  const nodes = NodeListSchema.parse(
    ['healthy', 'pending', 'draining', 'offline', 'unhealthy', 'weird'].map((s, i) => node(String(i), s)),
  );
  const { inventory, leftOut } = inventoryFromFrontend(nodes);
  assert.deepEqual(inventory, [{ id: '0', name: 'w-0', labels: { zone: 'a' } }]);
  assert.deepEqual(
    leftOut.map((n) => [n.id, n.reason.split(':')[0]]),
    [
      ['1', 'pending in the LocalAI frontend'],
      ['2', 'draining in the LocalAI frontend'],
      ['3', 'offline in the LocalAI frontend'],
      ['4', 'unhealthy in the LocalAI frontend'],
      ['5', 'status "weird" in the LocalAI frontend'],
    ],
  );
  assert.deepEqual(NodeListSchema.parse(null), []);
});

void test('models without min_replicas or spread_all on target nodes are the ones LocalAI will not restore', () => {
  const row = (nodeId: string, model: string, backend = 'llama-cpp') => ({
    node_id: nodeId,
    model_name: model,
    replica_index: 0,
    address: '127.0.0.1:1',
    state: 'loaded',
    in_flight: 0,
    backend_type: backend,
  });
  const rows = ModelRowListSchema.parse([
    row('a', 'm1'),
    row('b', 'm1'),
    row('a', 'm2'),
    row('a', 'm3'),
    row('c', 'm4'),
    row('a', 'w', 'whisper'),
  ]);
  const configs = SchedulingListSchema.parse([
    { model_name: 'm2', min_replicas: 2, max_replicas: 2 },
    { model_name: 'm3', spread_all: true, min_replicas: 0, max_replicas: 0, node_selector: '{"zone":"a"}' },
  ]);
  assert.deepEqual(configs[1]?.node_selector, { zone: 'a' });
  assert.deepEqual(unrestoredModels(rows, configs, ['a', 'b'], 'llama-cpp'), [
    { model: 'm1', backend: 'llama-cpp', nodeIds: ['a', 'b'] },
  ]);
});

void test('--localai-* flags: env defaults, a key file, and errors that name the flag but never the key', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'localai-flags-'));
  const file = path.join(dir, 'key');
  writeFileSync(file, 'from-file\n');
  assert.equal(frontendConfigFromFlags({}, {}), undefined);
  assert.deepEqual(frontendConfigFromFlags({}, { LOCALAI_URL: 'http://fe:8080/', LOCALAI_API_KEY: 'k' }), {
    url: 'http://fe:8080',
    apiKey: 'k',
  });
  assert.deepEqual(frontendConfigFromFlags({ 'localai-url': 'http://fe', 'localai-api-key-file': file }, {}), {
    url: 'http://fe',
    apiKey: 'from-file',
  });
  assert.deepEqual(
    frontendConfigFromFlags({ 'localai-url': 'http://fe', 'localai-api-key': 'flag' }, { LOCALAI_API_KEY: 'env' }),
    { url: 'http://fe', apiKey: 'flag' },
  );
  assert.throws(() => frontendConfigFromFlags({ 'localai-url': 'ftp://fe' }, {}), /--localai-url "ftp:\/\/fe"/);
  assert.throws(
    () => frontendConfigFromFlags({ 'localai-url': 'http://u:secret@fe' }, {}),
    (err: Error) => {
      assert.ok(!err.message.includes('secret'));
      return /put no credentials in the URL/.test(err.message);
    },
  );
  assert.throws(() => frontendConfigFromFlags({ 'localai-api-key': 'k' }, {}), /needs --localai-url/);
  assert.throws(
    () => frontendConfigFromFlags({ 'localai-url': 'http://fe', 'localai-api-key-file': path.join(dir, 'no') }, {}),
    /--localai-api-key-file: cannot read .*no such file/,
  );
});
