/** Rendering: bars, tables, the final node table, live frames and plain change lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeLines, liveFrame, outcomeExitCode } from '../../src/cli/live-view.js';
import {
  countsLine,
  fitWidth,
  formatTable,
  headline,
  inFlightLine,
  nodeTable,
  outputStyle,
  progressBar,
  statusText,
  type OutputStyle,
} from '../../src/cli/render.js';
import { liveReplicasDown, outcomeLine, waitText } from '../../src/cli/status-text.js';
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

void test('the node table shows zone, wave, state, versions, attempts, fallback, duration and error', () => {
  const lines = nodeTable(
    plain,
    [
      node('gpu-1', {
        zone: 'eu-west',
        state: 'succeeded',
        attempts: 1,
        fallback: true,
        startedAt: 0,
        finishedAt: 2_500,
        before: { version: 'v1.4.2' },
        after: { version: 'v1.4.3' },
      }),
      node('gpu-2', {
        zone: 'us-east',
        wave: 1,
        state: 'failed',
        attempts: 2,
        lastError: 'rejected:\n disk full \u001b[2J',
        startedAt: 0,
        finishedAt: 90_000,
        before: { digest: 'sha256:0123456789abcdef0123' },
      }),
      node('gpu-3', { wave: 2, before: { uri: 'oci://quay.io/x:1' } }),
    ],
    'v1.4.3',
  );
  assert.deepEqual(lines, [
    'NODE   ZONE     WAVE  STATE      VERSION                      ATTEMPTS  FALLBACK  DURATION  ERROR',
    'gpu-1  eu-west  1     succeeded  v1.4.2 → v1.4.3              1         legacy    2.5s',
    'gpu-2  us-east  2     failed     sha256:0123456789ab          2         -         1m30s     rejected: disk full \\x1b[2J',
    'gpu-3  -        3     pending    oci://quay.io/x:1 → v1.4.3?  0         -         -',
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
  assert.ok(lines.includes("waiting for 'fleet-rollout resume llama-cpp' (paused; nodes in flight finish)"));
  assert.ok(lines.includes('workflow rollout:llama-cpp run r1 · http://ui'));
  assert.ok(lines.includes('  gpu-9: excluded'));
  assert.equal(outcomeExitCode(status([], { phase: 'succeeded' })), 0);
  for (const phase of ['failed', 'halted', 'aborted'] as const) assert.equal(outcomeExitCode(status([], { phase })), 1);
});

void test('status text lists the nodes held drained in the LocalAI frontend with how to resume each', () => {
  const lines = statusText(
    plain,
    status([node('gpu-1', { state: 'failed' })], {
      phase: 'halted',
      heldDrained: [
        { id: 'gpu-1', reason: 'its new build failed the start check', resume: 'fleet-rollout retry llama-cpp gpu-1' },
      ],
    }),
    { workflowId: 'rollout:llama-cpp', runId: 'r1' },
  );
  const at = lines.indexOf('Held drained in the LocalAI frontend:');
  assert.ok(at > 0, lines.join('\n'));
  assert.equal(lines[at + 1], '  gpu-1: its new build failed the start check');
  assert.equal(lines[at + 2], '    resume: fleet-rollout retry llama-cpp gpu-1');
  assert.ok(
    !statusText(plain, status([node('gpu-1')]), { workflowId: 'w', runId: 'r' }).some((l) => l.startsWith('Held')),
  );
});

void test('no ETA while the rollout waits for a person or a clock; it says what it waits for', () => {
  const counts = { total: 4, pending: 2, inFlight: 1, succeeded: 1, failed: 0, skipped: 0, unknown: 0 };
  const running = status([], { counts, etaMs: 60_000 });
  assert.match(countsLine(running), /· eta 1m$/);
  assert.equal(waitText(running), undefined);
  const cases: [Partial<RolloutStatus>, RegExp][] = [
    [{ phase: 'paused', waiting: 'paused' }, /^waiting for 'fleet-rollout resume llama-cpp'/],
    [{ waiting: 'canary-gate' }, /^waiting for the canary to be promoted: 'fleet-rollout promote llama-cpp'$/],
    [{ waiting: 'window-closed' }, /^waiting for the maintenance window to open; nodes are only started inside it$/],
    [
      { phase: 'halted', waiting: 'failure-budget', counts: { ...counts, failed: 1 } },
      /^halted: 1 failed nodes, 0 allowed/,
    ],
    [
      { phase: 'halted', waiting: 'progress-deadline', counts: { ...counts, failed: 1 } },
      /^halted: no node finished within the progress deadline; 'fleet-rollout resume llama-cpp' to go on/,
    ],
  ];
  for (const [extra, wait] of cases) {
    const s = status([], { counts, etaMs: 60_000, ...extra });
    assert.doesNotMatch(countsLine(s), /eta/, JSON.stringify(extra));
    assert.match(waitText(s) ?? '', wait);
  }
  const opens = Date.UTC(2026, 11, 5, 22);
  const closed = status([], { counts, waiting: 'window-closed', waitingUntil: opens });
  assert.equal(
    waitText(closed, opens - 3 * 3_600_000 - 12 * 60_000),
    'waiting for the maintenance window, closed until 2026-12-05T22:00:00.000Z (in 3h12m); nodes are only started inside it',
  );
  assert.match(waitText(closed, opens - 4 * 86_400_000 - 9 * 3_600_000 - 5_000) ?? '', /\(in 4d9h\)/);
  const gate = status([], { counts, waiting: 'canary-gate', waitingUntil: opens });
  assert.equal(
    waitText(gate, opens - 90_000),
    "waiting for the canary to promote itself until 2026-12-05T22:00:00.000Z (in 1m30s), or 'fleet-rollout promote llama-cpp' now",
  );
});

void test('after a retry cleared the failure, a halted rollout no longer speaks of failed nodes', () => {
  const counts = { total: 3, pending: 1, inFlight: 1, succeeded: 1, failed: 0, skipped: 0, unknown: 0 };
  const s = status([], {
    phase: 'halted',
    counts,
    allowedFailures: 0,
    message: 'halted: 1 failed nodes exceed maxFailures (0)',
  });
  assert.equal(waitText(s), "halted; 'fleet-rollout resume llama-cpp' to go on, or 'fleet-rollout abort llama-cpp'");
  assert.equal(headline(plain, s), 'llama-cpp: halted: 1 of 3 upgraded, 1 never started');
});

void test('the outcome line matches the counts', () => {
  const c = (extra: Partial<RolloutStatus['counts']>): RolloutStatus['counts'] => ({
    total: 4,
    pending: 0,
    inFlight: 0,
    succeeded: 4,
    failed: 0,
    skipped: 0,
    unknown: 0,
    ...extra,
  });
  const done = (phase: RolloutStatus['phase'], counts: RolloutStatus['counts']): string | undefined =>
    outcomeLine(status([], { phase, counts, message: 'every targeted node upgraded' }));
  assert.equal(done('succeeded', c({})), 'succeeded: every one of the 4 targeted nodes upgraded');
  assert.equal(done('succeeded', c({ succeeded: 3, skipped: 1 })), 'succeeded: 3 of 4 upgraded, 1 skipped');
  assert.equal(done('failed', c({ succeeded: 3, failed: 1 })), 'failed: 3 of 4 upgraded, 1 failed');
  assert.equal(
    done('aborted', c({ succeeded: 1, unknown: 1, pending: 2 })),
    'aborted: 1 of 4 upgraded, 1 unconfirmed, 2 never started',
  );
  assert.equal(done('running', c({})), undefined);
  const leftOut = status([], { phase: 'succeeded', counts: c({}), skippedAtDiscovery: [{ id: 'x', reason: 'r' }] });
  assert.equal(
    outcomeLine(leftOut),
    'succeeded: every one of the 4 targeted nodes upgraded; 1 node left out at discovery',
  );
});

void test('replicas down counts every node whose replicas are down; a soaking node serves again', () => {
  const nodes = [
    node('a', { state: 'upgrading', replicas: 2 }),
    node('b', { state: 'soaking', replicas: 3 }),
    node('c', { state: 'unknown', replicas: 1 }),
    node('d', { state: 'succeeded', replicas: 5 }),
    node('e', { replicas: 7 }),
  ];
  assert.equal(liveReplicasDown(status(nodes, { replicasDown: 9 })), 3);
  assert.equal(liveReplicasDown(status([], { replicasDown: 3 })), 3);
  const lines = statusText(plain, status(nodes, { replicaBudget: 8 }), { workflowId: 'w', runId: 'r' });
  assert.ok(lines.includes('maxParallel 1 · replicas down 3/8 · failures allowed 0'));
});

void test('text from nodes reaches the terminal escaped', () => {
  const evil = node('gpu-\u001b[31m1', {
    state: 'failed',
    zone: 'eu\u0007',
    lastError: 'boom\u001b]0;pwned\u0007\r\nnext',
    phase: 'x',
  });
  const text = [
    ...statusText(plain, status([evil], { message: 'm\u001b[2J', reason: 'r\u009b' }), { workflowId: 'w', runId: 'r' }),
    ...changeLines(undefined, status([evil])),
    inFlightLine(evil),
  ].join('\n');
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  assert.match(text, /gpu-\\x1b\[31m1/);
  assert.match(text, /boom\\x1b\]0;pwned\\x07 next/);
});

void test('waiting on a node of unknown replica count names it; otherwise the replicas down against the budget', () => {
  const nodes = [
    node('gpu-1', { state: 'upgrading', replicas: 0, replicasUnknown: true }),
    node('gpu-2', { replicas: 2 }),
  ];
  assert.equal(
    waitText(status(nodes, { waiting: 'unavailability-budget', replicaBudget: 2 })),
    'waiting for gpu-1 (replica count unknown: it may take every replica with it) to serve again before any other node starts',
  );
  const known = [node('gpu-1', { state: 'upgrading', replicas: 2 }), node('gpu-2', { replicas: 2 })];
  assert.equal(
    waitText(status(known, { waiting: 'unavailability-budget', replicaBudget: 2 })),
    'waiting for replicas to come back (2/2 down)',
  );
});
