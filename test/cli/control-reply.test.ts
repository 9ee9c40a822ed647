/** The confirmation lines of control commands, and how text from elsewhere reaches the terminal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlCalls } from '../../src/client/control-calls.js';
import { caughtMidUpgrade, controlReply } from '../../src/cli/control-reply.js';
import { escapeText } from '../../src/cli/terminal-text.js';
import type { NodeStatus, RolloutStatus } from '../../src/workflows/status.js';

function node(id: string, state: NodeStatus['state']): NodeStatus {
  return { id, name: id, zone: 'eu', wave: 1, replicas: 2, state, attempts: 1, fallback: false };
}

function status(nodes: NodeStatus[], extra: Partial<RolloutStatus> = {}): RolloutStatus {
  const count = (...states: string[]): number => nodes.filter((n) => states.includes(n.state)).length;
  return {
    backend: 'llama-cpp',
    phase: 'running',
    message: 'whatever the workflow said',
    counts: {
      total: nodes.length,
      pending: count('pending'),
      inFlight: count('upgrading', 'verifying', 'soaking'),
      succeeded: count('succeeded'),
      failed: count('failed'),
      skipped: count('skipped'),
      unknown: count('unknown'),
    },
    progressPct: 0,
    currentWave: 0,
    waves: 2,
    maxParallel: 3,
    replicasDown: 0,
    replicaBudget: 4,
    allowedFailures: 1,
    startedAt: 0,
    skippedAtDiscovery: [],
    continueAsNewCount: 0,
    nodes,
    ...extra,
  };
}

const fleet = [node('a', 'succeeded'), node('b', 'upgrading'), node('c', 'pending'), node('d', 'pending')];

void test('pause and resume say what happens now, once, with the reason', () => {
  const paused = controlReply(controlCalls.pause('llama-cpp', 'error rate up'), status(fleet, { phase: 'paused' }));
  assert.deepEqual(paused, [
    "paused llama-cpp (reason: error rate up): 1 node in flight finishes, 2 nodes pending wait for 'fleet-rollout resume llama-cpp'",
  ]);
  assert.deepEqual(controlReply(controlCalls.pause('llama-cpp'), status(fleet)), [
    "paused llama-cpp: 1 node in flight finishes, 2 nodes pending wait for 'fleet-rollout resume llama-cpp'",
  ]);
  assert.deepEqual(controlReply(controlCalls.resume('llama-cpp'), status(fleet)), [
    'resumed llama-cpp: 2 nodes pending, 1 node in flight',
  ]);
  assert.deepEqual(controlReply(controlCalls.resume('llama-cpp'), status(fleet, { waiting: 'canary-gate' })), [
    "resumed llama-cpp: the canary wave is done and waits for 'fleet-rollout promote llama-cpp'",
  ]);
  assert.deepEqual(controlReply(controlCalls.resume('llama-cpp', 'error rate flat'), status(fleet)), [
    'resumed llama-cpp (reason: error rate flat): 2 nodes pending, 1 node in flight',
  ]);
});

void test('abort names the nodes caught mid-upgrade and the command that checks them', () => {
  const nodes = [...fleet, node('e', 'verifying'), node('f', 'unknown')];
  assert.deepEqual(caughtMidUpgrade(status(nodes)), ['b', 'e', 'f']);
  assert.deepEqual(controlReply(controlCalls.abort('llama-cpp', 'bad build'), status(nodes, { phase: 'aborted' })), [
    'aborted llama-cpp (reason: bad build): 2 pending nodes will not start',
    'caught mid-upgrade (their upgrade is cancelled; the node may have applied it): b, e, f',
    'check what they have installed: fleet-rollout nodes llama-cpp --nodes b,e,f',
  ]);
  const quiet = controlReply(controlCalls.abort('llama-cpp'), status([node('a', 'pending')]));
  assert.deepEqual(quiet, ['aborted llama-cpp: 1 pending node will not start']);
});

void test('the other controls', () => {
  assert.deepEqual(controlReply(controlCalls.promote('llama-cpp'), status(fleet)), [
    'promoted llama-cpp: the canary gate is open, 2 nodes pending go on',
  ]);
  assert.deepEqual(controlReply(controlCalls.promote('llama-cpp', 'canary healthy 1h'), status(fleet)), [
    'promoted llama-cpp (reason: canary healthy 1h): the canary gate is open, 2 nodes pending go on',
  ]);
  assert.deepEqual(controlReply(controlCalls.promote('llama-cpp', 'hotfix', true), status(fleet)), [
    'promoted llama-cpp in full (reason: hotfix): no canary gate or wave barrier is left, 2 nodes pending go on',
  ]);
  assert.deepEqual(controlReply(controlCalls.setMaxParallel('llama-cpp', 3), status(fleet)), [
    'maxParallel of llama-cpp is now 3',
  ]);
  assert.deepEqual(controlReply(controlCalls.skipNode('llama-cpp', 'c'), status(fleet)), [
    'skipped node c of llama-cpp',
  ]);
  assert.deepEqual(controlReply(controlCalls.retryNode('llama-cpp', 'c'), status(fleet)), [
    'node c of llama-cpp will be tried again',
  ]);
});

void test('control characters and escape sequences are shown escaped, other text unchanged', () => {
  assert.equal(escapeText('plain text, ünïcode ✓'), 'plain text, ünïcode ✓');
  assert.equal(escapeText('line1\nline2\r\tx'), 'line1\\nline2\\r\\tx');
  assert.equal(escapeText('\u001b[31mred\u001b[0m'), '\\x1b[31mred\\x1b[0m');
  assert.equal(escapeText('\u001b]0;title\u0007'), '\\x1b]0;title\\x07');
  assert.equal(escapeText('csi\u009b2J del\u007f'), 'csi\\x9b2J del\\x7f');
  assert.equal(escapeText('bidi\u202eevil\u2028'), 'bidi\\u202eevil\\u2028');
  assert.deepEqual(controlReply(controlCalls.pause('llama-cpp', 'x\u001b[2Jy'), status([])), [
    "paused llama-cpp (reason: x\\x1b[2Jy): 0 nodes in flight finish, 0 nodes pending wait for 'fleet-rollout resume llama-cpp'",
  ]);
});
