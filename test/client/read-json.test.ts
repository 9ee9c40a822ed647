/** The documented JSON of `list`, `history` (and `history --run`) and `nodes`: every key present, strict schemas. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControlEvent } from '../../src/client/control-events.js';
import {
  HistoryJsonSchema,
  HistoryRunDetailJsonSchema,
  toHistoryRunDetailJson,
  toHistoryRunJson,
} from '../../src/client/history-json.js';
import { RolloutListJsonSchema, toRolloutListItemJson } from '../../src/client/list-json.js';
import { NodesJsonSchema, toNodeInstallJson } from '../../src/client/nodes-json.js';
import { toStatusJson } from '../../src/client/status-json.js';
import type { RolloutRun, RolloutSummary } from '../../src/client/visibility.js';

const started = new Date(Date.UTC(2026, 11, 3, 10, 0, 0));
const closed = new Date(Date.UTC(2026, 11, 3, 10, 5, 30));

const running: RolloutSummary = {
  backend: 'llama-cpp',
  workflowId: 'rollout:llama-cpp',
  runId: 'run-2',
  execution: 'RUNNING',
  phase: 'paused',
  progressPct: 40,
  startedAt: started,
};

const ended: RolloutRun = {
  ...running,
  runId: 'run-1',
  execution: 'COMPLETED',
  phase: 'succeeded',
  progressPct: 100,
  failedNodes: 0,
  closedAt: closed,
  requestedBy: 'ops@host',
  reason: 'CVE-2026-1',
  outcome: 'succeeded',
  counts: { total: 3, pending: 0, inFlight: 0, succeeded: 2, failed: 0, skipped: 1, unknown: 0 },
  installs: [{ from: 'v1.0.0', to: 'v1.0.1', nodes: 2 }],
};

const controls: ControlEvent[] = [
  { at: '2026-12-03T10:01:00.000Z', control: 'pause', by: 'ops@host', reason: 'look', argument: null, runId: 'run-1' },
  {
    at: '2026-12-03T10:02:00.000Z',
    control: 'promote',
    by: 'ops@host',
    reason: null,
    argument: '--full',
    runId: 'run-1',
  },
  { at: '2026-12-03T10:03:00.000Z', control: 'skipNode', by: null, reason: null, argument: 'gpu-3', runId: 'run-1' },
];

void test('list: every key present, unknown values null, times ISO 8601, execution lower case', () => {
  const doc = RolloutListJsonSchema.parse([running, ended].map(toRolloutListItemJson));
  assert.deepEqual(doc[0], {
    schemaVersion: 1,
    backend: 'llama-cpp',
    workflowId: 'rollout:llama-cpp',
    runId: 'run-2',
    execution: 'running',
    phase: 'paused',
    progressPct: 40,
    failedNodes: null,
    startedAt: '2026-12-03T10:00:00.000Z',
    closedAt: null,
    requestedBy: null,
    reason: null,
  });
  assert.equal(doc[1]?.closedAt, '2026-12-03T10:05:30.000Z');
  assert.equal(toRolloutListItemJson({ ...running, phase: 'not-a-phase' }).phase, null, 'an unknown phase is null');
  assert.equal(RolloutListJsonSchema.safeParse([{ ...doc[0], extra: 1 }]).success, false, 'unknown keys refused');
  assert.equal(RolloutListJsonSchema.safeParse([{ ...doc[0], phase: 'done' }]).success, false, 'unknown phase refused');
});

void test('history: runs with outcome, counts, installs, duration and their controls', () => {
  const doc = HistoryJsonSchema.parse([
    toHistoryRunJson({ ...running, outcome: 'running (paused)' }, []),
    toHistoryRunJson(ended, controls),
  ]);
  const [now, past] = doc;
  assert.deepEqual(
    [now?.outcome, now?.counts, now?.durationMs, now?.installs, now?.target, now?.controls],
    ['running (paused)', null, null, [], null, []],
  );
  assert.equal(past?.durationMs, 330_000);
  assert.deepEqual(past?.counts, {
    total: 3,
    pending: 0,
    inFlight: 0,
    succeeded: 2,
    failed: 0,
    skipped: 1,
    unknown: 0,
    upToDate: 0,
  });
  assert.deepEqual(
    past?.controls.map((c) => [c.control, c.by, c.reason, c.argument]),
    [
      ['pause', 'ops@host', 'look', null],
      ['promote', 'ops@host', null, '--full'],
      ['skipNode', null, null, 'gpu-3'],
    ],
  );
  assert.equal(toHistoryRunJson({ ...ended, target: 'v1.0.1 (gallery)' }, []).target, 'v1.0.1 (gallery)');
  assert.equal(HistoryJsonSchema.safeParse([{ ...past, extra: 1 }]).success, false, 'unknown keys refused');
  const badControl = { ...past, controls: [{ ...past?.controls[0], control: 'reboot' }] };
  assert.equal(HistoryJsonSchema.safeParse([badControl]).success, false, 'controls are the workflow update names');
});

void test('history --run: the status document plus its controls, strict', () => {
  const status = toStatusJson({
    workflowId: 'rollout:llama-cpp',
    runId: 'run-1',
    execution: 'COMPLETED',
    live: {},
    status: {
      backend: 'llama-cpp',
      phase: 'succeeded',
      message: 'every targeted node upgraded',
      counts: { total: 0, pending: 0, inFlight: 0, succeeded: 0, failed: 0, skipped: 0, unknown: 0 },
      progressPct: 100,
      currentWave: 0,
      waves: 0,
      maxParallel: 1,
      replicasDown: 0,
      replicaBudget: 0,
      allowedFailures: 0,
      startedAt: started.getTime(),
      skippedAtDiscovery: [],
      continueAsNewCount: 0,
      nodes: [],
    },
  });
  const doc = HistoryRunDetailJsonSchema.parse(toHistoryRunDetailJson(status, controls));
  assert.equal(doc.controls.length, 3);
  assert.equal(doc.phase, 'succeeded');
  assert.equal(HistoryRunDetailJsonSchema.safeParse({ ...doc, extra: 1 }).success, false, 'unknown keys refused');
});

void test('nodes: the install a node reports, or null with the problem', () => {
  const doc = NodesJsonSchema.parse([
    toNodeInstallJson('gpu-1', 'llama-cpp', { installed: { version: 'v1.0.1', installedAt: '2026-12-03T10:00:00Z' } }),
    toNodeInstallJson('gpu-2', 'llama-cpp', { installed: { digest: 'sha256:abc', uri: 'oci://r/x@sha256:abc' } }),
    toNodeInstallJson('gpu-3', 'llama-cpp', { problem: 'no responders on nodes.gpu-3.backend.list' }),
  ]);
  assert.deepEqual(doc[0]?.installed, {
    name: 'v1.0.1',
    version: 'v1.0.1',
    digest: null,
    installedAt: '2026-12-03T10:00:00Z',
    uri: null,
  });
  assert.equal(doc[1]?.installed?.name, 'sha256:abc');
  assert.deepEqual([doc[2]?.installed, doc[2]?.problem], [null, 'no responders on nodes.gpu-3.backend.list']);
  assert.equal(NodesJsonSchema.safeParse([{ ...doc[0], extra: 1 }]).success, false, 'unknown keys refused');
});
