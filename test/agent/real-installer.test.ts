/**
 * The real agent (`startAgent`) against a real nats-server: galleries (YAML over HTTP, JSON at
 * file://), tarball installs and upgrades, sha256 verification, metadata and the process supervisor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { subjects } from '../../src/protocol/index.js';
import { withLogs } from '../support/servers.js';
import { sha256 } from './support/files.js';
import { galleries, listens, useRealAgents } from './support/real-agents.js';
import { backendTarball, makeTar } from './support/tarball.js';
import { ask, eventually } from './support/wire.js';

const { servers, connection, setup } = useRealAgents();

const V1 = backendTarball('v1.0.0', { extra: [{ path: 'only-in-v1.txt', content: 'old' }] });
const V2 = backendTarball('v1.1.0');

void test(
  'install from an HTTP YAML gallery, then upgrade from a file:// JSON gallery with sha256, stopping the running process',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, dir, http, root } = await setup();
    http.files.set(
      '/index.yaml',
      `- name: llama-cpp\n  uri: llama-cpp-v1.0.0.tar.gz\n  version: v1.0.0\n  alias: llama\n`,
    );
    http.files.set('/llama-cpp-v1.0.0.tar.gz', V1);
    const install = await ask(
      nc,
      subjects.install(id),
      JSON.stringify({ backend: 'llama-cpp', backend_galleries: galleries(`${http.url}/index.yaml`), op_id: 'op-i' }),
      15_000,
    );
    const address = /^\{"success":true,"address":"(127\.0\.0\.1:\d+)"\}$/.exec(install)?.[1];
    assert.ok(address !== undefined, install);
    assert.ok(await listens(address), 'the backend process listens on its address');
    const list1 = await ask(nc, subjects.list(id), '{}');
    const at1 = /"installed_at":"([^"]+)"/.exec(list1)?.[1] ?? '';
    assert.equal(
      list1,
      `{"backends":[{"name":"llama-cpp","is_system":false,"is_meta":false,"installed_at":"${at1}","gallery_url":"${http.url}/index.yaml","version":"v1.0.0","uri":"${http.url}/llama-cpp-v1.0.0.tar.gz","digest":"sha256:${sha256(V1)}"}]}`,
    );
    assert.match(at1, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(
      await ask(nc, subjects.modelsRunning(id), '{}'),
      `{"models":[{"model_id":"llama-cpp","replica_index":0,"address":"${address}"}]}`,
    );
    const metadata = JSON.parse(readFileSync(path.join(dir, 'llama-cpp', 'metadata.json'), 'utf8')) as Record<
      string,
      string
    >;
    assert.deepEqual(
      [metadata['name'], metadata['version'], metadata['alias'], metadata['digest']],
      ['llama-cpp', 'v1.0.0', 'llama', `sha256:${sha256(V1)}`],
    );

    const artifact = path.join(root, 'llama-cpp-v1.1.0.tar.gz');
    writeFileSync(artifact, V2);
    const index = path.join(root, 'index.json');
    writeFileSync(
      index,
      JSON.stringify([{ name: 'llama-cpp', uri: pathToFileURL(artifact).href, version: 'v1.1.0', sha256: sha256(V2) }]),
    );
    const upgrade = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 'llama-cpp', backend_galleries: galleries(pathToFileURL(index).href) }),
      15_000,
    );
    assert.equal(upgrade, '{"success":true,"stopped_process_keys":["llama-cpp#0"],"reports_stopped_processes":true}');
    assert.equal(await listens(address), false, 'the old process is gone');
    const list2 = await ask(nc, subjects.list(id), '{}');
    const at2 = /"installed_at":"([^"]+)"/.exec(list2)?.[1] ?? '';
    assert.ok(at2 > at1, `${at2} after ${at1}`);
    assert.ok(list2.includes(`"version":"v1.1.0"`) && list2.includes(`"digest":"sha256:${sha256(V2)}"`), list2);
    assert.equal(readFileSync(path.join(dir, 'llama-cpp', 'VERSION'), 'utf8'), 'v1.1.0\n');
    assert.equal(
      existsSync(path.join(dir, 'llama-cpp', 'only-in-v1.txt')),
      false,
      'files absent from the new artifact are gone',
    );
    assert.equal(await ask(nc, subjects.modelsRunning(id), '{}'), '{"models":[]}', 'an upgrade starts no process');

    writeFileSync(
      index,
      JSON.stringify([
        { name: 'llama-cpp', uri: pathToFileURL(artifact).href, version: 'v1.1.0', sha256: sha256('other') },
      ]),
    );
    const mismatch = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 'llama-cpp', backend_galleries: galleries(pathToFileURL(index).href) }),
      15_000,
    );
    assert.match(
      mismatch,
      /^\{"success":false,"error":"upgrading backend from gallery: sha256 mismatch for file:\/\/.*: expected [0-9a-f]{64}, got [0-9a-f]{64}","reports_stopped_processes":true\}$/,
    );
    assert.equal(
      await ask(nc, subjects.list(id), '{}'),
      list2,
      'a failed upgrade leaves the installed version untouched',
    );
    assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'staging')), []);
    assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'downloads')), []);
  }),
);

void test(
  'install with a model id starts a replica process, reuses it, and backend.stop / delete terminate it',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, dir, root } = await setup();
    const artifact = path.join(root, 'whisper-v0.5.0.tar');
    writeFileSync(artifact, backendTarball('v0.5.0', { gzip: false }));
    const uriInstall = await ask(
      nc,
      subjects.install(id),
      JSON.stringify({ backend: 'whisper', model_id: 'Qwen3-8B', uri: pathToFileURL(artifact).href, replica_index: 1 }),
      15_000,
    );
    const address = /"address":"([^"]+)"/.exec(uriInstall)?.[1] ?? '';
    assert.ok(await listens(address), uriInstall);
    assert.match(await ask(nc, subjects.list(id), '{}'), /"name":"whisper".*"version":"v0\.5\.0"/);
    assert.equal(
      await ask(nc, subjects.install(id), '{"backend":"whisper","model_id":"Qwen3-8B","replica_index":1}', 15_000),
      uriInstall,
      'a live process is reused',
    );
    const second = await ask(
      nc,
      subjects.install(id),
      '{"backend":"whisper","model_id":"Qwen3-8B","replica_index":2}',
      15_000,
    );
    assert.equal(
      await ask(nc, subjects.modelsRunning(id), '{}'),
      `{"models":[{"model_id":"Qwen3-8B","replica_index":1,"address":"${address}"},{"model_id":"Qwen3-8B","replica_index":2,"address":"${/"address":"([^"]+)"/.exec(second)?.[1] ?? ''}"}]}`,
    );
    nc.publish(subjects.stop(id), Buffer.from('{"backend":"Qwen3-8B#1"}'));
    await eventually('replica 1 stopped', async () => !(await listens(address)));
    assert.equal(
      await ask(nc, subjects.delete(id), '{"backend":"whisper"}'),
      '{"success":true,"stopped_process_keys":["Qwen3-8B#2"],"reports_stopped_processes":true}',
    );
    assert.equal(await ask(nc, subjects.list(id), '{}'), '{"backends":null}');
    assert.equal(existsSync(path.join(dir, 'whisper')), false);
  }),
);

void test(
  'backends without an entry point, dying processes, bad galleries and unsupported URIs fail with clear errors',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, root, http } = await setup();
    const noRun = path.join(root, 'norun-v1.tar.gz');
    writeFileSync(noRun, makeTar([{ path: 'README', content: 'no entry point' }], { gzip: true }));
    assert.equal(
      await ask(nc, subjects.upgrade(id), JSON.stringify({ backend: 'norun', uri: pathToFileURL(noRun).href }), 15_000),
      '{"success":false,"error":"upgrading backend from external URI: not a valid backend: run file not found \\"run.sh\\"","reports_stopped_processes":true}',
    );
    const dies = path.join(root, 'dies.tar.gz');
    writeFileSync(
      dies,
      makeTar([{ path: 'run.sh', content: '#!/bin/sh\necho "cannot load model" >&2\nexit 3\n', mode: 0o755 }], {
        gzip: true,
      }),
    );
    assert.match(
      await ask(
        nc,
        subjects.install(id),
        JSON.stringify({ backend: 'dies', model_id: 'm', uri: pathToFileURL(dies).href }),
        15_000,
      ),
      /^\{"success":false,"error":"backend process m#0 died during startup\. Last stderr:\\ncannot load model\\n"\}$/,
    );
    http.files.set('/bad.yaml', 'backends: [unclosed');
    http.files.set('/wrong.json', '[{"name":"x"}]');
    const reply = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({
        backend: 'llama-cpp',
        backend_galleries: galleries(`${http.url}/bad.yaml`, `${http.url}/wrong.json`, `${http.url}/missing.yaml`),
      }),
      15_000,
    );
    assert.match(
      reply,
      /"error":"upgrading backend from gallery: no backend found with name \\"llama-cpp\\" \(gallery \\"g0\\": .*bad\.yaml is neither YAML nor JSON.*gallery \\"g1\\": .*wrong\.json is not a gallery index.*uri.*gallery \\"g2\\": cannot fetch .*missing\.yaml: HTTP 404/,
    );
    assert.equal(
      await ask(nc, subjects.upgrade(id), '{"backend":"x","uri":"ollama://gemma"}'),
      '{"success":false,"error":"upgrading backend from external URI: unsupported URI scheme \\"ollama:\\" in \\"ollama://gemma\\": this agent fetches file://, http:// and https://, and installs images from oci://, host/repo:tag and ocifile://","reports_stopped_processes":true}',
    );
    assert.equal(
      await ask(nc, subjects.upgrade(id), '{"backend":"../etc","uri":"file:///tmp/x.tar"}'),
      `{"success":false,"error":"upgrading backend from external URI: invalid backend name \\"../etc\\": use letters, digits, '.', '_' and '-' (no \\"/\\" or \\"..\\")","reports_stopped_processes":true}`,
    );
    const names = [...(await ask(nc, subjects.list(id), '{}')).matchAll(/"name":"([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(names, ['dies'], 'only the backend whose process died was installed');
  }),
);
