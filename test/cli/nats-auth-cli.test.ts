/**
 * `fleet-rollout nats-auth` through the built CLI: nkey mode writes seeds and a config of public
 * keys only; bad input exits 2 with one line naming the flag; a used directory is not overwritten.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectExit, runCli } from './cli-harness.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-nats-auth-'));

void test('nkey mode: one seed file per node from an inventory, the config holds public keys only', async () => {
  const inventory = path.join(dir, 'fleet.json');
  writeFileSync(inventory, JSON.stringify([{ id: 'gpu-1' }, { id: 'rack/2.gpu' }]));
  const out = path.join(dir, 'nkey');
  const result = await runCli(['nats-auth', '--inventory', inventory, '--nodes', 'gpu-1', '--out', out]);
  expectExit(result, 0, 'nats-auth');
  const conf = readFileSync(path.join(out, 'authorization.conf'), 'utf8');
  assert.equal(conf.match(/nkey: "U[A-Z0-9]{55}"/g)?.length, 3, 'orchestrator and two distinct nodes');
  assert.match(conf, /"nodes\.rack\/2-gpu\.>"/);
  for (const file of ['orchestrator.nk', 'nodes/gpu-1.nk', 'nodes/rack%2F2-gpu.nk']) {
    const seed = readFileSync(path.join(out, file), 'utf8').trim();
    assert.match(seed, /^SU[A-Z0-9]{56}$/, file);
    assert.equal(statSync(path.join(out, file)).mode & 0o777, 0o600, file);
    assert.ok(!conf.includes(seed) && !result.stdout.includes(seed), `${file}: the seed appears nowhere else`);
  }
  assert.match(result.stdout, /1 orchestrator \+ 2 node users/);
  assert.match(result.stdout, /--nats-nkey-seed-file .*orchestrator\.nk/);
  const again = await runCli(['nats-auth', '--nodes', 'gpu-9', '--out', out]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /--out .*nkey: already holds generated credentials; choose a new directory/);
});

void test('bad input exits 2 with one line naming the flag', async () => {
  const out = path.join(dir, 'bad');
  const cases: [string[], RegExp][] = [
    [['--nodes', 'a', '--out', out, '--mode', 'jwt'], /^fleet-rollout: --mode "jwt": expected nkey or password\n$/],
    [['--nodes', 'a'], /--out DIR is required/],
    [['--out', out], /--nodes or --inventory is required/],
    [
      ['--nodes', 'a.b,a-b', '--out', out],
      /--nodes\/--inventory: node ids "a\.b" and "a-b" collide: both address the subject nodes\.a-b/,
    ],
    [
      ['--nodes', `${'x'.repeat(300)}`, '--out', out],
      /--nodes\/--inventory: node id too long: 300 characters, at most 256/,
    ],
    [['--nodes', 'say"hi', '--out', out], /quotes, backslashes and \$ are not supported/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(['nats-auth', ...args]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, message);
  }
});

void test('the agent refuses a node id over the bound at start', async () => {
  const result = await runCli(['agent', '--node-id', 'n'.repeat(257), '--simulate', '--backend', 'llama-cpp@v1']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /--node-id: node id too long: 257 characters, at most 256/);
});
