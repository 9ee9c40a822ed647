import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHeartbeat } from '../../src/domain/index.js';

void test('parseHeartbeat reads what upgradeNode and verifyNode send, fallback included', () => {
  assert.deepEqual(parseHeartbeat({ nodeId: 'gpu-1', at: 5, pct: 40, phase: 'downloading', fallback: true }), {
    nodeId: 'gpu-1',
    at: 5,
    pct: 40,
    phase: 'downloading',
    fallback: true,
  });
  assert.deepEqual(parseHeartbeat({ nodeId: 'gpu-1', at: 5 }), { nodeId: 'gpu-1', at: 5 });
});

void test('parseHeartbeat refuses details of another shape instead of guessing', () => {
  for (const details of [undefined, null, 'gpu-1', { discovered: 50 }, { nodeId: 'gpu-1' }, { nodeId: 1, at: 5 }]) {
    assert.equal(parseHeartbeat(details), undefined, JSON.stringify(details));
  }
});
