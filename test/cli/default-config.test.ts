/** The default config file: `$XDG_CONFIG_HOME/fleet-rollout/config.yaml` when it exists, under `--config`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { effectiveEnv } from '../../src/cli/connection-flags.js';
import { defaultConfigFile, defaultConfigPath } from '../../src/cli/default-config.js';
import { expectExit, runCli } from './cli-harness.js';

function configHome(address: string): string {
  const home = mkdtempSync(path.join(tmpdir(), 'fleet-rollout-xdg-'));
  mkdirSync(path.join(home, 'fleet-rollout'));
  writeFileSync(path.join(home, 'fleet-rollout', 'config.yaml'), `temporal: { address: '${address}' }\n`);
  return home;
}

void test('the default file is read when present, and --config and the environment win over it', () => {
  const home = configHome('10.1.2.3:7233');
  const env = { XDG_CONFIG_HOME: home };
  assert.equal(defaultConfigPath({ HOME: '/home/ops' }), '/home/ops/.config/fleet-rollout/config.yaml');
  assert.equal(defaultConfigFile(env), path.join(home, 'fleet-rollout', 'config.yaml'));
  assert.equal(effectiveEnv(undefined, env)['TEMPORAL_ADDRESS'], '10.1.2.3:7233');
  assert.equal(effectiveEnv(undefined, { ...env, TEMPORAL_ADDRESS: '127.0.0.1:1' })['TEMPORAL_ADDRESS'], '127.0.0.1:1');
  const other = path.join(configHome('10.9.9.9:7233'), 'fleet-rollout', 'config.yaml');
  assert.equal(effectiveEnv(other, env)['TEMPORAL_ADDRESS'], '10.9.9.9:7233');
  const empty = mkdtempSync(path.join(tmpdir(), 'fleet-rollout-xdg-'));
  assert.equal(defaultConfigFile({ XDG_CONFIG_HOME: empty }), undefined);
  assert.deepEqual(effectiveEnv(undefined, { XDG_CONFIG_HOME: empty }), { XDG_CONFIG_HOME: empty });
});

void test('a command reaches the address of the default config file', async () => {
  const home = configHome('127.0.0.1:1');
  const result = await runCli(['status', 'llama-cpp'], { env: { XDG_CONFIG_HOME: home } });
  expectExit(result, 3, 'status with an unreachable address from the default config file');
  assert.match(result.stderr, /cannot reach Temporal at 127\.0\.0\.1:1 /);
});
