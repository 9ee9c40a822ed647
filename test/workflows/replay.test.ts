import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/local/tools.js';
import { workflowBundle } from '../../src/worker.js';

const dir = path.join(PROJECT_ROOT, 'test', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

void test('recorded histories exist', () => {
  assert.ok(
    files.length >= 2,
    `expected recorded histories in ${dir}; record them with RECORD_HISTORIES=1 node --test dist/test/workflows/rollout.test.js`,
  );
});

for (const file of files) {
  void test(`the current workflow code replays ${file} deterministically`, async () => {
    const history: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file);
  });
}

void test('histories recorded before the serving-safe lifecycle replay without its patch marker; newer ones carry it', () => {
  // The SDK records a patch as a `core_patch` marker (its id is base64 inside); serving-safe is the only patch so far.
  const marker = '"markerName": "core_patch"';
  const older = files.filter((f) => !f.startsWith('serving-safe-'));
  const newer = files.filter((f) => f.startsWith('serving-safe-'));
  assert.ok(older.length >= 2 && newer.length >= 2, `older: ${older.join(', ')}; newer: ${newer.join(', ')}`);
  for (const f of older)
    assert.ok(!readFileSync(path.join(dir, f), 'utf8').includes(marker), `${f} predates the patch`);
  for (const f of newer)
    assert.ok(readFileSync(path.join(dir, f), 'utf8').includes(marker), `${f} has the patch marker`);
});
