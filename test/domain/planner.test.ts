import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunk, planWaves, WaveKind, type CountOrPercent, type WaveOptions } from '../../src/domain/index.js';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i}`);
const count = (value: number): CountOrPercent => ({ kind: 'count', value });
const percent = (value: number): CountOrPercent => ({ kind: 'percent', value });

const cases: { name: string; total: number; opts: WaveOptions; sizes: number[]; canary?: boolean }[] = [
  { name: 'no options: one wave', total: 5, opts: {}, sizes: [5] },
  { name: 'no targets: no waves', total: 0, opts: { canaryNodes: 2, batches: [count(1)] }, sizes: [] },
  { name: 'canary then the rest', total: 5, opts: { canaryNodes: 1 }, sizes: [1, 4], canary: true },
  { name: 'canary capped at the total', total: 3, opts: { canaryNodes: 10 }, sizes: [3], canary: true },
  { name: 'canary of 0 is no canary', total: 3, opts: { canaryNodes: 0 }, sizes: [3] },
  { name: 'the last batch size repeats', total: 7, opts: { batches: [count(1), count(2)] }, sizes: [1, 2, 2, 2] },
  {
    name: 'ramp of percentages of 30',
    total: 30,
    opts: { batches: [count(1), percent(10), percent(50)] },
    sizes: [1, 3, 15, 11],
  },
  { name: 'percentages round up', total: 7, opts: { batches: [percent(10)] }, sizes: [1, 1, 1, 1, 1, 1, 1] },
  { name: 'percent rounds up: 25% of 10 is 3', total: 10, opts: { batches: [percent(25)] }, sizes: [3, 3, 3, 1] },
  { name: 'batch of 0 counts as 1', total: 3, opts: { batches: [count(0), percent(0)] }, sizes: [1, 1, 1] },
  {
    name: 'batches resolved against the total, canary included',
    total: 10,
    opts: { canaryNodes: 2, batches: [percent(50)] },
    sizes: [2, 5, 3],
    canary: true,
  },
  {
    name: 'batch larger than what remains',
    total: 4,
    opts: { canaryNodes: 1, batches: [count(10)] },
    sizes: [1, 3],
    canary: true,
  },
  { name: '100% is one wave', total: 4, opts: { batches: [percent(100)] }, sizes: [4] },
];

for (const c of cases) {
  void test(`planWaves: ${c.name}`, () => {
    const all = ids(c.total);
    const waves = planWaves(all, c.opts);
    assert.deepEqual(
      waves.map((w) => w.nodeIds.length),
      c.sizes,
    );
    assert.deepEqual(
      waves.map((w) => w.index),
      c.sizes.map((_, i) => i),
    );
    assert.deepEqual(
      waves.map((w) => w.kind),
      c.sizes.map((_, i) => (i === 0 && c.canary === true ? WaveKind.Canary : WaveKind.Batch)),
    );
    assert.deepEqual(
      waves.flatMap((w) => w.nodeIds),
      all,
      'every node planned once, in order',
    );
  });
}

const chunkCases: { name: string; items: number[]; size: number; expected: number[][] }[] = [
  {
    name: 'even split',
    items: [1, 2, 3, 4],
    size: 2,
    expected: [
      [1, 2],
      [3, 4],
    ],
  },
  { name: 'short last chunk', items: [1, 2, 3, 4, 5], size: 2, expected: [[1, 2], [3, 4], [5]] },
  { name: 'size larger than the items', items: [1, 2], size: 5, expected: [[1, 2]] },
  { name: 'size 1', items: [1, 2], size: 1, expected: [[1], [2]] },
  { name: 'no items', items: [], size: 3, expected: [] },
];

for (const c of chunkCases) {
  void test(`chunk: ${c.name}`, () => {
    assert.deepEqual(chunk(c.items, c.size), c.expected);
  });
}

for (const size of [0, -1, 1.5, Number.NaN]) {
  void test(`chunk: refuses size ${size}`, () => {
    assert.throws(() => chunk([1], size), RangeError);
  });
}
