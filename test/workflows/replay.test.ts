import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/local/tools.js';
import { workflowBundle, workflowSinks } from '../../src/worker.js';

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
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), sinks: workflowSinks() }, history, file);
  });
}
