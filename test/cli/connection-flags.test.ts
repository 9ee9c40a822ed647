/** Connection settings: flags over the environment over a --config file; the task queue default. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { effectiveEnv, taskQueueFrom, temporalSettingsFromFlags } from '../../src/cli/connection-flags.js';
import { natsOptionsFromFlags } from '../../src/cli/nats-flags.js';
import { DEFAULT_TASK_QUEUE } from '../../src/addressing.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-config-'));
const config = path.join(dir, 'config.yaml');
writeFileSync(
  config,
  [
    'temporal:',
    '  address: from-config:7233',
    '  namespace: config-ns',
    '  apiKey: config-key',
    'nats:',
    '  url: [nats://a:4222, nats://b:4222]',
    '  token: config-token',
    'taskQueue: config-queue',
    '',
  ].join('\n'),
);

void test('the config file fills in what neither flags nor the environment set', () => {
  const env = effectiveEnv(config, { TEMPORAL_NAMESPACE: 'env-ns', NATS_URL: '' });
  const settings = temporalSettingsFromFlags({ 'temporal-address': 'from-flag:7233' }, env);
  assert.deepEqual(settings, { address: 'from-flag:7233', namespace: 'env-ns', apiKey: 'config-key' });
  assert.equal(taskQueueFrom(undefined, env), 'config-queue');
  assert.equal(taskQueueFrom('flag-queue', env), 'flag-queue');
  const nats = natsOptionsFromFlags({}, env);
  assert.deepEqual([nats.servers, nats.token], [['nats://a:4222', 'nats://b:4222'], 'config-token']);
});

void test('without a config file the environment is used as is, and the task queue matches the worker default', () => {
  const env = { TEMPORAL_ADDRESS: 'env:7233' };
  assert.equal(effectiveEnv(undefined, env), env);
  assert.equal(temporalSettingsFromFlags({}, env).address, 'env:7233');
  assert.equal(taskQueueFrom(undefined, {}), DEFAULT_TASK_QUEUE);
});

void test('a bad value names the flag and its environment variable, never the secret', () => {
  assert.throws(
    () => temporalSettingsFromFlags({}, { TEMPORAL_ADDRESS: 'no-port' }),
    /^UsageError: --temporal-address \(TEMPORAL_ADDRESS\): expected host:port/,
  );
  assert.throws(
    () => temporalSettingsFromFlags({ 'temporal-tls-cert': 'c.pem', 'temporal-api-key': 'sekrit' }, {}),
    (err: unknown) =>
      err instanceof Error &&
      /--temporal-tls-cert\/--temporal-tls-key/.test(err.message) &&
      !err.message.includes('sekrit'),
  );
});
