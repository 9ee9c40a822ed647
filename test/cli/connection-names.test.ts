/**
 * One name per connection setting: the config file's key under its section, the environment
 * variable and the flag are the same name in three spellings, and the older spellings still work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_ENV, ConfigFileSchema, configAsEnv } from '../../src/cli/config-file.js';
import {
  taskQueueFlag,
  temporalSettingsFromFlags,
  TEMPORAL_QUEUE_FLAG_OPTIONS,
} from '../../src/cli/connection-flags.js';
import { LOCALAI_FLAG_OPTIONS } from '../../src/cli/localai-flags.js';
import { NATS_FLAG_OPTIONS } from '../../src/cli/nats-flags.js';

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const snake = (key: string) => kebab(key).replace(/-/g, '_').toUpperCase();
const FLAGS: Record<string, readonly string[]> = {
  temporal: Object.keys(TEMPORAL_QUEUE_FLAG_OPTIONS),
  nats: Object.keys(NATS_FLAG_OPTIONS),
  localai: Object.keys(LOCALAI_FLAG_OPTIONS),
};

void test('every config key is its environment variable and its flag, spelled for each', () => {
  for (const [section, keys] of Object.entries(CONFIG_ENV)) {
    for (const [key, variable] of Object.entries(keys)) {
      assert.equal(variable, `${section.toUpperCase()}_${snake(key)}`, `${section}.${key}`);
      assert.ok(
        FLAGS[section]?.includes(`${section}-${kebab(key)}`),
        `--${section}-${kebab(key)} for ${section}.${key}`,
      );
    }
  }
});

void test('every connection flag is a config key, apart from the -file variants, --config and the short spellings', () => {
  const short = ['namespace', 'task-queue', 'config'];
  for (const [section, flags] of Object.entries(FLAGS)) {
    const keys = Object.keys(CONFIG_ENV[section as keyof typeof CONFIG_ENV]).map((key) => `${section}-${kebab(key)}`);
    for (const flag of flags) {
      if (short.includes(flag) || (flag.endsWith('-file') && keys.includes(flag.slice(0, -'-file'.length)))) continue;
      assert.ok(keys.includes(flag), `--${flag} has a config key`);
    }
  }
});

void test('the config file reads temporal.taskQueue, the older top-level taskQueue, and localai; not both queues', () => {
  const env = configAsEnv(
    ConfigFileSchema.parse({
      temporal: { namespace: 'infra', taskQueue: 'eu' },
      nats: { url: ['nats://a:4222', 'nats://b:4222'], tlsCa: 'ca.pem' },
      localai: { url: 'http://localai:8080', apiKeyFile: 'key' },
    }),
  );
  assert.deepEqual(env, {
    TEMPORAL_NAMESPACE: 'infra',
    TEMPORAL_TASK_QUEUE: 'eu',
    NATS_URL: 'nats://a:4222,nats://b:4222',
    NATS_TLS_CA: 'ca.pem',
    LOCALAI_URL: 'http://localai:8080',
    LOCALAI_API_KEY_FILE: 'key',
  });
  assert.deepEqual(configAsEnv(ConfigFileSchema.parse({ taskQueue: 'old' })), { TEMPORAL_TASK_QUEUE: 'old' });
  const both = ConfigFileSchema.safeParse({ taskQueue: 'a', temporal: { taskQueue: 'b' } });
  assert.equal(both.success, false);
  assert.match(both.error?.issues[0]?.message ?? '', /give the task queue once, as temporal.taskQueue/);
  assert.equal(
    ConfigFileSchema.safeParse({ nats: { credsFile: 'x' } }).success,
    false,
    'schema field names are not keys',
  );
});

void test('--temporal-namespace and --temporal-task-queue, or their short spellings; not both', () => {
  assert.equal(temporalSettingsFromFlags({ 'temporal-namespace': 'a' }, {}).namespace, 'a');
  assert.equal(temporalSettingsFromFlags({ namespace: 'b' }, {}).namespace, 'b');
  assert.throws(
    () => temporalSettingsFromFlags({ 'temporal-namespace': 'a', namespace: 'b' }, {}),
    /--temporal-namespace and --namespace: give one of them/,
  );
  assert.equal(taskQueueFlag({ 'temporal-task-queue': 'q1' }), 'q1');
  assert.equal(taskQueueFlag({ 'task-queue': 'q2' }), 'q2');
  assert.equal(taskQueueFlag({}), undefined);
  assert.throws(
    () => taskQueueFlag({ 'temporal-task-queue': 'q1', 'task-queue': 'q2' }),
    /--temporal-task-queue and --task-queue: give one/,
  );
});
