/**
 * The benchmark's pure parts: statistics, the ideal-makespan arithmetic, argument parsing,
 * progress matching and the Markdown rendering. The benchmark itself needs minutes and real
 * servers, so it is not run here (`npm run bench -- --quick` runs it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FULL_PLAN, parseBenchArgs, QUICK_PLAN } from '../../bench/config.js';
import { matchProgress } from '../../bench/progress-match.js';
import {
  atLeast,
  atMost,
  equals,
  formatDuration,
  formatMetric,
  labelOf,
  linkOverhead,
  renderMarkdown,
  renderTable,
  resultFileName,
  type BenchReport,
  type ScenarioResult,
} from '../../bench/report.js';
import {
  efficiency,
  idealMakespanMs,
  maxOverlap,
  meanOverlap,
  overheadRatio,
  percentile,
  summarize,
} from '../../bench/stats.js';

void test('percentile interpolates between the closest ranks', () => {
  const values = [15, 20, 35, 40, 50];
  assert.equal(percentile(values, 0), 15);
  assert.equal(percentile(values, 50), 35);
  assert.equal(percentile(values, 100), 50);
  assert.equal(percentile(values, 25), 20);
  assert.equal(percentile(values, 40), 29);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([], 50), undefined);
  assert.equal(percentile([3, 1, 2], 50), 2, 'the input need not be sorted');
  assert.throws(() => percentile([1], 101), RangeError);
});

void test('percentile of 1..100: p95 is 95.05, p50 is 50.5', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 50.5);
  assert.ok(Math.abs((percentile(values, 95) as number) - 95.05) < 1e-9);
});

void test('summarize reports count, extremes, mean and percentiles; nothing for no values', () => {
  assert.deepEqual(summarize([4, 1, 3, 2]), { count: 4, min: 1, p50: 2.5, p95: 3.9, p99: 4, max: 4, mean: 2.5 });
  assert.equal(summarize([]), undefined);
  const big = Array.from({ length: 200_000 }, (_, i) => i);
  assert.equal(summarize(big)?.max, 199_999, 'large samples do not overflow the call stack');
});

const idealCases = [
  { n: 1000, p: 50, t: 2000, ideal: 40_000 },
  { n: 1001, p: 50, t: 2000, ideal: 42_000 },
  { n: 100, p: 20, t: 500, ideal: 2_500 },
  { n: 10, p: 200, t: 1000, ideal: 1_000 },
  { n: 2000, p: 100, t: 0, ideal: 0 },
  { n: 0, p: 5, t: 1000, ideal: 0 },
];
for (const c of idealCases) {
  void test(`ideal makespan of ${c.n} nodes, ${c.p} at a time, ${c.t} ms each is ceil(N/P)×T = ${c.ideal} ms`, () => {
    assert.equal(idealMakespanMs(c.n, c.p, c.t), c.ideal);
  });
}

void test('idealMakespanMs refuses nonsense sizes', () => {
  assert.throws(() => idealMakespanMs(10, 0, 1000), RangeError);
  assert.throws(() => idealMakespanMs(1.5, 2, 1000), RangeError);
  assert.throws(() => idealMakespanMs(10, 2, -1), RangeError);
});

void test('efficiency is ideal / actual and overheadRatio is ours / baseline, to 4 decimals', () => {
  assert.equal(efficiency(40_000, 41_000), 0.9756);
  assert.equal(efficiency(40_000, 40_000), 1);
  assert.equal(overheadRatio(52_110, 40_730), 1.2794);
  assert.throws(() => efficiency(1, 0), RangeError);
  assert.throws(() => overheadRatio(1, 0), RangeError);
});

void test('maxOverlap and meanOverlap measure how many intervals are open at once', () => {
  const intervals = [
    { start: 0, end: 10 },
    { start: 0, end: 10 },
    { start: 10, end: 20 },
    { start: 5, end: 15 },
  ];
  assert.equal(maxOverlap(intervals), 3, 'an interval ending at t does not overlap one starting at t');
  assert.equal(meanOverlap(intervals), 2);
  assert.equal(meanOverlap([]), 0);
});

void test('target checks compare, render the target in the metric unit, and say null when unmeasured', () => {
  assert.deepEqual(atLeast('efficiency', 0.98, 0.97), {
    metric: 'efficiency',
    target: '≥ 0.97',
    value: 0.98,
    met: true,
  });
  assert.equal(atLeast('efficiency', 0.9, 0.97).met, false);
  assert.deepEqual(atMost('perNodeMs', 25, 20), { metric: 'perNodeMs', target: '≤ 20 ms', value: 25, met: false });
  assert.equal(atMost('wallMs', 100_000, 180_000).target, '≤ 3 min 00 s');
  assert.equal(atMost('workerPeakRssMiB', 400, 1024).target, '≤ 1,024 MiB');
  assert.equal(atMost('overheadRatio', null, 1.03).met, null);
  assert.deepEqual(equals('startsAfterPause', 0, 0), {
    metric: 'startsAfterPause',
    target: '= 0',
    value: 0,
    met: true,
  });
  assert.equal(equals('completed', false, true).met, false);
});

void test('metrics render with the unit their key names', () => {
  assert.equal(formatMetric('makespanMs', 52_110), '52.1 s');
  assert.equal(formatMetric('p95Ms', 1051.9), '1.05 s');
  assert.equal(formatMetric('pauseUpdateMs', 47), '47 ms');
  assert.equal(formatMetric('workerPeakRssMiB', 436), '436 MiB');
  assert.equal(formatMetric('efficiency', 0.76761), '0.7676');
  assert.equal(formatMetric('completed', true), 'yes');
  assert.equal(formatMetric('overheadRatio', null), 'n/a');
  assert.equal(formatDuration(-2776), '-2.78 s');
  assert.equal(formatDuration(185_000), '3 min 05 s');
  assert.equal(labelOf('historyEventsPerNode'), 'history events per node');
  assert.equal(labelOf('workerPeakRssMiB'), 'worker peak rss');
  assert.equal(labelOf('abortToActivitiesEndedMaxMs'), 'abort to activities ended max');
});

void test('renderTable escapes pipes and newlines inside cells', () => {
  const table = renderTable(['a', 'b'], [['x|y', 'line 1\nline 2']]);
  assert.equal(table, '| a | b |\n|---|---|\n| x\\|y | line 1 line 2 |');
});

function scenario(overrides: Partial<ScenarioResult> & Pick<ScenarioResult, 'id'>): ScenarioResult {
  return {
    title: `scenario ${overrides.id}`,
    status: 'ok',
    params: { nodes: 1000, maxParallel: 50, installMs: 2000 },
    startedAt: '2025-01-01T00:00:00.000Z',
    loadAverage: [0, 0, 0],
    wallMs: 1,
    metrics: {},
    targets: [],
    ...overrides,
  };
}

function report(scenarios: ScenarioResult[]): BenchReport {
  return {
    mode: 'quick',
    startedAt: '2025-01-01T00:00:00.000Z',
    machine: {
      platform: 'linux',
      arch: 'x64',
      osRelease: '6.1',
      cpuModel: 'Test CPU',
      cores: 2,
      totalMemoryBytes: 8 * 2 ** 30,
      totalMemoryGiB: 8,
      loadAverage: [0.5, 0.4, 0.3],
    },
    versions: {
      node: 'v20.0.0',
      temporalCli: 'temporal version 1.5.1',
      natsServer: 'nats-server: v2.15.2',
      packages: { '@temporalio/worker': '1.24.0', nats: '2.29.3' },
    },
    logDir: '/tmp/x',
    scenarios: Object.fromEntries(scenarios.map((s) => [s.id, s])),
  };
}

void test('linkOverhead puts ours / baseline at the top level of a and b and checks b against 1.03', () => {
  const r = report([
    scenario({ id: 'a', efficiency: 0.8, overheadRatio: null, metrics: { makespanMs: 50_000 } }),
    scenario({ id: 'b', efficiency: 0.98, overheadRatio: null, metrics: { baselineMakespanMs: 40_000 } }),
  ]);
  linkOverhead(r);
  assert.equal(r.scenarios.a?.overheadRatio, 1.25);
  assert.equal(r.scenarios.b?.overheadRatio, 1.25);
  assert.deepEqual(r.scenarios.b?.targets, [{ metric: 'overheadRatio', target: '≤ 1.03', value: 1.25, met: false }]);
});

void test('linkOverhead leaves the ratio null when the baseline failed', () => {
  const r = report([
    scenario({ id: 'a', metrics: { makespanMs: 50_000 } }),
    scenario({ id: 'b', status: 'error', error: 'boom' }),
  ]);
  linkOverhead(r);
  assert.equal(r.scenarios.a?.overheadRatio, null);
  assert.equal(r.scenarios.b?.overheadRatio, null);
});

void test('renderMarkdown names the machine and versions and renders one row per scenario', () => {
  const md = renderMarkdown(
    report([
      scenario({
        id: 'a',
        title: 'Efficiency',
        efficiency: 0.9756,
        metrics: { makespanMs: 41_000, efficiency: 0.9756 },
        targets: [atLeast('efficiency', 0.9756, 0.97)],
      }),
      scenario({ id: 'c', title: 'Per-node overhead', status: 'error', error: 'worker died | badly' }),
    ]),
  );
  assert.match(md, /^### fleet-rollout benchmark \(quick\)/);
  assert.match(md, /2 cores \(Test CPU\), 8 GiB, linux 6\.1, load average 0\.5 \/ 0\.4 \/ 0\.3 at the start/);
  assert.match(md, /Temporal CLI temporal version 1\.5\.1, nats-server nats-server: v2\.15\.2/);
  assert.ok(
    md.includes(
      '| a | Efficiency | nodes=1,000 maxParallel=50 installMs=2,000 | makespan 41.0 s, efficiency 0.9756 | efficiency ≥ 0.97: 0.9756 | yes |',
    ),
  );
  assert.ok(
    md.includes(
      '| c | Per-node overhead | nodes=1,000 maxParallel=50 installMs=2,000 | error: worker died \\| badly | — | — |',
    ),
  );
});

void test('result files are named by an ISO timestamp without colons', () => {
  assert.equal(resultFileName(new Date('2025-01-31T12:34:56.789Z')), '2025-01-31T12-34-56.789Z.json');
});

void test('bench arguments: --quick, --only in scenario order, --fresh-servers; unknown ones are refused', () => {
  assert.deepEqual(parseBenchArgs([]), {
    quick: false,
    only: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
    freshServers: false,
    help: false,
  });
  assert.deepEqual(parseBenchArgs(['--quick', '--only', 'f,a']).only, ['a', 'f']);
  assert.deepEqual(parseBenchArgs(['--only=B']).only, ['b']);
  assert.equal(parseBenchArgs(['--fresh-servers']).freshServers, true);
  assert.throws(() => parseBenchArgs(['--only', 'a,z']), /unknown scenario "z"/);
  assert.throws(() => parseBenchArgs(['--only']), /--only needs/);
  assert.throws(() => parseBenchArgs(['--fast']), /unknown argument "--fast"/);
});

void test('the full plan has the full sizes and the quick plan is smaller', () => {
  assert.deepEqual([FULL_PLAN.a.nodes, FULL_PLAN.a.maxParallel, FULL_PLAN.a.installMs], [1000, 50, 2000]);
  assert.deepEqual(FULL_PLAN.b, FULL_PLAN.a, 'the baseline runs the same N, P and T as scenario a');
  assert.deepEqual([FULL_PLAN.c.nodes, FULL_PLAN.c.maxParallel, FULL_PLAN.c.installMs], [2000, 100, 0]);
  assert.deepEqual([FULL_PLAN.d.nodes, FULL_PLAN.d.maxParallel, FULL_PLAN.d.installMs], [10_000, 200, 0]);
  assert.deepEqual(QUICK_PLAN.b, QUICK_PLAN.a);
  for (const id of ['a', 'c', 'd'] as const) assert.ok(QUICK_PLAN[id].nodes < FULL_PLAN[id].nodes);
});

void test('progress matching: an event is visible at the first poll showing it or a later one', () => {
  const published = [
    { nodeId: 'n1', phase: 'downloading', pct: 10, at: 1_000 },
    { nodeId: 'n1', phase: 'downloading', pct: 20, at: 1_250 },
    { nodeId: 'n1', phase: 'downloading', pct: 30, at: 1_500 },
    { nodeId: 'n1', phase: 'extracting', pct: 0, at: 1_750 },
    { nodeId: 'n1', phase: 'extracting', pct: 50, at: 2_000 },
  ];
  const shown = [
    { nodeId: 'n1', phase: 'downloading', pct: 10, at: 1_100 },
    { nodeId: 'n1', phase: 'downloading', pct: 10, at: 1_400 },
    // 20 was overwritten before the next heartbeat; 30 shows and covers it.
    { nodeId: 'n1', phase: 'downloading', pct: 30, at: 1_600 },
    { nodeId: 'n1', phase: 'extracting', pct: 0, at: 2_600 },
    // A value no event had (the workflow's own record after completion) is ignored.
    { nodeId: 'n1', phase: undefined, pct: 100, at: 2_700 },
  ];
  const matched = matchProgress(published, shown);
  assert.deepEqual(matched.latenciesMs, [100, 350, 100, 850]);
  assert.equal(matched.neverShown, 1, 'extracting 50% was never shown');
  assert.equal(matched.shownExactly, 3);
  assert.deepEqual(matched.refreshIntervalsMs, [500, 1_000]);
});

void test('progress matching keeps nodes apart and ignores polls of nodes without events', () => {
  const matched = matchProgress(
    [
      { nodeId: 'a', phase: 'resolving', pct: 0, at: 0 },
      { nodeId: 'b', phase: 'resolving', pct: 0, at: 500 },
    ],
    [
      { nodeId: 'a', phase: 'resolving', pct: 0, at: 600 },
      { nodeId: 'b', phase: 'resolving', pct: 0, at: 700 },
      { nodeId: 'c', phase: 'resolving', pct: 0, at: 800 },
    ],
  );
  assert.deepEqual(matched.latenciesMs, [600, 200]);
  assert.equal(matched.neverShown, 0);
});
