import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDuration,
  formatCountOrPercent,
  parseCountOrPercent,
  parseDuration,
  resolveCountOrPercent,
  Rounding,
  type CountOrPercent,
} from '../../src/domain/index.js';

const durationCases: [string, number | undefined][] = [
  ['0', 0],
  ['1500', 1_500],
  ['500ms', 500],
  ['2s', 2_000],
  ['15m', 900_000],
  ['1h30m', 5_400_000],
  ['1.5h', 5_400_000],
  ['1d', 86_400_000],
  [' 15m ', 900_000],
  ['2m500ms', 120_500],
  ['', undefined],
  ['   ', undefined],
  ['5 minutes', undefined],
  ['-5s', undefined],
  ['1h30', undefined],
  ['ms', undefined],
  ['2S', undefined],
  ['1e3', undefined],
];

for (const [text, expected] of durationCases) {
  void test(`parseDuration(${JSON.stringify(text)}) is ${String(expected)}`, () => {
    assert.equal(parseDuration(text), expected);
  });
}

const formatCases: [number, string][] = [
  [0, '0ms'],
  [300, '300ms'],
  [2_500, '2.5s'],
  [60_000, '1m'],
  [3_600_000, '1h'],
  [3_900_000, '1h5m'],
  [3_725_000, '1h2m5s'],
  [Infinity, '∞'],
];

for (const [ms, expected] of formatCases) {
  void test(`formatDuration(${ms}) is ${expected}`, () => {
    assert.equal(formatDuration(ms), expected);
  });
}

const countCases: [string | number, CountOrPercent | undefined][] = [
  [3, { kind: 'count', value: 3 }],
  [0, { kind: 'count', value: 0 }],
  ['3', { kind: 'count', value: 3 }],
  [' 7 ', { kind: 'count', value: 7 }],
  ['25%', { kind: 'percent', value: 25 }],
  ['12.5%', { kind: 'percent', value: 12.5 }],
  ['0%', { kind: 'percent', value: 0 }],
  ['100%', { kind: 'percent', value: 100 }],
  ['100.5%', undefined],
  [-1, undefined],
  [1.5, undefined],
  ['-1', undefined],
  ['1.5', undefined],
  ['abc', undefined],
  ['', undefined],
  [Number.NaN, undefined],
];

for (const [input, expected] of countCases) {
  void test(`parseCountOrPercent(${JSON.stringify(input)})`, () => {
    assert.deepEqual(parseCountOrPercent(input), expected);
  });
}

const resolveCases: { quantity: CountOrPercent; total: number; rounding: Rounding; expected: number }[] = [
  { quantity: { kind: 'count', value: 4 }, total: 10, rounding: Rounding.Down, expected: 4 },
  { quantity: { kind: 'count', value: 40 }, total: 10, rounding: Rounding.Up, expected: 40 },
  { quantity: { kind: 'percent', value: 25 }, total: 10, rounding: Rounding.Down, expected: 2 },
  { quantity: { kind: 'percent', value: 25 }, total: 10, rounding: Rounding.Up, expected: 3 },
  { quantity: { kind: 'percent', value: 10 }, total: 30, rounding: Rounding.Up, expected: 3 },
  { quantity: { kind: 'percent', value: 10 }, total: 30, rounding: Rounding.Down, expected: 3 },
  { quantity: { kind: 'percent', value: 33.3 }, total: 1_000, rounding: Rounding.Down, expected: 333 },
  { quantity: { kind: 'percent', value: 0 }, total: 10, rounding: Rounding.Up, expected: 0 },
  { quantity: { kind: 'percent', value: 100 }, total: 7, rounding: Rounding.Down, expected: 7 },
  { quantity: { kind: 'percent', value: 50 }, total: 0, rounding: Rounding.Up, expected: 0 },
];

for (const c of resolveCases) {
  void test(`resolveCountOrPercent: ${JSON.stringify(c.quantity)} of ${c.total} rounded ${c.rounding} is ${c.expected}`, () => {
    assert.equal(resolveCountOrPercent(c.quantity, c.total, c.rounding), c.expected);
  });
}

void test('formatCountOrPercent writes what parseCountOrPercent reads', () => {
  for (const text of ['0', '3', '25%', '12.5%']) {
    const parsed = parseCountOrPercent(text);
    assert.ok(parsed !== undefined);
    assert.equal(formatCountOrPercent(parsed), text);
  }
});
