import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GalleryIndexError, parseGalleryIndex, resolveTarget } from '../../src/gallery/index.js';
import { freePort } from '../../src/local/free-port.js';
import { OciClient, OciError, OciFailure } from '../../src/oci/index.js';
import { pushBackendImage } from '../support/oci-images.js';
import { useServers, withLogs } from '../support/servers.js';

const servers = useServers({ registry: true });
const deps = { oci: new OciClient({ timeoutMs: 5_000 }) };
const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-gallery-'));

/** An index in LocalAI's format: a meta entry, concrete entries merged from its anchor. */
function indexYaml(registry: string): string {
  return `---
- &llamacpp
  name: "llama-cpp"
  alias: "llama-cpp"
  license: mit
  capabilities:
    default: "cpu-llama-cpp"
    nvidia: "cuda12-llama-cpp"
- !!merge <<: *llamacpp
  name: "cpu-llama-cpp"
  uri: "${registry}/backends:latest-cpu-llama-cpp"
  mirrors:
    - localai/localai-backends:latest-cpu-llama-cpp
- !!merge <<: *llamacpp
  name: "cuda12-llama-cpp"
  uri: "oci://${registry}/backends:latest-cuda12-llama-cpp"
- name: "whisper"
  uri: "${registry}/backends:whisper-v3"
  version: "v3.0.0"
`;
}

function writeIndex(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return pathToFileURL(file).href;
}

void test(
  'a concrete entry resolves to the digest its tag has now; a new push changes it',
  withLogs(servers, async () => {
    const reg = servers.registry.host;
    const first = await pushBackendImage(`${reg}/backends:latest-cpu-llama-cpp`, { build: 'a' });
    const index = writeIndex('concrete.yaml', indexYaml(reg));
    const target = await resolveTarget({ backend: 'cpu-llama-cpp', index }, deps);
    assert.equal(target?.source, 'gallery');
    assert.equal(target?.entry, 'cpu-llama-cpp');
    assert.equal(target?.digest, first);
    assert.equal(target?.uri, `${reg}/backends:latest-cpu-llama-cpp`);
    const second = await pushBackendImage(`${reg}/backends:latest-cpu-llama-cpp`, { build: 'b' });
    assert.equal((await resolveTarget({ backend: 'cpu-llama-cpp', index }, deps))?.digest, second);
  }),
);

void test(
  'a meta entry resolves every concrete build it maps to; versions come from the index',
  withLogs(servers, async () => {
    const reg = servers.registry.host;
    const cpu = await pushBackendImage(`${reg}/backends:latest-cpu-llama-cpp`, { build: 'cpu' });
    const cuda = await pushBackendImage(`${reg}/backends:latest-cuda12-llama-cpp`, { build: 'cuda' });
    await pushBackendImage(`${reg}/backends:whisper-v3`, { build: 'w' });
    const index = writeIndex('meta.yaml', indexYaml(reg));
    const meta = await resolveTarget({ backend: 'llama-cpp', index }, deps);
    assert.deepEqual(Object.keys(meta?.concretes ?? {}).sort(), ['cpu-llama-cpp', 'cuda12-llama-cpp']);
    assert.equal(meta?.concretes?.['cpu-llama-cpp']?.digest, cpu);
    assert.equal(meta?.concretes?.['cuda12-llama-cpp']?.digest, cuda);
    const whisper = await resolveTarget(
      { backend: 'whisper', galleries: JSON.stringify([{ name: 'g', url: index }]) },
      deps,
    );
    assert.equal(whisper?.version, 'v3.0.0');
  }),
);

void test(
  'an index over http:// is read too',
  withLogs(servers, async () => {
    const reg = servers.registry.host;
    const digest = await pushBackendImage(`${reg}/backends:whisper-v3`, { build: 'http' });
    const server = http.createServer((_req, res) => res.end(indexYaml(reg)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.yaml`;
      assert.equal((await resolveTarget({ backend: 'whisper', index: url }, deps))?.digest, digest);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }),
);

void test('bad input: missing entry, malformed index, unreadable index, unreachable registry, missing tag', async () => {
  await servers.ready;
  const reg = servers.registry.host;
  const index = writeIndex('bad.yaml', indexYaml(reg));
  await assert.rejects(
    resolveTarget({ backend: 'vllm', index }, deps),
    (err: unknown) =>
      err instanceof GalleryIndexError && err.message.includes('no entry "vllm"') && err.message.includes(index),
  );
  const broken = writeIndex('broken.yaml', '- name: x\n  uri: [\n- y\n');
  await assert.rejects(
    resolveTarget({ backend: 'x', index: broken }, deps),
    (err: unknown) => err instanceof GalleryIndexError && /line 3/.test(err.message) && err.message.includes(broken),
  );
  assert.throws(
    () => parseGalleryIndex('- uri: quay.io/a/b:c\n', 'idx'),
    (err: unknown) => err instanceof GalleryIndexError && /entry 1 \(line 1\): name/.test(err.message),
  );
  await assert.rejects(
    resolveTarget({ backend: 'x', index: pathToFileURL(path.join(dir, 'absent.yaml')).href }, deps),
    (err: unknown) => err instanceof GalleryIndexError && err.message.includes('ENOENT'),
  );
  const port = await freePort();
  const gone = writeIndex('gone.yaml', `- name: b\n  uri: 127.0.0.1:${port}/backends:b\n`);
  await assert.rejects(
    resolveTarget({ backend: 'b', index: gone }, deps),
    (err: unknown) =>
      err instanceof OciError && err.kind === OciFailure.Unreachable && err.message.includes(`127.0.0.1:${port}`),
  );
  const noTag = writeIndex('notag.yaml', `- name: b\n  uri: ${reg}/backends:never-pushed\n`);
  await assert.rejects(
    resolveTarget({ backend: 'b', index: noTag }, deps),
    (err: unknown) =>
      err instanceof OciError && err.kind === OciFailure.NotFound && err.message.includes('never-pushed'),
  );
});

void test(
  'explicit targets: --uri resolves its digest; no index and no flags means no target',
  withLogs(servers, async () => {
    const reg = servers.registry.host;
    const digest = await pushBackendImage(`${reg}/custom/llama:v7`, { build: 'c' });
    const target = await resolveTarget({ backend: 'my-llama', uri: `oci://${reg}/custom/llama:v7` }, deps);
    assert.deepEqual(
      { ...target, resolvedAt: undefined },
      {
        source: 'explicit',
        uri: `oci://${reg}/custom/llama:v7`,
        digest,
        resolvedAt: undefined,
      },
    );
    assert.equal(await resolveTarget({ backend: 'llama-cpp' }, deps), undefined);
    assert.equal((await resolveTarget({ backend: 'llama-cpp', targetVersion: 'v2' }, deps))?.version, 'v2');
  }),
);
