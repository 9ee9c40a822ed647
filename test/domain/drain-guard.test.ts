import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeDrain, mayDrain } from '../../src/domain/drain-guard.js';

const cases: {
  name: string;
  node: string;
  serving: Record<string, string[]>;
  eligible: string[];
  drained: string[];
  blocked: string[];
  coldLoad: string[];
}[] = [
  {
    name: 'another undrained replica serves every model',
    node: 'a',
    serving: { a: ['m'], b: ['m'] },
    eligible: ['a', 'b'],
    drained: [],
    blocked: [],
    coldLoad: [],
  },
  {
    name: 'the other replica is drained, another healthy node is up: cold load there',
    node: 'a',
    serving: { a: ['m'], b: ['m'], c: [] },
    eligible: ['a', 'b', 'c'],
    drained: ['b'],
    blocked: [],
    coldLoad: ['m'],
  },
  {
    name: 'the last undrained node: blocked',
    node: 'a',
    serving: { a: ['m', 'n'], b: ['m'] },
    eligible: ['a', 'b'],
    drained: ['b'],
    blocked: ['m', 'n'],
    coldLoad: [],
  },
  {
    name: 'a node that serves nothing may always drain',
    node: 'a',
    serving: { b: ['m'] },
    eligible: ['a', 'b'],
    drained: ['b'],
    blocked: [],
    coldLoad: [],
  },
  {
    name: 'a node not eligible (e.g. pending) does not count as a place to run',
    node: 'a',
    serving: { a: ['m'], p: ['m'] },
    eligible: ['a'],
    drained: [],
    blocked: ['m'],
    coldLoad: [],
  },
  {
    name: 'models are judged separately',
    node: 'a',
    serving: { a: ['m', 'n'], b: ['m'], c: ['x'] },
    eligible: ['a', 'b', 'c'],
    drained: [],
    blocked: [],
    coldLoad: ['n'],
  },
];

for (const c of cases) {
  void test(`judgeDrain: ${c.name}`, () => {
    const verdict = judgeDrain(c.node, c.serving, c.eligible, new Set(c.drained));
    assert.deepEqual(verdict, { blocked: c.blocked, coldLoad: c.coldLoad });
    assert.equal(mayDrain(verdict), c.blocked.length === 0);
  });
}
