/**
 * Hostile archives are refused as a whole by the real agent, with a clear error, the installed
 * version untouched and nothing written outside the backends directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { subjects } from '../../src/protocol/index.js';
import { withLogs } from '../support/servers.js';
import { useRealAgents } from './support/real-agents.js';
import { backendTarball, makeTar } from './support/tarball.js';
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
      ['fifo', [run, { path: 'pipe', type: 'fifo' }], /is a FIFO/],
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
