/**
 * The start check of the real agent: `backend.install` with a model id spawns the
 * installed backend's `run.sh` and replies success only after the process listened on its PORT and
 * stayed up; otherwise the reply carries the process's output. `backend.stop` with the exact
 * `<model_id>#0` key stops that process and `models.running` no longer lists it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { subjects } from '../../src/protocol/index.js';
import { withLogs } from '../support/servers.js';
import { listens, useRealAgents } from './support/real-agents.js';
import { backendTarball, makeTar } from './support/tarball.js';
import { ask, eventually } from './support/wire.js';

const { servers, connection, setup } = useRealAgents();
const PROBE = 'fleet-rollout-probe';

/** A backend whose `run.sh` prints `lines` to stderr, then runs `tail` (shell). */
const scriptBackend = (lines: string, tail: string): Buffer =>
  makeTar([{ path: 'run.sh', content: `#!/bin/sh\necho "${lines}" >&2\n${tail}\n`, mode: 0o755 }], { gzip: true });

void test(
  'v2 exits at once: the start check fails with its output; v3 starts: passes; the probe stops by its exact key',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, root, agent } = await setup();
    const artifact = (name: string, body: Buffer): string => {
      const file = path.join(root, name);
      writeFileSync(file, body);
      return pathToFileURL(file).href;
    };
    const v1 = artifact('llama-cpp-v1.0.0.tar.gz', backendTarball('v1.0.0'));
    const v2 = artifact('llama-cpp-v2.0.0.tar.gz', scriptBackend('fatal: libcuda.so.1 not found', 'exit 1'));
    const v3 = artifact('llama-cpp-v3.0.0.tar.gz', backendTarball('v3.0.0'));
    const probe = JSON.stringify({ backend: 'llama-cpp', model_id: PROBE });

    const first = await ask(nc, subjects.install(id), JSON.stringify({ backend: 'llama-cpp', uri: v1 }), 15_000);
    assert.match(first, /^\{"success":true,"address":"127\.0\.0\.1:\d+"\}$/, 'an admin install starts llama-cpp#0');
    const replica = await ask(
      nc,
      subjects.install(id),
      JSON.stringify({ backend: 'llama-cpp', model_id: 'qwen', replica_index: 1 }),
      15_000,
    );
    assert.match(replica, /"success":true/);

    assert.equal(
      await ask(nc, subjects.upgrade(id), JSON.stringify({ backend: 'llama-cpp', uri: v2 }), 15_000),
      '{"success":true,"stopped_process_keys":["llama-cpp#0","qwen#1"],"reports_stopped_processes":true}',
    );
    assert.equal(await ask(nc, subjects.modelsRunning(id), '{}'), '{"models":[]}', 'the upgrade started nothing');
    assert.equal(
      await ask(nc, subjects.install(id), probe, 15_000),
      `{"success":false,"error":"backend process ${PROBE}#0 died during startup. Last stderr:\\nfatal: libcuda.so.1 not found\\n"}`,
    );
    assert.equal(await ask(nc, subjects.modelsRunning(id), '{}'), '{"models":[]}');

    assert.match(
      await ask(nc, subjects.upgrade(id), JSON.stringify({ backend: 'llama-cpp', uri: v3 }), 15_000),
      /^\{"success":true,"reports_stopped_processes":true\}$/,
    );
    const started = await ask(nc, subjects.install(id), probe, 15_000);
    const address = /^\{"success":true,"address":"(127\.0\.0\.1:\d+)"\}$/.exec(started)?.[1];
    assert.ok(address !== undefined, started);
    assert.ok(await listens(address), 'the probe serves on its address');
    const at = /"installed_at":"([^"]+)"/.exec(await ask(nc, subjects.list(id), '{}'))?.[1];
    assert.deepEqual(
      agent.processes().map((p) => [p.key, p.generation === at]),
      [[`${PROBE}#0`, true]],
      'the probe runs the v3 install',
    );
    assert.equal(
      await ask(nc, subjects.modelsRunning(id), '{}'),
      `{"models":[{"model_id":"${PROBE}","replica_index":0,"address":"${address}"}]}`,
    );
    nc.publish(subjects.stop(id), Buffer.from(JSON.stringify({ backend: `${PROBE}#0` })));
    await nc.flush();
    await eventually('probe gone from models.running', async () => {
      return (await ask(nc, subjects.modelsRunning(id), '{}')) === '{"models":[]}';
    });
    await eventually('the probe process exited', async () => !(await listens(address)));
  }),
);

void test(
  'a process that listens but dies within the settle time fails the start check with its output',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, root } = await setup();
    const server = `require('net').createServer().listen(Number(process.env.PORT),'127.0.0.1',()=>setTimeout(()=>{console.error('segfault after listen');process.exit(139)},100))`;
    const file = path.join(root, 'flaky.tar.gz');
    writeFileSync(file, scriptBackend('loading weights', `exec "${process.execPath}" -e "${server}"`));
    const reply = await ask(
      nc,
      subjects.install(id),
      JSON.stringify({ backend: 'flaky', model_id: PROBE, uri: pathToFileURL(file).href }),
      15_000,
    );
    assert.equal(
      reply,
      `{"success":false,"error":"backend process ${PROBE}#0 died during startup. Last stderr:\\nloading weights\\nsegfault after listen\\n"}`,
    );
    assert.equal(await ask(nc, subjects.modelsRunning(id), '{}'), '{"models":[]}');
  }),
);
