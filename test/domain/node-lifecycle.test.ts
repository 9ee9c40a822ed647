import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servingWork, type ServingFacts, type ServingWork } from '../../src/domain/node-lifecycle.js';
import { nextNodeState, type NodeState } from '../../src/domain/node-state.js';

const facts = (over: Partial<ServingFacts> = {}): ServingFacts => ({
  startCheck: true,
  stoppedKeys: ['m#0', 'm#1'],
  fallback: false,
  minHealthyTime: 10_000,
  ...over,
});

const cases: [string, NodeState, Partial<ServingFacts>, ServingWork | undefined][] = [
  ['starting runs the start check', 'starting', {}, { kind: 'start-check' }],
  [
    'starting passes when startCheck is off',
    'starting',
    { startCheck: false },
    { kind: 'pass', event: 'started', step: 'start check not run (startCheck false)' },
  ],
  ['restoring restores the stopped keys', 'restoring', {}, { kind: 'restore', keys: ['m#0', 'm#1'] }],
  [
    'restoring with nothing stopped passes',
    'restoring',
    { stoppedKeys: [] },
    { kind: 'pass', event: 'restored', step: 'no replicas to restore' },
  ],
  [
    'restoring without reported keys says so',
    'restoring',
    { stoppedKeys: undefined },
    {
      kind: 'pass',
      event: 'restored',
      step: 'replicas not restored: the worker did not say which processes the upgrade stopped',
    },
  ],
  [
    'restoring after the legacy fallback says why',
    'restoring',
    { stoppedKeys: undefined, fallback: true },
    {
      kind: 'pass',
      event: 'restored',
      step: 'replicas not restored: the legacy forced install does not say which processes it stopped',
    },
  ],
  [
    'restoring a drained node with nothing stopped goes on to its resume',
    'restoring',
    { stoppedKeys: [], drained: true },
    { kind: 'pass', event: 'resume', step: 'no replicas to restore' },
  ],
  [
    'resuming resumes and waits for the reloaded models, sorted and once each',
    'resuming',
    { drained: true, reloadedModels: ['b', 'a', 'b'] },
    { kind: 'resume', models: ['a', 'b'] },
  ],
  ['resuming without reloaded models only resumes', 'resuming', { drained: true }, { kind: 'resume', models: [] }],
  ['soaking soaks for minHealthyTime', 'soaking', {}, { kind: 'soak', ms: 10_000 }],
  ['soaking with 0 passes', 'soaking', { minHealthyTime: 0 }, { kind: 'pass', event: 'soaked', step: 'succeeded' }],
  ['verifying is not serving work', 'verifying', {}, undefined],
  ['succeeded is done', 'succeeded', {}, undefined],
];

for (const [name, state, over, expected] of cases) {
  void test(`servingWork: ${name}`, () => {
    assert.deepEqual(servingWork(state, facts(over)), expected);
  });
}

void test('servingWork: following its events from starting always ends succeeded in three steps', () => {
  for (const over of [{}, { startCheck: false }, { stoppedKeys: [] }, { minHealthyTime: 0 }]) {
    let state: NodeState = 'starting';
    const seen: NodeState[] = [];
    for (let work = servingWork(state, facts(over)); work !== undefined; work = servingWork(state, facts(over))) {
      const event =
        work.kind === 'pass'
          ? work.event
          : work.kind === 'start-check'
            ? 'started'
            : work.kind === 'restore'
              ? 'restored'
              : 'soaked';
      const next = nextNodeState(state, event);
      assert.ok(next.ok, `${state} --${event}`);
      state = next.state;
      seen.push(state);
    }
    assert.deepEqual(seen, ['restoring', 'soaking', 'succeeded']);
  }
});
