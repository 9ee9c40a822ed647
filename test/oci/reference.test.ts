import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidReferenceError,
  formatImageReference,
  looksLikeImageReference,
  parseImageReference,
  type ImageReference,
} from '../../src/oci/index.js';

const cases: { input: string; want: ImageReference }[] = [
  {
    input: 'quay.io/go-skynet/local-ai-backends:latest-cpu-llama-cpp',
    want: { registry: 'quay.io', repository: 'go-skynet/local-ai-backends', tag: 'latest-cpu-llama-cpp' },
  },
  {
    input: 'oci://quay.io/go-skynet/local-ai-backends:master-cpu-whisper',
    want: { registry: 'quay.io', repository: 'go-skynet/local-ai-backends', tag: 'master-cpu-whisper' },
  },
  { input: 'ubuntu', want: { registry: 'registry-1.docker.io', repository: 'library/ubuntu', tag: 'latest' } },
  {
    input: 'localai/localai-backends:latest-cpu-llama-cpp',
    want: { registry: 'registry-1.docker.io', repository: 'localai/localai-backends', tag: 'latest-cpu-llama-cpp' },
  },
  { input: 'docker.io/busybox:1', want: { registry: 'registry-1.docker.io', repository: 'library/busybox', tag: '1' } },
  { input: '127.0.0.1:5000/a/b:v2', want: { registry: '127.0.0.1:5000', repository: 'a/b', tag: 'v2' } },
  { input: 'localhost/x', want: { registry: 'localhost', repository: 'x', tag: 'latest' } },
  {
    input: `ghcr.io/o/r@sha256:${'a'.repeat(64)}`,
    want: { registry: 'ghcr.io', repository: 'o/r', digest: `sha256:${'a'.repeat(64)}` },
  },
  {
    input: `ghcr.io/o/r:v1@sha256:${'b'.repeat(64)}`,
    want: { registry: 'ghcr.io', repository: 'o/r', tag: 'v1', digest: `sha256:${'b'.repeat(64)}` },
  },
];

for (const { input, want } of cases) {
  void test(`parseImageReference: ${input}`, () => {
    assert.deepEqual(parseImageReference(input), want);
  });
}

const bad: { input: string; mentions: string }[] = [
  { input: '', mentions: 'empty' },
  { input: 'quay.io/Upper/case:v1', mentions: '"Upper"' },
  { input: 'quay.io/a/b:bad tag', mentions: 'tag "bad tag"' },
  { input: 'quay.io/a/b@nodigest', mentions: 'digest "nodigest"' },
  { input: 'https://example.com/backend.tar.gz', mentions: 'oci://' },
];

for (const { input, mentions } of bad) {
  void test(`parseImageReference refuses ${JSON.stringify(input)}, naming the problem`, () => {
    assert.throws(
      () => parseImageReference(input),
      (err: unknown) => err instanceof InvalidReferenceError && err.message.includes(mentions),
    );
  });
}

void test('looksLikeImageReference tells images from other LocalAI uris', () => {
  assert.equal(looksLikeImageReference('oci://x/y:z'), true);
  assert.equal(looksLikeImageReference('quay.io/a/b:c'), true);
  assert.equal(looksLikeImageReference('127.0.0.1:5000/a:b'), true);
  assert.equal(looksLikeImageReference('https://example.com/b.tar.gz'), false);
  assert.equal(looksLikeImageReference('file:///srv/b.tar'), false);
  assert.equal(looksLikeImageReference('ocifile:///srv/b.tar'), false);
  assert.equal(looksLikeImageReference('llama-cpp'), false);
});

void test('formatImageReference round-trips the parsed parts', () => {
  assert.equal(formatImageReference(parseImageReference('oci://quay.io/a/b:c')), 'quay.io/a/b:c');
  assert.equal(formatImageReference(parseImageReference('busybox')), 'registry-1.docker.io/library/busybox:latest');
});
