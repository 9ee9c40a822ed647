/** Rendering: bars, tables, the final node table, live frames and plain change lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeLines, liveFrame, outcomeExitCode } from '../../src/cli/live-view.js';
import {
  fitWidth,
  formatTable,
  nodeTable,
  outputStyle,
  progressBar,
  statusText,
  type OutputStyle,
} from '../../src/cli/render.js';
import type { NodeStatus, RolloutStatus } from '../../src/workflows/status.js';

const plain: OutputStyle = { live: false, color: false };
const tty: OutputStyle = { live: true, color: true, width: 60 };

const node = (id: string, extra: Partial<NodeStatus> = {}): NodeStatus => ({
  id,
  name: id,
  zone: '',
  wave: 0,
  replicas: 1,
  state: 'pending',
  attempts: 0,
  fallback: false,
  ...extra,
});
const status = (nodes: NodeStatus[], extra: Partial<RolloutStatus> = {}): RolloutStatus => ({
  backend: 'llama-cpp',
  phase: 'running',
  message: 'upgrading wave 1/1',
  counts: { total: nodes.length, pending: 0, inFlight: 0, succeeded: 0, failed: 0, skipped: 0, unknown: 0 },
  progressPct: 50,
  currentWave: 0,
  waves: 1,
  maxParallel: 1,
  replicasDown: 0,
  replicaBudget: 1,
  allowedFailures: 0,
  startedAt: 0,
  skippedAtDiscovery: [],
  continueAsNewCount: 0,
  nodes,
  ...extra,
});

void test('bars and colour only on a terminal without NO_COLOR', () => {
  assert.deepEqual(outputStyle({ isTTY: true, columns: 80 }, {}), { live: true, color: true, width: 80 });
  assert.deepEqual(outputStyle({ isTTY: true, columns: 0 }, { NO_COLOR: '1' }), {
    live: false,
    color: false,
    width: 100,
  });
  assert.equal(outputStyle({ isTTY: false }, {}).live, false);
  assert.equal(outputStyle({ isTTY: true }, { TERM: 'dumb' }).color, false);
});

void test('progress bars and width fitting', () => {
  assert.equal(progressBar(50, 10), '[█████░░░░░]  50%');
  assert.equal(progressBar(140, 4), '[████] 100%');
  assert.equal(fitWidth('\u001b[32mabcdef\u001b[0m', 10), '\u001b[32mabcdef\u001b[0m');
  assert.equal(fitWidth('\u001b[32mabcdef\u001b[0m', 4), 'abc…');
});

void test('tables align on visible width', () => {
  assert.deepEqual(
    formatTable(
      ['A', 'BB'],
      [
        ['\u001b[31mxxx\u001b[0m', 'y'],
        ['z', ''],
      ],
    ),
    ['A    BB', '\u001b[31mxxx\u001b[0m  y', 'z'],
  );
});

void test('the final table shows state, attempts, fallback, duration and error of every node', () => {
  const lines = nodeTable(plain, [
    node('gpu-1', { state: 'succeeded', attempts: 1, fallback: true, startedAt: 0, finishedAt: 2_500 }),
    node('gpu-2', {
      state: 'failed',
      attempts: 2,
      lastError: 'rejected:\n disk full',
      startedAt: 0,
      finishedAt: 90_000,
    }),
  ]);
  assert.deepEqual(lines, [
    'NODE   STATE      ATTEMPTS  FALLBACK  DURATION  ERROR',
    'gpu-1  succeeded  1         legacy    2.5s',
    'gpu-2  failed     2         -         1m30s     rejected: disk full',
  ]);
});

void test('live frames: headline, overall bar, one line per node in flight, cut to the width', () => {
  const frame = liveFrame(
    tty,
    status([node('gpu-1', { state: 'upgrading', pct: 40, phase: 'downloading' }), node('gpu-2')]),
  );
  assert.equal(frame.length, 3);
  assert.match(frame[1] ?? '', /^\[█+░+\] {2}50%/);
  assert.match(frame[2] ?? '', /^ {2}\[█+░+\] {2}40% {2}gpu-1: upgrading 40% \(downloading\)$/);
  assert.ok(frame.every((line) => line.replace(/\u001b\[[0-9;]*m/g, '').length <= 59));
});

void test('plain change lines report only what changed', () => {
  const before = status([node('gpu-1', { state: 'upgrading', pct: 10 }), node('gpu-2')]);
  const after = status(
    [
      node('gpu-1', { state: 'succeeded', startedAt: 0, finishedAt: 1_200 }),
      node('gpu-2', { state: 'upgrading', pct: 15 }),
    ],
    {
      counts: { total: 2, pending: 0, inFlight: 1, succeeded: 1, failed: 0, skipped: 0, unknown: 0 },
    },
  );
  assert.deepEqual(changeLines(before, after), [
    'gpu-1: succeeded in 1.2s',
    'gpu-2: upgrading 15%',
    'progress: 1/2 done · 1 succeeded · 1 in flight · 0 failed · 0 skipped · 0 pending · wave 1/1',
  ]);
  assert.deepEqual(changeLines(after, after), []);
  assert.deepEqual(changeLines(undefined, status([node('gpu-1')])), [
    'llama-cpp: running: upgrading wave 1/1',
    'progress: 0/1 done · 0 succeeded · 0 in flight · 0 failed · 0 skipped · 0 pending · wave 1/1',
  ]);
});

void test('status text and outcome exit codes', () => {
  const lines = statusText(
    plain,
    status([node('gpu-1')], {
      waiting: 'paused',
      phase: 'paused',
      requestedBy: 'ops',
      skippedAtDiscovery: [{ id: 'gpu-9', reason: 'excluded' }],
    }),
    { workflowId: 'rollout:llama-cpp', runId: 'r1', webUrl: 'http://ui' },
  );
  assert.equal(lines[0], 'llama-cpp: paused (waiting: paused): upgrading wave 1/1');
  assert.ok(lines.includes('workflow rollout:llama-cpp run r1 · http://ui'));
  assert.ok(lines.includes('  gpu-9: excluded'));
  assert.equal(outcomeExitCode(status([], { phase: 'succeeded' })), 0);
  for (const phase of ['failed', 'halted', 'aborted'] as const) assert.equal(outcomeExitCode(status([], { phase })), 1);
});
