import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { OciClient, OciError, OciFailure, MediaType } from '../../src/oci/index.js';
import { freePort } from '../../src/local/free-port.js';
import { pushBackendImage } from '../support/oci-images.js';
import { useServers, withLogs } from '../support/servers.js';
import { startTokenProxy } from './token-proxy.js';

const servers = useServers({ registry: true });
const client = new OciClient({ timeoutMs: 5_000 });

function failsWith(kind: OciFailure, ...mentions: string[]) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof OciError, `expected an OciError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    for (const m of mentions) assert.ok(err.message.includes(m), `"${err.message}" should mention ${m}`);
    return true;
  };
}

void test(
  'resolveDigest follows the tag: a new push to the same tag changes the digest',
  withLogs(servers, async () => {
    const ref = `${servers.registry.host}/backends/llama:latest-cpu`;
    const first = await pushBackendImage(ref, { build: 'one' });
    assert.equal(await client.resolveDigest(`oci://${ref}`), first);
    const second = await pushBackendImage(ref, { build: 'two' });
    assert.notEqual(second, first);
    assert.equal(await client.resolveDigest(ref), second);
  }),
);

void test(
  'fetchManifest and fetchBlob give the pushed layer, byte for byte',
  withLogs(servers, async () => {
    const ref = `${servers.registry.host}/backends/whisper:v1`;
    const digest = await pushBackendImage(ref, { build: 'whisper' });
    const fetched = await client.fetchManifest(ref);
    assert.equal(fetched.digest, digest);
    assert.equal(fetched.mediaType, MediaType.OciManifest);
    assert.ok('layers' in fetched.manifest);
    assert.equal(fetched.manifest.layers.length, 1);
    const layer = fetched.manifest.layers[0];
    assert.ok(layer !== undefined);
    const blob = await client.fetchBlob(ref, layer.digest);
    assert.equal(blob.size, layer.size);
    const hash = createHash('sha256');
    for await (const chunk of blob.stream) hash.update(chunk as Buffer);
    assert.equal(`sha256:${hash.digest('hex')}`, layer.digest);
    const image = await client.fetchImageManifest(ref);
    assert.equal(image.digest, digest);
    assert.equal(image.manifest.layers[0]?.digest, layer.digest);
  }),
);

void test(
  'a tag that does not exist is NotFound, naming registry, repository and tag',
  withLogs(servers, async () => {
    await pushBackendImage(`${servers.registry.host}/backends/exists:v1`);
    await assert.rejects(
      client.resolveDigest(`${servers.registry.host}/backends/exists:v9`),
      failsWith(OciFailure.NotFound, servers.registry.host, 'backends/exists:v9'),
    );
  }),
);

void test('an unreachable registry is Unreachable, naming the registry', async () => {
  const port = await freePort();
  await assert.rejects(
    client.resolveDigest(`127.0.0.1:${port}/backends/x:v1`),
    failsWith(OciFailure.Unreachable, `127.0.0.1:${port}`, 'backends/x:v1'),
  );
});

void test(
  'the anonymous bearer-token challenge is answered, and the token is reused',
  withLogs(servers, async () => {
    const ref = `${servers.registry.host}/backends/private:v1`;
    const digest = await pushBackendImage(ref, { build: 'private' });
    const proxy = await startTokenProxy(servers.registry.host);
    try {
      const viaProxy = new OciClient({ timeoutMs: 5_000 });
      assert.equal(await viaProxy.resolveDigest(`${proxy.host}/backends/private:v1`), digest);
      const fetched = await viaProxy.fetchManifest(`${proxy.host}/backends/private:v1`);
      assert.equal(fetched.digest, digest);
      assert.equal(proxy.tokenRequests.length, 1);
      assert.equal(proxy.tokenRequests[0]?.get('service'), 'test-registry');
      assert.equal(proxy.tokenRequests[0]?.get('scope'), 'repository:backends/private:pull');
      await assert.rejects(
        viaProxy.resolveDigest(`${proxy.host}/backends/private:v2`),
        failsWith(OciFailure.NotFound, proxy.host, 'backends/private:v2'),
      );
    } finally {
      await proxy.close();
    }
  }),
);
