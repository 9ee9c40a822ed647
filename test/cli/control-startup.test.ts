/**
 * A control command loads only what it uses: no Temporal SDK, no zod, no YAML and no NATS client
 * (they are most of a short command's start-up time). Checked in a fresh process that loads the
 * command modules the way `fleet-rollout pause` does.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const DIST = path.resolve(__dirname, '../../src/cli');

void test('pause, resume, promote and abort load no Temporal SDK, zod, YAML or NATS module', () => {
  const script = `
    for (const c of ['pause', 'resume', 'promote', 'abort']) require(${JSON.stringify(DIST)} + '/commands/' + c + '.js');
    require(${JSON.stringify(DIST)} + '/connection-flags.js').temporalSettingsFromFlags({ 'temporal-address': '127.0.0.1:7233' }, {});
    const heavy = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](zod|@temporalio|yaml|nats)[\\\\/]/.test(f));
    process.stdout.write(JSON.stringify({ heavy, total: Object.keys(require.cache).length }));
  `;
  const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
    heavy: string[];
    total: number;
  };
  assert.deepEqual(loaded.heavy, []);
  assert.ok(loaded.total < 40, `${loaded.total} modules loaded`);
});

void test('the client and the rollout addressing load without the workflow SDK', () => {
  const src = path.resolve(__dirname, '../../src');
  const script = `
    require(${JSON.stringify(src)} + '/addressing.js');
    require(${JSON.stringify(src)} + '/client/index.js');
    const sdk = Object.keys(require.cache).filter((f) => /node_modules[\\\\/]@temporalio[\\\\/]workflow[\\\\/]/.test(f));
    process.stdout.write(JSON.stringify(sdk));
  `;
  assert.deepEqual(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })), []);
});
