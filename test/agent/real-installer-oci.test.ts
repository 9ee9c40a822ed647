/**
 * The real agent installs OCI images as LocalAI workers do, against a real registry on loopback:
 * `oci://` and bare registry refs (also from a gallery), `ocifile://` image tarballs in both
 * formats and local directories; layers in order with whiteouts, the manifest digest in
 * `backend.list`, progress per layer, the same path-safety rules, and the old install kept when a
 * pull breaks off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { create as createTar } from 'tar';
import { RealInstaller } from '../../src/agent/real/installer/real-installer.js';
import type { ProgressTick } from '../../src/agent/node/progress-publisher.js';
import { InstallPhase, subjects } from '../../src/protocol/index.js';
import { crane, pushBackendImage } from '../support/oci-images.js';
import { withLogs } from '../support/servers.js';
import { galleries, useRealAgents } from './support/real-agents.js';
import { makeTar } from './support/tarball.js';
import { ask, collect, testLogger } from './support/wire.js';

const { servers, connection, setup } = useRealAgents({ registry: true });

/** Appends a layer of `entries` to `base`, pushed as `ref`; returns the new digest. */
async function appendLayer(root: string, base: string, ref: string, entries: Parameters<typeof makeTar>[0]) {
  const layer = path.join(root, `layer-${Date.now()}-${Math.random().toString(36).slice(2)}.tar.gz`);
  writeFileSync(layer, makeTar(entries, { gzip: true }));
  await crane(['append', '--insecure', '-b', base, '-f', layer, '-t', ref]);
  return await crane(['digest', '--insecure', ref]);
}

void test(
  'images from a registry (oci:// and bare refs from a gallery) install layer by layer with whiteouts and their digest',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, dir, root, http: files } = await setup();
    const host = servers.registry.host;
    const v1 = await pushBackendImage(`${host}/backends/llama:v1`, {
      files: { 'run.sh': '#!/bin/sh\necho v1\n', 'lib/old.so': 'old', 'lib/keep.so': 'keep', 'gone.txt': 'x' },
    });
    const progress = await collect(nc, subjects.progress(id, 'op-oci-1'));
    const first = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 'llama', uri: `oci://${host}/backends/llama:v1`, op_id: 'op-oci-1' }),
      30_000,
    );
    assert.equal(first, '{"success":true,"reports_stopped_processes":true}');
    const list1 = await ask(nc, subjects.list(id), '{}');
    assert.match(list1, new RegExp(`"uri":"oci://${host}/backends/llama:v1","digest":"${v1}"`));
    await nc.flush();
    progress.stop();
    assert.ok(progress.events.length >= 2, 'progress reached the wire');
    // Below the wire's 250 ms debounce: every tick the installer reports, layer by layer.
    const ticks: ProgressTick[] = [];
    const installer = await RealInstaller.open({ backendsDir: path.join(root, 'direct'), log: testLogger() });
    const spec = {
      backend: 'llama',
      galleries: undefined,
      uri: `oci://${host}/backends/llama:v1`,
      name: '',
      alias: '',
    };
    assert.equal((await installer.install({ ...spec, force: true }, (t) => ticks.push(t))).digest, v1);
    const layers = ticks.filter((t) => t.phase === InstallPhase.Downloading);
    assert.ok(layers.length > 0, JSON.stringify(ticks));
    for (const t of layers) assert.match(t.fileName ?? '', /^layer 1\/1 sha256:[0-9a-f]{64}$/);
    assert.equal(layers.at(-1)?.percentage, 100);
    assert.equal(layers.at(-1)?.currentBytes, layers.at(-1)?.totalBytes);

    // A second layer deletes a file and makes lib/ opaque; the gallery names the image without oci://.
    const v2 = await appendLayer(root, `${host}/backends/llama:v1`, `${host}/backends/llama:v2`, [
      { path: '.wh.gone.txt', content: '' },
      { path: 'lib/.wh..wh..opq', content: '' },
      { path: 'lib/new.so', content: 'new' },
      { path: 'run.sh', content: '#!/bin/sh\necho v2\n', mode: 0o755 },
    ]);
    files.files.set('/oci-index.yaml', `- name: llama\n  uri: ${host}/backends/llama:v2\n  version: v2.0.0\n`);
    const second = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 'llama', backend_galleries: galleries(`${files.url}/oci-index.yaml`) }),
      30_000,
    );
    assert.equal(second, '{"success":true,"reports_stopped_processes":true}');
    const list2 = await ask(nc, subjects.list(id), '{}');
    assert.match(list2, new RegExp(`"version":"v2.0.0","uri":"${host}/backends/llama:v2","digest":"${v2}"`));
    assert.notEqual(v1, v2);
    assert.deepEqual(readdirSync(path.join(dir, 'llama')).sort(), ['lib', 'metadata.json', 'run.sh']);
    assert.deepEqual(readdirSync(path.join(dir, 'llama', 'lib')), ['new.so']);
    assert.equal(readFileSync(path.join(dir, 'llama', 'run.sh'), 'utf8'), '#!/bin/sh\necho v2\n');

    // A hostile layer is refused like a hostile tarball; a missing tag names the registry and tag.
    await appendLayer(root, `${host}/backends/llama:v2`, `${host}/backends/llama:evil`, [
      { path: 'a/b/c', type: 'dir' },
      { path: 'a/b/c/l2', type: 'symlink', linkpath: '../../..' },
      { path: 'metadata.json', type: 'symlink', linkpath: 'a/b/c/l2/../../../../victim' },
    ]);
    const evil = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 'llama', uri: `oci://${host}/backends/llama:evil` }),
      30_000,
    );
    assert.match(
      evil,
      /pulling layer 3\/3 \(sha256:[0-9a-f]{12}\) of 127\.0\.0\.1:\d+\/backends\/llama:evil: refusing archive: symlink \\"metadata.json\\" points outside the archive through other symlinks/,
    );
    const missing = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 'llama', uri: `${host}/backends/llama:nope` }),
      30_000,
    );
    assert.match(
      missing,
      /registry 127\.0\.0\.1:\d+, image 127\.0\.0\.1:\d+\/backends\/llama:nope: manifest not found \(404\)/,
    );
    assert.equal(await ask(nc, subjects.list(id), '{}'), list2, 'failed pulls keep the installed version');
    assert.equal(existsSync(path.join(path.dirname(root), 'victim')), false);
    assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'staging')), []);
  }),
);

