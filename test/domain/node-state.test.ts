import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowedNodeEvents,
  isInFlight,
  isTerminal,
  NodeEvent,
  nextNodeState,
  NodeState,
} from '../../src/domain/index.js';

const legal: [NodeState, NodeEvent, NodeState][] = [
  ['pending', 'start', 'upgrading'],
  ['pending', 'drain', 'draining'],
  ['draining', 'drained', 'upgrading'],
  ['draining', 'fail', 'failed'],
  ['draining', 'abandoned', 'pending'],
  ['restoring', 'resume', 'resuming'],
  ['resuming', 'resumed', 'soaking'],
  ['resuming', 'fail', 'failed'],
  ['resuming', 'abandoned', 'succeeded'],
  ['upgrading', 'replied', 'verifying'],
  ['upgrading', 'timedOut', 'unknown'],
  ['unknown', 'verified', 'starting'],
  ['unknown', 'resend', 'upgrading'],
  ['verifying', 'verified', 'starting'],
  ['verifying', 'unverified', 'unknown'],
  ['starting', 'started', 'restoring'],
  ['restoring', 'restored', 'soaking'],
  ['soaking', 'soaked', 'succeeded'],
  ['starting', 'fail', 'failed'],
  ['restoring', 'fail', 'failed'],
  ['upgrading', 'abandoned', 'unknown'],
  ['verifying', 'abandoned', 'unknown'],
  ['starting', 'abandoned', 'unknown'],
  ['restoring', 'abandoned', 'unknown'],
  ['unknown', 'abandoned', 'unknown'],
  ['soaking', 'abandoned', 'succeeded'],
  ['pending', 'fail', 'failed'],
  ['upgrading', 'fail', 'failed'],
  ['verifying', 'fail', 'failed'],
  ['soaking', 'fail', 'failed'],
  ['unknown', 'fail', 'failed'],
  ['pending', 'skip', 'skipped'],
  ['failed', 'skip', 'skipped'],
  ['failed', 'retry', 'pending'],
  ['skipped', 'retry', 'pending'],
];

for (const [from, event, to] of legal) {
  void test(`nextNodeState: ${from} --${event}--> ${to}`, () => {
    assert.deepEqual(nextNodeState(from, event), { ok: true, state: to });
  });
}

void test('nextNodeState: every other pair is refused, naming the state and the event', () => {
  const allowed = new Set(legal.map(([from, event]) => `${from}/${event}`));
  let refused = 0;
  for (const state of Object.values(NodeState)) {
    for (const event of Object.values(NodeEvent)) {
      if (allowed.has(`${state}/${event}`)) continue;
      const result = nextNodeState(state, event);
      assert.equal(result.ok, false, `${state}/${event}`);
      if (!result.ok) {
        assert.match(result.message, new RegExp(`\\b${event}\\b`));
        assert.match(result.message, new RegExp(`\\b${state}$`));
      }
      refused++;
    }
  }
  assert.equal(refused, Object.values(NodeState).length * Object.values(NodeEvent).length - legal.length);
});

const messages: [NodeState, NodeEvent, string][] = [
  ['succeeded', 'retry', 'cannot retry a node that is succeeded'],
  ['upgrading', 'skip', 'cannot skip a node that is upgrading'],
  ['succeeded', 'fail', 'cannot fail a node that is succeeded'],
  ['pending', 'verified', 'cannot record verified for a node that is pending'],
  ['verifying', 'timedOut', 'cannot record timedOut for a node that is verifying'],
];

for (const [state, event, message] of messages) {
  void test(`nextNodeState: message for ${event} on ${state}`, () => {
    assert.deepEqual(nextNodeState(state, event), { ok: false, message });
  });
}

const classification: { state: NodeState; terminal: boolean; inFlight: boolean }[] = [
  { state: 'pending', terminal: false, inFlight: false },
  { state: 'draining', terminal: false, inFlight: true },
  { state: 'resuming', terminal: false, inFlight: true },
  { state: 'upgrading', terminal: false, inFlight: true },
  { state: 'verifying', terminal: false, inFlight: true },
  { state: 'starting', terminal: false, inFlight: true },
  { state: 'restoring', terminal: false, inFlight: true },
  { state: 'soaking', terminal: false, inFlight: true },
  { state: 'unknown', terminal: false, inFlight: true },
  { state: 'succeeded', terminal: true, inFlight: false },
  { state: 'failed', terminal: true, inFlight: false },
  { state: 'skipped', terminal: true, inFlight: false },
];

for (const c of classification) {
  void test(`isTerminal/isInFlight: ${c.state}`, () => {
    assert.equal(isTerminal(c.state), c.terminal);
    assert.equal(isInFlight(c.state), c.inFlight);
  });
}

const allowedCases: [NodeState, NodeEvent[]][] = [
  ['pending', ['start', 'drain', 'fail', 'skip']],
  ['draining', ['drained', 'abandoned', 'fail']],
  ['resuming', ['resumed', 'abandoned', 'fail']],
  ['unknown', ['resend', 'verified', 'abandoned', 'fail']],
  ['succeeded', []],
  ['failed', ['skip', 'retry']],
];

for (const [state, events] of allowedCases) {
  void test(`allowedNodeEvents: ${state}`, () => {
    assert.deepEqual(allowedNodeEvents(state), events);
  });
}
