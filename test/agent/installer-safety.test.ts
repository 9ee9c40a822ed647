/**
 * The installer's path-safety rules and limits as plain functions on temporary directories:
 * symlink resolution against the disk, no-follow writes and chmods, the final layout check,
 * OCI whiteouts, byte sizes, limit flags and credential redaction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { unpackTar } from '../../src/agent/real/installer/extract.js';
import { DEFAULT_INSTALL_LIMITS, formatBytes, parseByteSize } from '../../src/agent/node/installer/limits.js';
import {
  makeEntryPointExecutable,
  resolveInside,
  verifyTree,
  writeOwnFile,
} from '../../src/agent/node/installer/safe-fs.js';
import { SafeTree } from '../../src/agent/real/installer/safe-tree.js';
import { redactCredentials } from '../../src/agent/node/installer/uri-credentials.js';
import { tempDir } from './support/files.js';
import { makeTar } from './support/tarball.js';

/** A root with `inside/` (the tree) and `outside.txt` next to it. */
function sandbox(): { tree: string; outside: string } {
  const base = tempDir('safety');
  const tree = path.join(base, 'inside');
  mkdirSync(path.join(tree, 'a', 'b', 'c'), { recursive: true });
  const outside = path.join(base, 'outside.txt');
  writeFileSync(outside, 'outside\n', { mode: 0o600 });
  chmodSync(outside, 0o600);
  return { tree, outside };
}

void test('symlinks resolve against the disk, component by component', () => {
  const { tree } = sandbox();
  symlinkSync('../../..', path.join(tree, 'a', 'b', 'c', 'up'));
  symlinkSync('a/b', path.join(tree, 'ab'));
  symlinkSync('loop2', path.join(tree, 'loop1'));
  symlinkSync('loop1', path.join(tree, 'loop2'));
  const table: [string[], string, string[] | undefined][] = [
    [[], 'a/b/c', ['a', 'b', 'c']],
    [['a'], '../a/./b', ['a', 'b']],
    [[], 'a/b/c/up', []],
    [[], 'a/b/c/up/..', undefined],
    [[], 'a/b/c/up/../..', undefined],
    [[], 'ab/c/up/a', ['a']],
    [[], 'ab/../../x', ['x']],
    [[], 'ab/../../../x', undefined],
    [[], 'missing/../../x', undefined],
    [[], 'missing/x', ['missing', 'x']],
    [[], '/etc/passwd', undefined],
    [[], 'loop1', undefined],
  ];
  for (const [dir, target, expected] of table)
    assert.deepEqual(resolveInside(tree, dir, target), expected, `${dir.join('/')} -> ${target}`);
});

void test('writeOwnFile replaces a symlink instead of writing through it', () => {
  const { tree, outside } = sandbox();
  symlinkSync(path.relative(tree, outside), path.join(tree, 'metadata.json'));
  writeOwnFile(tree, 'metadata.json', '{"name":"x"}\n');
  assert.equal(readFileSync(outside, 'utf8'), 'outside\n');
  assert.ok(lstatSync(path.join(tree, 'metadata.json')).isFile());
  assert.equal(readFileSync(path.join(tree, 'metadata.json'), 'utf8'), '{"name":"x"}\n');
});

void test('the entry point is made executable only inside the tree', () => {
  const { tree, outside } = sandbox();
  symlinkSync('..', path.join(tree, 'parent'));
  assert.throws(
    () => makeEntryPointExecutable(tree, `parent/${path.basename(outside)}`),
    /not a valid backend: run file not found "parent\/outside.txt"/,
  );
  assert.equal(statSync(outside).mode & 0o777, 0o600, 'the outside file keeps its mode');
  writeFileSync(path.join(tree, 'a', 'run.sh'), '#!/bin/sh\n', { mode: 0o644 });
  symlinkSync('a/run.sh', path.join(tree, 'run.sh'));
  makeEntryPointExecutable(tree, 'run.sh');
  assert.equal(statSync(path.join(tree, 'a', 'run.sh')).mode & 0o777, 0o755);
  assert.throws(() => makeEntryPointExecutable(tree, 'a'), /run file not found "a"/);
  assert.throws(() => makeEntryPointExecutable(tree, '../inside/run.sh'), /run file not found/);
});

void test('the final layout check refuses outward symlinks and FIFOs anywhere in the tree', () => {
  const { tree } = sandbox();
  symlinkSync('..', path.join(tree, 'a', 'ok'));
  verifyTree(tree);
  symlinkSync('../../..', path.join(tree, 'a', 'b', 'c', 'up'));
  symlinkSync('b/c/up/..', path.join(tree, 'a', 'escape'));
  assert.throws(
    () => verifyTree(tree),
    /symlink "a\/escape" resolves outside the backend directory \("b\/c\/up\/.."\)/,
  );
  const fifoTree = sandbox().tree;
  execFileSync('mkfifo', [path.join(fifoTree, 'a', 'pipe')]);
  assert.throws(() => verifyTree(fifoTree), /refusing archive: "a\/pipe" is a FIFO/);
});

void test('image layers apply in order with whiteouts and opaque directories', async () => {
  const dir = path.join(tempDir('layers'), 'staging');
  const tree = SafeTree.open(dir, DEFAULT_INSTALL_LIMITS);
  const layer = (entries: Parameters<typeof makeTar>[0]): Readable => Readable.from([makeTar(entries, { gzip: true })]);
  tree.startLayer();
  await unpackTar(
    layer([
      { path: 'run.sh', content: 'v1' },
      { path: 'gone.txt', content: 'x' },
      { path: 'lib/old.so', content: 'old' },
      { path: 'lib/kept.so', content: 'kept' },
    ]),
    tree,
    { whiteouts: true },
  );
  tree.startLayer();
  await unpackTar(
    layer([
      { path: '.wh.gone.txt', content: '' },
      { path: 'lib/new.so', content: 'new' },
      { path: 'lib/.wh..wh..opq', content: '' },
      { path: 'run.sh', content: 'v2' },
    ]),
    tree,
    { whiteouts: true },
  );
  assert.deepEqual(readdirSync(tree.root).sort(), ['lib', 'run.sh']);
  assert.deepEqual(readdirSync(path.join(tree.root, 'lib')), ['new.so']);
  assert.equal(readFileSync(path.join(tree.root, 'run.sh'), 'utf8'), 'v2');
  assert.deepEqual([tree.entries, tree.bytes], [8, 15]);
  const plain = SafeTree.open(path.join(tempDir('plain'), 'staging'), DEFAULT_INSTALL_LIMITS);
  await unpackTar(layer([{ path: '.wh.kept', content: 'a file like any other' }]), plain);
  assert.deepEqual(readdirSync(plain.root), ['.wh.kept'], 'tarballs keep .wh. files');
});

void test('byte sizes and credential redaction', () => {
  assert.equal(parseByteSize('64GiB'), 64 * 1024 ** 3);
  assert.equal(parseByteSize('2GB'), 2e9);
  assert.equal(parseByteSize('1.5 MiB'), 1.5 * 1024 ** 2);
  assert.equal(parseByteSize('1024'), 1024);
  for (const bad of ['', '0', '-1', '12 parsecs', 'GiB']) assert.equal(parseByteSize(bad), undefined, bad);
  assert.equal(formatBytes(128 * 1024 ** 3), '128 GiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(
    redactCredentials('cannot fetch https://bob:pa55@h.example/x and oci://u:p@r/x:1; https://anon@h/x'),
    'cannot fetch https://bob:***@h.example/x and oci://u:***@r/x:1; https://anon@h/x',
  );
});
