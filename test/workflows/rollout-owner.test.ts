import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRolloutSpec } from '../../src/domain/spec.js';
import { Rollout, type RunningNode } from '../../src/workflows/rollout-owner.js';
import type { RolloutState } from '../../src/workflows/rollout-state.js';
import type { NodeStatus } from '../../src/workflows/status.js';

function node(id: string, wave: number, state: NodeStatus['state']): NodeStatus {
  return { id, name: id, zone: '', wave, replicas: 1, state, attempts: 0, fallback: false };
}

/** A rollout whose canary wave (one node) is done and whose batch (two nodes) is pending. */
function canaryDone(): Rollout {
  const parsed = parseRolloutSpec({ backend: 'llama-cpp', nodes: ['c', 'b1', 'b2'], canary: { nodes: 1 } });
  assert.ok(parsed.ok);
  const nodes = [node('c', 0, 'succeeded'), node('b1', 1, 'pending'), node('b2', 1, 'pending')];
  const state: RolloutState = {
    backend: 'llama-cpp',
    discovering: false,
    outcome: undefined,
    reverting: false,
    waiting: undefined,
    message: '',
    nodes,
    byId: new Map(nodes.map((n) => [n.id, n])),
    waves: [
      { kind: 'canary', ids: ['c'] },
      { kind: 'batch', ids: ['b1', 'b2'] },
    ],
    currentWave: 0,
    maxParallel: 2,
    replicaBudget: 3,
    allowedFailures: 0,
    acceptedFailures: 0,
    paused: undefined,
    halted: undefined,
    aborted: false,
    promoted: false,
    promotedFull: false,
    canaryGateOpen: false,
    gateReachedAt: undefined,
    startedAt: 0,
    finishedAt: undefined,
    lastProgressAt: Date.now(),
    skippedAtDiscovery: [],
    continueAsNewCount: 0,
    version: 0,
    visibility: { publishedAt: -Infinity, key: '' },
  };
  return new Rollout(state, parsed.spec);
}

/** Runs the loop's bookkeeping steps until it would wait or start a node. */
function settleLoop(rollout: Rollout): string {
  for (let i = 0; i < 10; i += 1) {
    const step = rollout.step(Date.now());
    if (step.kind === 'reach-gate') rollout.reachGate(Date.now());
    else if (step.kind === 'open-gate') rollout.openGate(Date.now());
    else if (step.kind === 'next-wave') rollout.nextWave();
    else
      return step.kind === 'start' ? `start ${step.nodeId}` : step.kind === 'wait' ? `wait ${step.reason}` : step.kind;
  }
  throw new Error('the loop did not settle');
}

void test('pause and resume at the canary gate: the gate stays visible and nothing starts before promote', () => {
  const rollout = canaryDone();
  assert.equal(settleLoop(rollout), 'wait canary-gate');
  assert.equal(rollout.status().waiting, 'canary-gate');
  rollout.pause('lunch');
  assert.equal(rollout.status().phase, 'paused');
  assert.equal(rollout.status().waiting, 'paused');
  assert.match(rollout.status().message, /paused: lunch/);
  rollout.resume(Date.now());
  const resumed = rollout.status();
  assert.equal(resumed.phase, 'running');
  assert.equal(resumed.waiting, 'canary-gate', 'a resume at the gate keeps the gate visible');
  assert.equal(settleLoop(rollout), 'wait canary-gate');
  rollout.promote(undefined, false);
  assert.equal(settleLoop(rollout), 'start b1');
});

void test('every operator control bumps the version the loop waits on', () => {
  const rollout = canaryDone();
  const versions: number[] = [rollout.state.version];
  const record = (): void => {
    versions.push(rollout.state.version);
  };
  rollout.pause(undefined);
  record();
  rollout.resume(Date.now());
  record();
  rollout.setMaxParallel(5);
  record();
  rollout.skip('b2');
  record();
  rollout.retry('b2');
  record();
  rollout.promote(undefined, false);
  record();
  rollout.abort('done');
  record();
  for (let i = 1; i < versions.length; i += 1) assert.ok((versions[i] ?? 0) > (versions[i - 1] ?? 0), `step ${i}`);
  assert.equal(rollout.status().message, 'aborted: done');
});

void test('skip and retry go through the node state machine and refuse what it refuses', () => {
  const rollout = canaryDone();
  assert.throws(() => rollout.retry('b1'), /cannot retry a node that is pending/);
  assert.throws(() => rollout.skip('c'), /cannot skip a node that is succeeded/);
  assert.throws(() => rollout.skip('nope'), /not part of this rollout/);
  rollout.skip('b1');
  assert.equal(rollout.state.byId.get('b1')?.state, 'skipped');
  rollout.retry('b1');
  assert.equal(rollout.state.byId.get('b1')?.state, 'pending');
});

/** {@link canaryDone} with a third wave (`d1`) and room for three nodes at once. */
function threeWaves(): Rollout {
  const rollout = canaryDone();
  const d1 = node('d1', 2, 'pending');
  rollout.state.nodes.push(d1);
  rollout.state.byId.set(d1.id, d1);
  rollout.state.waves.push({ kind: 'batch', ids: ['d1'] });
  rollout.state.maxParallel = 3;
  rollout.state.replicaBudget = 3;
  return rollout;
}

/** Marks `id` as started (upgrading) the way the loop does, without running it. */
function startNode(rollout: Rollout, id: string): void {
  const n = rollout.state.byId.get(id);
  assert.ok(n !== undefined);
  n.state = 'upgrading';
  rollout.nodeStarted(n, {} as RunningNode);
}

void test('promote in full skips the canary gate and the wave barriers; maxParallel still holds', () => {
  const plain = threeWaves();
  assert.equal(settleLoop(plain), 'wait canary-gate');
  plain.promote(undefined, false);
  assert.equal(settleLoop(plain), 'start b1');
  startNode(plain, 'b1');
  assert.equal(settleLoop(plain), 'start b2');
  startNode(plain, 'b2');
  assert.equal(settleLoop(plain), 'wait wave-barrier', 'a plain promote keeps the barrier before the last wave');

  const full = threeWaves();
  assert.equal(settleLoop(full), 'wait canary-gate');
  full.refuseFullPromote();
  full.promote('hotfix', true);
  assert.match(full.status().message, /^promoted in full \(hotfix\): the remaining gates are skipped$/);
  assert.equal(settleLoop(full), 'start b1');
  startNode(full, 'b1');
  full.state.maxParallel = 1;
  assert.equal(settleLoop(full), 'wait max-parallel', 'maxParallel still holds');
  full.state.maxParallel = 3;
  assert.equal(settleLoop(full), 'start b2');
  startNode(full, 'b2');
  assert.equal(settleLoop(full), 'start d1', 'the last wave starts while the batch before it is in flight');
  startNode(full, 'd1');
  assert.equal(settleLoop(full), 'wait wave-barrier', 'every node started; the last ones finish');
  assert.throws(() => full.refuseFullPromote(), /already promoted in full/);
});

void test('promote in full is refused when no gate is left: the last wave runs and no canary waits', () => {
  const rollout = canaryDone();
  rollout.promote(undefined, false);
  assert.equal(settleLoop(rollout), 'start b1');
  assert.throws(() => rollout.refuseFullPromote(), /no gate is left to skip: the last wave is running/);
});

void test('resume keeps the operator reason in the message', () => {
  const rollout = canaryDone();
  rollout.pause('lunch');
  rollout.resume(Date.now(), 'back from lunch');
  assert.equal(rollout.state.message, 'resumed: back from lunch');
});
