import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { workflowBundle, workflowSinks } from '../../src/worker.js';
import { HISTORIES_DIR, readManifest, sha256Of } from '../support/histories.js';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

interface HistoryEvent {
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
}

void test('recorded histories exist', () => {
  assert.ok(
    files.length >= 2,
    `expected recorded histories in ${HISTORIES_DIR}; record them with RECORD_HISTORIES=1 node --test dist/test/workflows/rollout.test.js`,
  );
});

void test('recorded histories are only added, never modified (MANIFEST and .sha256 files)', () => {
  const manifest = readManifest();
  for (const file of files) {
    const recorded = manifest.get(file);
    assert.ok(
      recorded !== undefined,
      `${file} has no recorded sha256: add ${file}.sha256 (cd test/histories && sha256sum ${file} > ${file}.sha256)`,
    );
    assert.equal(
      sha256Of(path.join(HISTORIES_DIR, file)),
      recorded,
      `${file} was modified: recorded histories are a frozen record; record a new file instead (test/histories/README.md)`,
    );
  }
  for (const listed of manifest.keys())
    assert.ok(files.includes(listed), `a recorded sha256 names ${listed}, which is missing`);
});

for (const file of files) {
  void test(`the current workflow code replays ${file} deterministically`, async () => {
    const history: unknown = JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), sinks: workflowSinks() }, history, file);
  });
}

void test('a history whose commands differ from the code fails replay with a determinism error', async () => {
  const file = files[0];
  assert.ok(file !== undefined);
  const history = JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as { events: HistoryEvent[] };
  const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType !== undefined);
  const activityType = scheduled?.activityTaskScheduledEventAttributes?.activityType;
  assert.ok(activityType !== undefined, `${file} schedules no activity`);
  activityType.name = 'notAnActivityOfThisWorkflow';
  await assert.rejects(
    Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), sinks: workflowSinks() },
      history,
      `${file} (altered)`,
    ),
    (err: unknown) => err instanceof DeterminismViolationError,
  );
});

void test('a drained rollout is replayed through its drain, resume and reload activities', () => {
  const drained = files.filter((f) => f.startsWith('frontend-drain-'));
  assert.ok(
    drained.length >= 1,
    'record one with RECORD_HISTORIES=1 node --test dist/test/workflows/frontend-traffic.test.js',
  );
  for (const f of drained) {
    const text = readFileSync(path.join(HISTORIES_DIR, f), 'utf8');
    for (const activity of ['readServing', 'drainNode', 'resumeNode', 'waitModelLoaded'])
      assert.ok(text.includes(`"name": "${activity}"`), `${f} schedules ${activity}`);
  }
});

void test('histories recorded before the serving-safe lifecycle replay without its patch marker; newer ones carry it', () => {
  // The SDK records a patch as a `core_patch` marker (its id is base64 inside); histories recorded since carry one.
  const marker = '"markerName": "core_patch"';
  // The two recorded before the lifecycle existed; every history recorded since carries the marker.
  const older = files.filter((f) => /^(replica-budget|still-installing)-3307a51\.json$/.test(f));
  const newer = files.filter((f) => !older.includes(f));
  assert.ok(older.length >= 2 && newer.length >= 2, `older: ${older.join(', ')}; newer: ${newer.join(', ')}`);
  for (const f of older)
    assert.ok(!readFileSync(path.join(HISTORIES_DIR, f), 'utf8').includes(marker), `${f} predates the patch`);
  for (const f of newer)
    assert.ok(readFileSync(path.join(HISTORIES_DIR, f), 'utf8').includes(marker), `${f} has the patch marker`);
});

/** The patch ids a history's `core_patch` markers carry (each is base64 JSON `{"id":…}` in the marker's details). */
function patchIdsOf(file: string): Set<string> {
  const ids = new Set<string>();
  for (const match of readFileSync(path.join(HISTORIES_DIR, file), 'utf8').matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)) {
    const text = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
    const id = /^\{"id":"([^"]+)"/.exec(text)?.[1];
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

/** Histories recorded before the pre-upgrade replica set and the unknown-replica rule. */
const BEFORE_REPLICA_PATCHES = [
  'replica-budget-3307a51.json',
  'still-installing-3307a51.json',
  'serving-safe-replica-budget.json',
  'serving-safe-still-installing.json',
  'unreachable-grace-0776a6b.json',
  'late-upgrade-reply-42e8e0c.json',
];

void test('histories recorded with the pre-upgrade replica set and the unknown-replica rule carry their patches; older ones do not', () => {
  const cases: [string, string[]][] = [
    ['pre-upgrade-replicas', files.filter((f) => /^(pre-upgrade-replicas|unknown-replicas-alone)-/.test(f))],
    ['unknown-replicas-alone', files.filter((f) => f.startsWith('unknown-replicas-alone-'))],
  ];
  for (const [patch, carrying] of cases) {
    assert.ok(carrying.length >= 1, `histories recorded with ${patch}`);
    for (const f of carrying) assert.ok(patchIdsOf(f).has(patch), `${f} carries ${patch}`);
    for (const f of BEFORE_REPLICA_PATCHES) assert.ok(!patchIdsOf(f).has(patch), `${f} predates ${patch}`);
  }
});

void test('the promote --full history carries its own patch, and no older history does', () => {
  const carrying = files.filter((f) => patchIdsOf(f).has('promote-full'));
  assert.ok(carrying.length >= 1 && carrying.every((f) => f.startsWith('promote-full-')), carrying.join(', '));
});
