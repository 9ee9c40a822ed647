/** Secrets from files, a warning (without the secret) for secret flags, and credentials in NATS URLs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporalSettingsFromFlags } from '../../src/cli/connection-flags.js';
import { natsOptionsFromFlags } from '../../src/cli/nats-flags.js';
import { describeNatsOptions } from '../../src/nats/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-secrets-'));
const file = (name: string, text: string): string => {
  const at = path.join(dir, name);
  writeFileSync(at, text, { mode: 0o600 });
  return at;
};

void test('every secret flag has a -file variant that reads the secret without its line break', () => {
  const warnings: string[] = [];
  const warn = (line: string): void => void warnings.push(line);
  const nats = natsOptionsFromFlags({ 'nats-user': 'u', 'nats-password-file': file('pw', 'pa ss\n') }, {}, warn);
  assert.deepEqual([nats.user, nats.password], ['u', 'pa ss']);
  assert.equal(natsOptionsFromFlags({ 'nats-token-file': file('tok', 'tok-1\r\n') }, {}, warn).token, 'tok-1');
  const seed = 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4';
  assert.equal(natsOptionsFromFlags({ 'nats-nkey-seed-file': file('seed', `${seed}\n`) }, {}, warn).nkeySeed, seed);
  const temporal = temporalSettingsFromFlags({ 'temporal-api-key-file': file('key', 'api-key-1\n') }, {}, warn);
  assert.equal(temporal.apiKey, 'api-key-1');
  assert.deepEqual(warnings, [], 'files and the environment need no warning');
});

void test('a secret given as a flag works, with a warning that names the flag and not the secret', () => {
  const warnings: string[] = [];
  const warn = (line: string): void => void warnings.push(line);
  natsOptionsFromFlags({ 'nats-token': 'sekrit-token' }, {}, warn);
  temporalSettingsFromFlags({ 'temporal-api-key': 'sekrit-key' }, {}, warn);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0] ?? '', /--nats-token .*process list.*NATS_TOKEN or --nats-token-file/);
  assert.match(warnings[1] ?? '', /--temporal-api-key .*TEMPORAL_API_KEY or --temporal-api-key-file/);
  assert.ok(warnings.every((w) => !w.includes('sekrit')));
});

void test('a missing or empty secret file, or both forms at once, is refused naming the flag', () => {
  assert.throws(
    () => natsOptionsFromFlags({ 'nats-token-file': path.join(dir, 'absent') }, {}),
    /--nats-token-file: cannot read .*absent: no such file/,
  );
  assert.throws(
    () => natsOptionsFromFlags({ 'nats-token-file': file('empty', '\n') }, {}),
    /--nats-token-file: .* is empty/,
  );
  assert.throws(
    () => natsOptionsFromFlags({ 'nats-token': 't', 'nats-token-file': file('t2', 't') }, {}, () => undefined),
    /--nats-token and --nats-token-file: give one of them, not both/,
  );
});

void test('credentials inside a NATS URL are honoured and stripped from the URL, or refused clearly', () => {
  const userPass = natsOptionsFromFlags({ 'nats-url': 'nats://alice:p%40ss@127.0.0.1:4222' }, {});
  assert.deepEqual([userPass.servers, userPass.user, userPass.password], [['nats://127.0.0.1:4222'], 'alice', 'p@ss']);
  assert.deepEqual(describeNatsOptions(userPass), {
    servers: ['nats://127.0.0.1:4222'],
    auth: 'user alice',
    tls: false,
  });
  const token = natsOptionsFromFlags({}, { NATS_URL: 'nats://tok123@h1:4222,nats://tok123@h2:4222' });
  assert.deepEqual([token.servers, token.token], [['nats://h1:4222', 'nats://h2:4222'], 'tok123']);
  assert.throws(
    () => natsOptionsFromFlags({ 'nats-url': 'nats://a:b@h1:4222,nats://c:d@h2:4222' }, {}),
    (err: unknown) =>
      err instanceof Error &&
      /--nats-url: the URLs carry different credentials/.test(err.message) &&
      !/b@|d@/.test(err.message),
  );
  assert.throws(
    () => natsOptionsFromFlags({ 'nats-url': 'nats://a:b@h1:4222', 'nats-user': 'x' }, {}),
    /--nats-url: credentials in the URL and in the auth settings: give them once/,
  );
});
