import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeState } from '../../src/domain/node-state.js';
import {
  FINAL_PHASES,
  isActiveNode,
  isEnded,
  isMoving,
  isSettled,
  isSucceeded,
  RolloutPhase,
} from '../../src/domain/rollout-phase.js';

const phases: { phase: RolloutPhase; ended: boolean; settled: boolean; succeeded: boolean; moving: boolean }[] = [
  { phase: RolloutPhase.Discovering, ended: false, settled: false, succeeded: false, moving: true },
  { phase: RolloutPhase.Running, ended: false, settled: false, succeeded: false, moving: true },
  { phase: RolloutPhase.Paused, ended: false, settled: false, succeeded: false, moving: false },
  { phase: RolloutPhase.Halted, ended: false, settled: true, succeeded: false, moving: false },
  { phase: RolloutPhase.Reverting, ended: false, settled: false, succeeded: false, moving: false },
  { phase: RolloutPhase.Succeeded, ended: true, settled: true, succeeded: true, moving: false },
  { phase: RolloutPhase.Failed, ended: true, settled: true, succeeded: false, moving: false },
  { phase: RolloutPhase.Aborted, ended: true, settled: true, succeeded: false, moving: false },
];

void test('every rollout phase is in the table once', () => {
  assert.deepEqual(phases.map((p) => p.phase).sort(), Object.values(RolloutPhase).sort());
  assert.deepEqual(
    phases.filter((p) => p.ended).map((p) => p.phase),
    [...FINAL_PHASES],
  );
});

for (const p of phases) {
  void test(`phase ${p.phase}: ended ${p.ended}, settled ${p.settled}, succeeded ${p.succeeded}, moving ${p.moving}`, () => {
    assert.equal(isEnded(p.phase), p.ended);
    assert.equal(isSettled(p.phase), p.settled);
    assert.equal(isSucceeded(p.phase), p.succeeded);
    assert.equal(isMoving(p.phase), p.moving);
  });
}

void test('active nodes are all but the pending, succeeded and skipped ones', () => {
  const inactive: string[] = [NodeState.Pending, NodeState.Succeeded, NodeState.Skipped];
  for (const state of Object.values(NodeState)) assert.equal(isActiveNode(state), !inactive.includes(state), state);
});