void test(
  'ocifile:// image tarballs (docker save and OCI layout) and local directories install',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, dir, root } = await setup();
    const ref = `${servers.registry.host}/backends/whisper:v3`;
    const digest = await pushBackendImage(ref, { files: { 'run.sh': '#!/bin/sh\necho v3\n', 'model.txt': 'm' } });
    const saved = path.join(root, 'whisper-v3.tar');
    await crane(['pull', '--insecure', ref, saved]);
    const layoutDir = path.join(root, 'layout');
    await crane(['pull', '--insecure', '--format', 'oci', ref, layoutDir]);
    const layout = path.join(root, 'whisper-v3-oci.tar');
    await createTar({ file: layout, cwd: layoutDir }, readdirSync(layoutDir));
    const local = path.join(root, 'local-backend');
    mkdirSync(path.join(local, 'bin'), { recursive: true });
    writeFileSync(path.join(local, 'run.sh'), '#!/bin/sh\necho local\n', { mode: 0o755 });
    writeFileSync(path.join(local, 'bin', 'tool'), 'tool');

    const install = (backend: string, uri: string): Promise<string> =>
      ask(nc, subjects.upgrade(id), JSON.stringify({ backend, uri }), 30_000);
    assert.equal(await install('saved', `ocifile://${saved}`), '{"success":true,"reports_stopped_processes":true}');
    assert.equal(await install('layout', `ocifile://${layout}`), '{"success":true,"reports_stopped_processes":true}');
    assert.equal(await install('local', local), '{"success":true,"reports_stopped_processes":true}');
    assert.equal(
      await install('local2', pathToFileURL(local).href),
      '{"success":true,"reports_stopped_processes":true}',
    );
    const list = await ask(nc, subjects.list(id), '{}');
    assert.match(list, new RegExp(`"name":"layout".*"uri":"ocifile://${layout}","digest":"${digest}"`));
    assert.match(list, /"name":"saved".*"uri":"ocifile:\/\/[^"]+whisper-v3\.tar","digest":"sha256:[0-9a-f]{64}"/);
    for (const name of ['saved', 'layout']) assert.equal(readFileSync(path.join(dir, name, 'model.txt'), 'utf8'), 'm');
    assert.equal(readFileSync(path.join(dir, 'local', 'bin', 'tool'), 'utf8'), 'tool');
    assert.equal(readFileSync(path.join(dir, 'local2', 'run.sh'), 'utf8'), '#!/bin/sh\necho local\n');
    assert.match(await install('x', 'ocifile://relative.tar'), /an ocifile:\/\/ URI needs an absolute path/);
    assert.match(
      await install('x', `ocifile://${path.join(root, 'none.tar')}`),
      /cannot read image archive .*none\.tar: no such file/,
    );
  }),
);

