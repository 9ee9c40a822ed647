/**
 * Hostile archives are refused as a whole by the real agent, with a clear error, the installed
 * version untouched and nothing written outside the backends directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { subjects } from '../../src/protocol/index.js';
import { withLogs } from '../support/servers.js';
import { backendTarball, makeTar } from './support/tarball.js';
import { galleries, useRealAgents } from './support/real-agents.js';
import { ask } from './support/wire.js';

const { servers, connection, setup } = useRealAgents();

void test(
  'hostile archives are refused whole and nothing is written outside the backends directory',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, dir, root } = await setup();
    const good = path.join(root, 'safe-v1.tar.gz');
    writeFileSync(
      good,
      backendTarball('v1', { extra: [{ path: 'lib/link', type: 'symlink', linkpath: '../VERSION' }] }),
    );
    assert.match(
      await ask(nc, subjects.upgrade(id), JSON.stringify({ backend: 'safe', uri: pathToFileURL(good).href }), 15_000),
      /^\{"success":true/,
    );
    const before = await ask(nc, subjects.list(id), '{}');
    const run = { path: 'run.sh', content: '#!/bin/sh\n', mode: 0o755 };
    const cases: [string, Parameters<typeof makeTar>[0], RegExp][] = [
      ['dotdot', [run, { path: '../../escape.txt', content: 'x' }], /path \\"..\/..\/escape.txt\\" contains \\"..\\"/],
      ['absolute', [run, { path: `${root}/escape.txt`, content: 'x' }], /absolute path/],
      [
        'symlink-abs',
        [run, { path: 'evil', type: 'symlink', linkpath: root }],
        /symlink \\"evil\\" points to absolute path/,
      ],
      [
        'symlink-up',
        [run, { path: 'lib/evil', type: 'symlink', linkpath: '../../..' }],
        /symlink \\"lib\/evil\\" points outside the archive/,
      ],
      [
        'through-link',
        [run, { path: 'up', type: 'symlink', linkpath: '.' }, { path: 'up/ok', type: 'symlink', linkpath: '../..' }],
        /points outside|through symlink/,
      ],
      [
        'write-through',
        [run, { path: 'dirlink', type: 'symlink', linkpath: 'sub' }, { path: 'dirlink/file', content: 'x' }],
        /would be written through symlink \\"dirlink\\"/,
      ],
      [
        'hardlink',
        [run, { path: 'hard', type: 'hardlink', linkpath: '../../etc/passwd' }],
        /hard link \\"hard\\" points outside/,
      ],
      [
        'hardlink-via-symlink',
        [run, { path: 'd', type: 'symlink', linkpath: '.' }, { path: 'h', type: 'hardlink', linkpath: 'd/run.sh' }],
        /hard link \\"h\\" must point to a file in the archive \(\\"d\/run.sh\\"\)/,
      ],
      [
        'hardlink-to-symlink',
        [run, { path: 'l', type: 'symlink', linkpath: 'run.sh' }, { path: 'h', type: 'hardlink', linkpath: 'l' }],
        /hard link \\"h\\" must point to a regular file in the archive/,
      ],
      ['fifo', [run, { path: 'pipe', type: 'fifo' }], /is a FIFO/],
      ['device', [run, { path: 'tty', type: 'chardev' }], /is a CharacterDevice/],
      ['garbage', [], /not a readable \.tar or \.tar\.gz archive/],
    ];
    for (const [name, entries, pattern] of cases) {
      const file = path.join(root, `${name}.tar.gz`);
      writeFileSync(
        file,
        name === 'garbage' ? Buffer.from('this is not a tarball at all') : makeTar(entries, { gzip: true }),
      );
      const reply = await ask(
        nc,
        subjects.upgrade(id),
        JSON.stringify({ backend: 'safe', uri: pathToFileURL(file).href }),
        15_000,
      );
      assert.match(reply, /^\{"success":false,"error":"upgrading backend from external URI: /, name);
      assert.match(reply, pattern, `${name}: ${reply}`);
    }
    assert.equal(await ask(nc, subjects.list(id), '{}'), before, 'the installed version is untouched');
    assert.equal(existsSync(path.join(root, 'escape.txt')), false);
    assert.equal(existsSync(path.join(path.dirname(root), 'escape.txt')), false);
    assert.deepEqual(
      readdirSync(root).sort(),
      [...readdirSync(root)].filter((f) => f === 'backends' || f.endsWith('.tar.gz')).sort(),
    );
    assert.deepEqual(readdirSync(dir).sort(), ['.fleet-rollout', 'safe']);
    assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'staging')), []);
  }),
);

void test(
  'symlink chains that look inside but resolve outside cannot write metadata, chmod or escape through a later entry',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, dir, root } = await setup();
    const good = path.join(root, 'chain-v1.tar.gz');
    writeFileSync(good, backendTarball('v1'));
    assert.match(
      await ask(nc, subjects.upgrade(id), JSON.stringify({ backend: 'chain', uri: pathToFileURL(good).href }), 15_000),
      /^\{"success":true/,
    );
    const before = await ask(nc, subjects.list(id), '{}');
    // Outside the backends directory: a file the agent must neither overwrite nor chmod.
    const victim = path.join(root, 'victim.sh');
    writeFileSync(victim, 'precious\n', { mode: 0o600 });
    chmodSync(victim, 0o600);
    const run = { path: 'run.sh', content: '#!/bin/sh\n', mode: 0o755 };
    // Staging is <backends>/.fleet-rollout/staging/<dir>: four ".." from it reach the test's root.
    // "a/b/c/l2" -> "../../.." names the staging root; each link below looks inside on its own.
    const hop = [
      { path: 'a/b/c', type: 'dir' as const },
      { path: 'a/b/c/l2', type: 'symlink' as const, linkpath: '../../..' },
    ];
    const outside = 'a/b/c/l2/../../../..';
    const cases: [string, Parameters<typeof makeTar>[0], string | undefined, RegExp][] = [
      [
        'metadata-through-chain',
        [run, ...hop, { path: 'metadata.json', type: 'symlink', linkpath: `${outside}/victim.sh` }],
        undefined,
        /symlink \\"metadata.json\\" points outside the archive through other symlinks/,
      ],
      [
        'new-file-through-chain',
        [run, ...hop, { path: 'metadata.json', type: 'symlink', linkpath: `${outside}/escape.json` }],
        undefined,
        /points outside the archive through other symlinks/,
      ],
      [
        'chmod-through-chain',
        [run, ...hop, { path: 'l1', type: 'symlink', linkpath: outside }],
        'l1/victim.sh',
        /points outside the archive through other symlinks/,
      ],
      [
        // The chain is harmless while "l2" is a directory, and turns outward when a later entry replaces it.
        'retargeted-later',
        [
          run,
          { path: 'a/b/c/l2', type: 'dir' },
          { path: 'metadata.json', type: 'symlink', linkpath: `${outside}/victim.sh` },
          { path: 'a/b/c/l2', type: 'symlink', linkpath: '../../..' },
        ],
        undefined,
        /symlink \\"metadata.json\\" resolves outside the backend directory/,
      ],
    ];
    for (const [name, entries, runPath, pattern] of cases) {
      const file = path.join(root, `${name}.tar.gz`);
      writeFileSync(file, makeTar(entries, { gzip: true }));
      const index = path.join(root, `${name}.json`);
      writeFileSync(
        index,
        JSON.stringify([{ name: 'chain', uri: pathToFileURL(file).href, version: 'v2', run: runPath ?? 'run.sh' }]),
      );
      const reply = await ask(
        nc,
        subjects.upgrade(id),
        JSON.stringify({ backend: 'chain', backend_galleries: galleries(pathToFileURL(index).href) }),
        15_000,
      );
      assert.match(
        reply,
        /^\{"success":false,"error":"upgrading backend from gallery: refusing archive: /,
        `${name}: ${reply}`,
      );
      assert.match(reply, pattern, `${name}: ${reply}`);
      assert.equal(readFileSync(victim, 'utf8'), 'precious\n', `${name}: the outside file is untouched`);
      assert.equal(statSync(victim).mode & 0o777, 0o600, `${name}: the outside file keeps its mode`);
      assert.equal(existsSync(path.join(root, 'escape.json')), false, `${name}: nothing is created outside`);
    }
    assert.equal(await ask(nc, subjects.list(id), '{}'), before, 'the installed version is untouched');
    assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'staging')), []);
  }),
);
