/**
 * Bad input through the built CLI as a child process: each acceptance case exits 2 with one line
 * naming the field and the expected form, before anything is sent; an unreachable Temporal or
 * NATS exits 3 naming the address and how to start a local server. No servers are needed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BAD_INPUT_CASES, CASES_DIR } from './bad-input-cases.js';
import { runCli } from './cli-harness.js';

void describe('bad input exits 2 with one line naming the field', { concurrency: 2 }, () => {
  for (const c of BAD_INPUT_CASES.filter((bad) => bad.cli === true)) {
    void test(c.name, async () => {
      const result = await runCli(c.args);
      assert.equal(result.code, 2, `exit code of ${c.args.join(' ')}\n${result.stderr}`);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line: ${result.stderr}`);
      assert.match(lines[0] ?? '', c.field);
      assert.equal(result.stdout, '');
    });
  }
});

void test('an unreachable Temporal exits 3, naming the address and how to start a local server', async () => {
  const result = await runCli(['status', 'llama-cpp', '--temporal-address', '127.0.0.1:1']);
  assert.equal(result.code, 3, result.stderr);
  assert.match(
    result.stderr,
    /cannot reach Temporal at 127\.0\.0\.1:1 .*temporal server start-dev.*npm start -- --keep/,
  );
});

void test('an unreachable NATS exits 3 for plan, naming the address', async () => {
  const result = await runCli(['plan', '--backend', 'llama-cpp', '--nodes', 'a', '--nats-url', 'nats://127.0.0.1:1']);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
});

void test('secrets given as flags never appear in messages', async () => {
  const result = await runCli(
    ['status', 'x', '--temporal-address', '127.0.0.1:1', '--temporal-api-key', 'sekrit-key-123'],
    {
      env: { TEMPORAL_TLS_CA: path.join(CASES_DIR, 'missing-ca.pem') },
    },
  );
  assert.equal(result.code, 2, result.stderr);
  assert.doesNotMatch(result.stderr + result.stdout, /sekrit-key-123/);
  assert.match(result.stderr, /TLS CA file: cannot read .*missing-ca\.pem: no such file/);
});

void describe('--help prints usage with examples and exits 0', { concurrency: 2 }, () => {
  for (const command of ['start', 'status', 'schedule create', 'worker']) {
    void test(command, async () => {
      const result = await runCli([...command.split(' '), '--help']);
      assert.equal(result.code, 0, `${command} --help: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`Usage: fleet-rollout ${command}`));
      assert.match(result.stdout, /Examples:\n {2}fleet-rollout /);
    });
  }
});