void test(
  'a pull that breaks off or stalls mid-layer, or a stopped registry, keeps the old install and frees the lock',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, dir } = await setup({ installLimits: { idleTimeoutMs: 1_500 } });
    const registry = servers.registry.host;
    const pad = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < pad.length; i += 1) pad[i] = (i * 2654435761) >>> 24;
    await pushBackendImage(`${registry}/backends/cut:v1`, { build: 'v1' });
    const v2 = await pushBackendImage(`${registry}/backends/cut:v2`, {
      files: { 'run.sh': '#!/bin/sh\necho v2\n', 'weights.bin': pad.toString('latin1') },
    });
    // A proxy that forwards everything but cuts blob downloads off after 64 KiB, or stalls them there.
    let stall = false;
    const proxy = http.createServer((req, res) => {
      const upstream = http.request(
        { host: '127.0.0.1', port: servers.registry.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          if (!(req.url ?? '').includes('/blobs/') || (answer.statusCode ?? 0) >= 300) return void answer.pipe(res);
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            if (sent >= 64 * 1024) return;
            sent += chunk.length;
            res.write(chunk);
            if (sent >= 64 * 1024 && !stall) {
              answer.destroy();
              res.socket?.destroy();
            }
          });
          answer.on('end', () => res.end());
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const via = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const upgrade = (uri: string): Promise<string> =>
        ask(nc, subjects.upgrade(id), JSON.stringify({ backend: 'cut', uri }), 30_000);
      assert.equal(await upgrade(`oci://${via}/backends/cut:v1`), '{"success":true,"reports_stopped_processes":true}');
      const before = await ask(nc, subjects.list(id), '{}');
      const cut = await upgrade(`oci://${via}/backends/cut:v2`);
      assert.match(
        cut,
        /"error":"upgrading backend from external URI: pulling layer 1\/1 \(sha256:[0-9a-f]{12}\) of 127\.0\.0\.1:\d+\/backends\/cut:v2: the connection broke after \d+ of \d+ bytes \(aborted\)/,
      );
      assert.equal(await ask(nc, subjects.list(id), '{}'), before, 'a pull cut off mid-layer keeps the old install');
      stall = true;
      const stalled = upgrade(`oci://${via}/backends/cut:v2`);
      const queued = upgrade(`oci://${registry}/backends/cut:v2`);
      assert.match(
        await stalled,
        /pulling layer 1\/1 \(sha256:[0-9a-f]{12}\) of 127\.0\.0\.1:\d+\/backends\/cut:v2: less than 1 KiB from sha256:[0-9a-f]{64} in 1500 ms, the idle timeout \(--download-idle-timeout\)/,
      );
      assert.equal(await queued, '{"success":true,"reports_stopped_processes":true}', 'the next upgrade is not stuck');
      const after = await ask(nc, subjects.list(id), '{}');
      assert.ok(after.includes(`"digest":"${v2}"`), after);
      await servers.registry.stop();
      const stopped = await upgrade(`oci://${registry}/backends/cut:v2`);
      assert.match(
        stopped,
        /registry 127\.0\.0\.1:\d+, image .*cut:v2: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
      );
      assert.equal(await ask(nc, subjects.list(id), '{}'), after, 'a stopped registry keeps the installed version');
      assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'staging')), []);
      assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'downloads')), []);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  }),
);
