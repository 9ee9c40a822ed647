/**
 * Crash safety of the real agent, through the CLI in a child process: kill -9 during extraction
 * leaves the previous version installed and usable; a restarted agent lists it and upgrades
 * cleanly. SIGTERM lets a running install finish, replies, and exits 0.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RealInstaller } from '../../src/agent/real/installer/real-installer.js';
import { subjects } from '../../src/protocol/index.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { startCli, type CliProcess } from './support/cli.js';
import { tempDir } from './support/files.js';
import { backendTarball } from './support/tarball.js';
import { ask, collect, eventually, lazyConnection, testLogger } from './support/wire.js';

const running: CliProcess[] = [];
after(async () => {
  for (const proc of running) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  await connection.close();
});
const servers = useServers({ nats: true, temporal: false });
const connection = lazyConnection(() => servers.nats.url);

function agentCli(id: string, dir: string, ...extra: string[]): CliProcess {
  const proc = startCli(['agent', '--node-id', id, '--backends-dir', dir, '--nats-url', servers.nats.url, ...extra]);
  running.push(proc);
  return proc;
}

function artifact(root: string, version: string, padBytes = 0): string {
  const file = path.join(root, `llama-cpp-${version}.tar.gz`);
  const pad = padBytes > 0 ? [{ path: 'lib/weights.bin', content: randomBytes(padBytes) }] : [];
  writeFileSync(file, backendTarball(version, { extra: pad }));
  return pathToFileURL(file).href;
}

const upgradeTo = (uri: string, opId?: string) =>
  JSON.stringify({ backend: 'llama-cpp', uri, ...(opId !== undefined ? { op_id: opId } : {}) });

void test(
  'kill -9 during extraction keeps the old version; after a restart backend.list shows it and the next upgrade succeeds',
  withLogs(servers, async () => {
    const nc = await connection.get();
    const root = tempDir('crash');
    const dir = path.join(root, 'backends');
    const id = uniqueName('crash');
    const v1 = artifact(root, 'v1.0.0');
    const v2 = artifact(root, 'v2.0.0', 256 * 1024);

    const first = agentCli(id, dir);
    assert.match(
      await first.ready,
      new RegExp(`^agent ${id} serving on ${servers.nats.url} \\(backends dir ${dir}\\)$`),
    );
    assert.equal(
      await ask(nc, subjects.upgrade(id), upgradeTo(v1), 15_000),
      '{"success":true,"reports_stopped_processes":true}',
    );
    first.child.kill('SIGTERM');
    assert.equal((await first.exited).code, 0, first.stderr());

    const slow = agentCli(id, dir, '--extract-delay', '5s');
    await slow.ready;
    const progress = await collect(nc, subjects.progress(id, 'op-crash'));
    let replied = false;
    void ask(nc, subjects.upgrade(id), upgradeTo(v2, 'op-crash'), 15_000).then(
      () => (replied = true),
      () => undefined,
    );
    const staging = path.join(dir, '.fleet-rollout', 'staging');
    await eventually(
      'extraction under way',
      () => progress.events.some((e) => e.json.includes('"phase":"extracting"')) && readdirSync(staging).length > 0,
      10_000,
    );
    await eventually(
      'files landing in staging',
      () => readdirSync(path.join(staging, readdirSync(staging)[0] ?? '')).length > 0,
      5_000,
    );
    slow.child.kill('SIGKILL');
    assert.equal((await slow.exited).signal, 'SIGKILL');
    progress.stop();
    assert.equal(replied, false, 'the interrupted upgrade never replied');
    assert.equal(
      readFileSync(path.join(dir, 'llama-cpp', 'VERSION'), 'utf8'),
      'v1.0.0\n',
      'the old version is in place',
    );
    assert.ok(readdirSync(staging).length > 0, 'the crash left a partial staging directory behind');

    const restarted = agentCli(id, dir);
    await restarted.ready;
    assert.match(await ask(nc, subjects.list(id), '{}'), /"name":"llama-cpp".*"version":"v1\.0\.0"/);
    assert.deepEqual(readdirSync(staging), [], 'the restart cleared stale staging');
    assert.equal(
      await ask(nc, subjects.upgrade(id), upgradeTo(v2, 'op-crash')),
      '{"success":true,"reports_stopped_processes":true}',
    );
    assert.match(await ask(nc, subjects.list(id), '{}'), /"version":"v2\.0\.0"/);
    assert.equal(readFileSync(path.join(dir, 'llama-cpp', 'VERSION'), 'utf8'), 'v2.0.0\n');
    restarted.child.kill('SIGTERM');
    assert.equal((await restarted.exited).code, 0, restarted.stderr());
  }),
);

void test(
  'SIGTERM during an install lets it finish and reply, then exits 0',
  withLogs(servers, async () => {
    const nc = await connection.get();
    const root = tempDir('sigterm');
    const dir = path.join(root, 'backends');
    const id = uniqueName('term');
    const agent = agentCli(id, dir, '--extract-delay', '1.2s');
    await agent.ready;
    const progress = await collect(nc, subjects.progress(id, 'op-term'));
    const reply = ask(nc, subjects.upgrade(id), upgradeTo(artifact(root, 'v3.0.0', 64 * 1024), 'op-term'), 15_000);
    await eventually(
      'extraction under way',
      () => progress.events.some((e) => e.json.includes('"phase":"extracting"')),
      10_000,
    );
    agent.child.kill('SIGTERM');
    assert.equal(await reply, '{"success":true,"reports_stopped_processes":true}');
    assert.equal((await agent.exited).code, 0, agent.stderr());
    progress.stop();
    assert.equal(readFileSync(path.join(dir, 'llama-cpp', 'VERSION'), 'utf8'), 'v3.0.0\n');
  }),
);

void test('opening a backends directory restores a version left in the backup by a swap interrupted between its renames', async () => {
  const dir = path.join(tempDir('swap'), 'backends');
  const backup = path.join(dir, '.fleet-rollout', 'backup', 'llama-cpp');
  mkdirSync(backup, { recursive: true });
  writeFileSync(path.join(backup, 'run.sh'), '#!/bin/sh\n');
  writeFileSync(
    path.join(backup, 'metadata.json'),
    JSON.stringify({ name: 'llama-cpp', version: 'v1', installed_at: '2026-08-20T10:11:12.000Z' }),
  );
  mkdirSync(path.join(dir, '.fleet-rollout', 'staging', 'llama-cpp-x'), { recursive: true });
  const installer = await RealInstaller.open({ backendsDir: dir, log: testLogger() });
  assert.deepEqual(await installer.list(), [
    { name: 'llama-cpp', isSystem: false, isMeta: false, installedAt: '2026-08-20T10:11:12.000Z', version: 'v1' },
  ]);
  assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'staging')), []);
  assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'backup')), []);
});
