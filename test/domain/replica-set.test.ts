import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isBackendProcessKey,
  replicasToRestore,
  type ReplicaFacts,
  type ReplicaRestorePlan,
} from '../../src/domain/replica-set.js';

const cases: [string, ReplicaFacts, ReplicaRestorePlan][] = [
  [
    'the reply names the stopped keys, nothing else is gone',
    { stopped: ['m#0', 'm#1'], before: ['m#0', 'm#1', 'x#0'], runningNow: ['x#0'] },
    { keys: ['m#0', 'm#1'], fromBefore: 0 },
  ],
  [
    'the reply was lost: the pre-upgrade keys no longer running',
    { stopped: undefined, before: ['m#0', 'm#1', 'x#0'], runningNow: ['x#0'] },
    { keys: ['m#0', 'm#1'], fromBefore: 2 },
  ],
  [
    'a node that restarted: the re-send stopped nothing, yet the replicas are gone',
    { stopped: [], before: ['m#0', 'm#1'], runningNow: [] },
    { keys: ['m#0', 'm#1'], fromBefore: 2 },
  ],
  [
    'a reported key that was not running before is kept, after the pre-upgrade ones',
    { stopped: ['b#0', 'm#0'], before: ['m#0'], runningNow: [] },
    { keys: ['m#0', 'b#0'], fromBefore: 0 },
  ],
  [
    'nothing gone and nothing reported: nothing to restore',
    { stopped: undefined, before: ['x#0'], runningNow: ['x#0'] },
    { keys: [], fromBefore: 0 },
  ],
  [
    'no pre-upgrade set: only the reply can say',
    { stopped: ['m#0'], before: undefined, runningNow: [] },
    { keys: ['m#0'], fromBefore: 0 },
  ],
  [
    'no pre-upgrade set and no reply: unknown',
    { stopped: undefined, before: undefined, runningNow: [] },
    { keys: undefined, fromBefore: 0 },
  ],
  [
    'no models.running now: only the reply can say',
    { stopped: undefined, before: ['m#0'], runningNow: undefined },
    { keys: undefined, fromBefore: 0 },
  ],
  [
    'a key running again under the same name is not restored twice',
    { stopped: ['m#0'], before: ['m#0', 'm#1'], runningNow: ['m#0'] },
    { keys: ['m#1', 'm#0'], fromBefore: 1 },
  ],
];

for (const [name, facts, expected] of cases) {
  void test(`replicasToRestore: ${name}`, () => {
    assert.deepEqual(replicasToRestore(facts), expected);
  });
}

void test('isBackendProcessKey: only <backend>#<digits>', () => {
  assert.equal(isBackendProcessKey('llama', 'llama#0'), true);
  assert.equal(isBackendProcessKey('llama', 'llama#12'), true);
  assert.equal(isBackendProcessKey('llama', 'llama-model#0'), false);
  assert.equal(isBackendProcessKey('llama', 'llama#x'), false);
  assert.equal(isBackendProcessKey('llama', 'llama#'), false);
  assert.equal(isBackendProcessKey('llama', 'other#0'), false);
});
