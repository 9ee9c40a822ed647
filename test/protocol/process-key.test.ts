import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatProcessKey, parseProcessKey, type ProcessKey } from '../../src/protocol/index.js';

void describe('parseProcessKey', () => {
  const accepted: [key: string, expected: ProcessKey][] = [
    ['Qwen3-8B#0', { modelId: 'Qwen3-8B', replica: 0 }],
    ['Qwen3-8B#1', { modelId: 'Qwen3-8B', replica: 1 }],
    ['weird#name#3', { modelId: 'weird#name', replica: 3 }],
    ['##1', { modelId: '#', replica: 1 }],
    ['llama-cpp#0', { modelId: 'llama-cpp', replica: 0 }],
    ['m#007', { modelId: 'm', replica: 7 }],
    ['m#+3', { modelId: 'm', replica: 3 }],
    ['m#-0', { modelId: 'm', replica: 0 }],
    ['m#2147483648', { modelId: 'm', replica: 2147483648 }],
    ['m#9007199254740991', { modelId: 'm', replica: 9007199254740991 }],
    ['a b.c#12', { modelId: 'a b.c', replica: 12 }],
  ];
  for (const [key, expected] of accepted) {
    void test(`accepts ${JSON.stringify(key)}`, () => {
      const parsed = parseProcessKey(key);
      assert.deepEqual(parsed, expected);
      assert.ok(parsed !== null && !Object.is(parsed.replica, -0));
    });
  }

  const refused: [key: string, why: string][] = [
    ['no-hash', 'no separator'],
    ['', 'empty key'],
    ['#3', 'empty model'],
    ['m#', 'empty replica'],
    ['m#-1', 'negative replica'],
    ['m#1.5', 'fractional replica'],
    ['m#1e3', 'exponent'],
    ['m# 1', 'space'],
    ['m#1 ', 'trailing space'],
    ['m#0x1', 'hex'],
    ['m#1_000', 'underscore'],
    ['m#+', 'sign only'],
    ['m#\u0661', 'non-ASCII digit'],
    ['m#9007199254740992', 'beyond 2^53 - 1'],
    ['a#b#', 'last part empty'],
    ['model#one', 'word replica'],
  ];
  for (const [key, why] of refused) {
    void test(`refuses ${JSON.stringify(key)} (${why})`, () => {
      assert.equal(parseProcessKey(key), null);
    });
  }
});

void describe('formatProcessKey', () => {
  const cases: [modelId: string, replica: number, key: string][] = [
    ['Qwen3-8B', 0, 'Qwen3-8B#0'],
    ['Qwen3-8B', 1, 'Qwen3-8B#1'],
    ['weird#name', 3, 'weird#name#3'],
    ['m', -0, 'm#0'],
  ];
  for (const [modelId, replica, key] of cases) {
    void test(`${JSON.stringify(modelId)}, ${replica} → ${key}`, () => {
      assert.equal(formatProcessKey(modelId, replica), key);
      assert.deepEqual(parseProcessKey(key), { modelId, replica: replica + 0 });
    });
  }

  const invalid: [modelId: string, replica: number][] = [
    ['', 0],
    ['m', -1],
    ['m', 1.5],
    ['m', Number.NaN],
    ['m', Number.POSITIVE_INFINITY],
    ['m', 2 ** 53],
  ];
  for (const [modelId, replica] of invalid) {
    void test(`refuses ${JSON.stringify(modelId)}, ${replica}`, () => {
      assert.throws(() => formatProcessKey(modelId, replica), RangeError);
    });
  }
});
