import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowedFailures,
  canStartWithinBudget,
  failureBudgetExceeded,
  replicaBudget,
  type CountOrPercent,
} from '../../src/domain/index.js';

const count = (value: number): CountOrPercent => ({ kind: 'count', value });
const percent = (value: number): CountOrPercent => ({ kind: 'percent', value });

const replicaCases: { total: number; max: CountOrPercent; expected: number }[] = [
  { total: 10, max: percent(25), expected: 2 },
  { total: 3, max: percent(25), expected: 0 },
  { total: 4, max: percent(25), expected: 1 },
  { total: 30, max: percent(10), expected: 3 },
  { total: 0, max: percent(50), expected: 0 },
  { total: 10, max: percent(100), expected: 10 },
  { total: 10, max: count(3), expected: 3 },
  { total: 2, max: count(5), expected: 5 },
];

for (const c of replicaCases) {
  void test(`replicaBudget: ${JSON.stringify(c.max)} of ${c.total} replicas is ${c.expected}`, () => {
    assert.equal(replicaBudget(c.total, c.max), c.expected);
  });
}

const startCases: { name: string; replicasDown: number; nodeReplicas: number; budget: number; expected: boolean }[] = [
  { name: 'fits the budget', replicasDown: 1, nodeReplicas: 1, budget: 2, expected: true },
  { name: 'exactly fills the budget', replicasDown: 2, nodeReplicas: 2, budget: 4, expected: true },
  { name: 'would exceed the budget', replicasDown: 2, nodeReplicas: 3, budget: 4, expected: false },
  { name: 'too big alone but nothing is down', replicasDown: 0, nodeReplicas: 9, budget: 2, expected: true },
  { name: 'budget 0, nothing down', replicasDown: 0, nodeReplicas: 1, budget: 0, expected: true },
  { name: 'budget 0, something down', replicasDown: 1, nodeReplicas: 1, budget: 0, expected: false },
  { name: 'a node without replicas always fits', replicasDown: 2, nodeReplicas: 0, budget: 2, expected: true },
];

for (const c of startCases) {
  void test(`canStartWithinBudget: ${c.name}`, () => {
    const { replicasDown, nodeReplicas, budget } = c;
    assert.equal(canStartWithinBudget({ replicasDown, nodeReplicas, budget }), c.expected);
  });
}

const failureCases: { targets: number; max: CountOrPercent; allowed: number }[] = [
  { targets: 25, max: percent(10), allowed: 2 },
  { targets: 5, max: percent(10), allowed: 0 },
  { targets: 10, max: percent(10), allowed: 1 },
  { targets: 30, max: percent(10), allowed: 3 },
  { targets: 7, max: percent(50), allowed: 3 },
  { targets: 10, max: count(0), allowed: 0 },
  { targets: 10, max: count(4), allowed: 4 },
];

for (const c of failureCases) {
  void test(`allowedFailures: ${JSON.stringify(c.max)} of ${c.targets} targets is ${c.allowed}`, () => {
    assert.equal(allowedFailures(c.targets, c.max), c.allowed);
  });
}

const exceededCases: { failures: number; allowed: number; expected: boolean }[] = [
  { failures: 0, allowed: 0, expected: false },
  { failures: 1, allowed: 0, expected: true },
  { failures: 2, allowed: 2, expected: false },
  { failures: 3, allowed: 2, expected: true },
];

for (const c of exceededCases) {
  void test(`failureBudgetExceeded: ${c.failures} failures with ${c.allowed} allowed → ${c.expected}`, () => {
    assert.equal(failureBudgetExceeded(c.failures, c.allowed), c.expected);
  });
}
