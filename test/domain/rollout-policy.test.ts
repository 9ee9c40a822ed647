import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  judge,
  nextStep,
  phaseOf,
  WaitReason,
  type FailureView,
  type RolloutStep,
  type RolloutView,
} from '../../src/domain/rollout-policy.js';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0); // a Monday, 12:00 UTC
const HOUR = 3_600_000;

function view(over: Partial<RolloutView> = {}): RolloutView {
  return {
    aborted: false,
    reverting: false,
    halted: undefined,
    paused: undefined,
    next: { id: 'n1', replicas: 2 },
    inFlight: 0,
    unreachable: 0,
    maxParallel: 2,
    replicasDown: 0,
    replicaBudget: 4,
    currentWave: 0,
    waveCount: 2,
    currentWaveIsCanary: false,
    canaryPromote: undefined,
    canaryGateOpen: false,
    promoted: false,
    gateReachedAt: undefined,
    window: undefined,
    lastProgressAt: NOW - 1_000,
    progressDeadline: HOUR,
    ...over,
  };
}

/** What a step is, in one comparable shape: kind plus reason or node id, and the wake-up time when there is one. */
function shape(step: RolloutStep): string {
  switch (step.kind) {
    case 'start':
      return `start ${step.nodeId}`;
    case 'wait':
      return `wait ${step.reason}${step.untilMs !== undefined ? ` until +${step.untilMs - NOW}` : ''}`;
    case 'halt':
      return `halt ${step.reason}`;
    default:
      return step.kind;
  }
}

const atGate = { next: undefined, currentWaveIsCanary: true } as const;
const paused = { paused: { message: 'paused: test' } } as const;

const cases: [string, Partial<RolloutView>, string][] = [
  ['a free slot and budget start the next node', {}, 'start n1'],
  ['aborted is done', { aborted: true }, 'done'],
  ['reverting is done', { reverting: true }, 'done'],
  [
    'halted waits for resume, never watching the deadline',
    { halted: { reason: WaitReason.FailureBudget, message: 'halted' }, lastProgressAt: NOW - 2 * HOUR },
    'wait failure-budget',
  ],
  ['paused waits without a deadline', { ...paused, lastProgressAt: NOW - 2 * HOUR }, 'wait paused'],
  [
    'slots full: wait, watching the deadline',
    { inFlight: 2, replicasDown: 0 },
    `wait max-parallel until +${HOUR - 1_000}`,
  ],
  ['a raised maxParallel frees a slot', { inFlight: 2, maxParallel: 3 }, 'start n1'],
  [
    'a node of unknown replica count starts when nothing is down',
    { next: { id: 'n1', replicas: 0, replicasUnknown: true }, inFlight: 1, replicasDown: 0 },
    'start n1',
  ],
  [
    'a node of unknown replica count waits while any replica is down, even within the budget',
    { next: { id: 'n1', replicas: 0, replicasUnknown: true }, inFlight: 1, replicasDown: 1, replicaBudget: 10 },
    `wait unavailability-budget until +${HOUR - 1_000}`,
  ],
  [
    'nothing starts while a node of unknown replica count is down',
    { inFlight: 1, replicasDown: 0, unknownDown: 1, replicaBudget: 10 },
    `wait unavailability-budget until +${HOUR - 1_000}`,
  ],
  ['a node of unknown replica count that serves again frees the way', { inFlight: 1, unknownDown: 0 }, 'start n1'],
  ['one unreachable node in flight does not stop the next', { inFlight: 1, unreachable: 1 }, 'start n1'],
  [
    'two unreachable nodes stop new starts, watching the deadline',
    { inFlight: 2, maxParallel: 4, unreachable: 2 },
    `wait unreachable-nodes until +${HOUR - 1_000}`,
  ],
  [
    'unreachable nodes are named before full slots',
    { inFlight: 3, maxParallel: 3, unreachable: 3 },
    `wait unreachable-nodes until +${HOUR - 1_000}`,
  ],
  ['pause wins over unreachable nodes', { ...paused, inFlight: 2, maxParallel: 4, unreachable: 2 }, 'wait paused'],
  [
    'unreachable nodes past the progress deadline halt',
    { inFlight: 2, maxParallel: 4, unreachable: 2, lastProgressAt: NOW - 2 * HOUR },
    'halt progress-deadline',
  ],
  [
    'replica budget: 2 down + 2 > 3',
    { inFlight: 1, replicasDown: 2, replicaBudget: 3 },
    `wait unavailability-budget until +${HOUR - 1_000}`,
  ],
  ['replica budget: 2 down + 2 = 4 fits', { inFlight: 1, replicasDown: 2, replicaBudget: 4 }, 'start n1'],
  ['a node larger than the budget starts alone', { next: { id: 'big', replicas: 9 }, replicaBudget: 2 }, 'start big'],
  [
    'window closed: wait until it opens',
    { window: { days: ['mon'], start: '13:00', end: '14:00', timeZone: 'UTC' }, lastProgressAt: NOW },
    `wait window-closed until +${HOUR}`,
  ],
  [
    'window closed with the deadline earlier: wake at the deadline',
    { window: { days: ['mon'], start: '13:00', end: '14:00', timeZone: 'UTC' }, lastProgressAt: NOW - HOUR + 60_000 },
    'wait window-closed until +60000',
  ],
  ['window open: start', { window: { days: ['mon'], start: '11:00', end: '13:00', timeZone: 'UTC' } }, 'start n1'],
  [
    'progress deadline passed while blocked: halt',
    { inFlight: 2, lastProgressAt: NOW - HOUR },
    'halt progress-deadline',
  ],
  ['progress deadline passed but a node may start: start', { lastProgressAt: NOW - 2 * HOUR }, 'start n1'],
  [
    'wave barrier: nodes in flight, none pending',
    { next: undefined, inFlight: 1 },
    `wait wave-barrier until +${HOUR - 1_000}`,
  ],
  ['wave barrier while paused shows the pause', { next: undefined, inFlight: 1, ...paused }, 'wait paused'],
  ['wave done: next wave', { next: undefined }, 'next-wave'],
  [
    'promoted in full: no wave barrier, the next wave starts beside nodes in flight',
    { next: undefined, inFlight: 1, promotedFull: true },
    'next-wave',
  ],
  [
    'promoted in full, last wave: nodes in flight still finish',
    { next: undefined, inFlight: 1, currentWave: 1, promotedFull: true },
    `wait wave-barrier until +${HOUR - 1_000}`,
  ],
  [
    'promoted in full: the canary wave in flight opens its gate at once',
    { ...atGate, inFlight: 1, canaryPromote: 'manual', promoted: true, promotedFull: true },
    'open-gate',
  ],
  [
    'promoted in full, the next wave waits for a slot',
    { next: { id: 'n1', replicas: 2 }, inFlight: 2, promotedFull: true },
    `wait max-parallel until +${HOUR - 1_000}`,
  ],
  ['last wave done: done', { next: undefined, currentWave: 1 }, 'done'],
  ['canary wave done: reach the gate', { ...atGate, canaryPromote: 'manual' }, 'reach-gate'],
  [
    'manual gate waits for promote',
    { ...atGate, canaryPromote: 'manual', gateReachedAt: NOW - 5 * HOUR },
    'wait canary-gate',
  ],
  [
    'manual gate while paused shows the pause',
    { ...atGate, canaryPromote: 'manual', gateReachedAt: NOW, ...paused },
    'wait paused',
  ],
  ['promote opens the gate', { ...atGate, canaryPromote: 'manual', gateReachedAt: NOW, promoted: true }, 'open-gate'],
  [
    'promote while paused opens the gate',
    { ...atGate, canaryPromote: 'manual', gateReachedAt: NOW, promoted: true, ...paused },
    'open-gate',
  ],
  [
    'timed gate waits for its timer',
    { ...atGate, canaryPromote: 60_000, gateReachedAt: NOW - 20_000 },
    'wait canary-gate until +40000',
  ],
  [
    'timed gate opens when its timer ran out',
    { ...atGate, canaryPromote: 60_000, gateReachedAt: NOW - 60_000 },
    'open-gate',
  ],
  [
    'timed gate stays shut while paused',
    { ...atGate, canaryPromote: 60_000, gateReachedAt: NOW - 90_000, ...paused },
    'wait paused',
  ],
  ['an open gate goes on to the next wave', { ...atGate, canaryPromote: 'manual', canaryGateOpen: true }, 'next-wave'],
  [
    'a halted canary wave does not reach the gate',
    { ...atGate, halted: { reason: WaitReason.FailureBudget, message: 'h' } },
    'wait failure-budget',
  ],
];

for (const [name, over, expected] of cases) {
  void test(`nextStep: ${name}`, () => {
    assert.equal(shape(nextStep(view(over), NOW)), expected);
  });
}

void test('nextStep: a retried node (the loop hands it in as next) starts even after its wave passed', () => {
  assert.equal(shape(nextStep(view({ currentWave: 1, next: { id: 'retried', replicas: 1 } }), NOW)), 'start retried');
});

void test('nextStep: waits explain themselves', () => {
  const slots = nextStep(view({ inFlight: 2 }), NOW);
  assert.equal(slots.kind === 'wait' && slots.message, '2 nodes upgrading (maxParallel 2)');
  const budget = nextStep(view({ inFlight: 1, replicasDown: 3, replicaBudget: 4 }), NOW);
  assert.equal(budget.kind === 'wait' && budget.message, '3 replicas down; budget 4');
  const gate = nextStep(view({ ...atGate, canaryPromote: 'manual', gateReachedAt: NOW }), NOW);
  assert.equal(gate.kind === 'wait' && gate.message, "canary wave done; waiting for 'promote'");
  const pausedStep = nextStep(view(paused), NOW);
  assert.equal(pausedStep.kind === 'wait' && pausedStep.message, 'paused: test');
  const away = nextStep(view({ inFlight: 2, maxParallel: 4, unreachable: 2 }), NOW);
  assert.equal(
    away.kind === 'wait' && away.message,
    '2 nodes unreachable (no responders), retried within unreachableGrace; starting no new node until one answers again or fails',
  );
  const berlin = { days: ['mon' as const], start: '14:00', end: '15:00', timeZone: 'Europe/Berlin' };
  const closed = nextStep(view({ window: berlin, lastProgressAt: NOW }), NOW);
  assert.equal(
    closed.kind === 'wait' && closed.message,
    'maintenance window closed; opens at 2026-01-05T13:00:00.000Z (Mon 2026-01-05 14:00 Europe/Berlin)',
  );
});

function failures(over: Partial<FailureView>): FailureView {
  return {
    aborted: false,
    reverting: false,
    halted: false,
    failed: 0,
    acceptedFailures: 0,
    allowedFailures: 0,
    onFailure: 'halt',
    ...over,
  };
}

const judgements: [string, Partial<FailureView>, string][] = [
  ['no failure carries on', {}, 'carry-on'],
  ['the first failure over a budget of 0 halts', { failed: 1 }, 'halt'],
  ['reaching the allowance carries on', { failed: 2, allowedFailures: 2 }, 'carry-on'],
  ['going past it halts', { failed: 3, allowedFailures: 2 }, 'halt'],
  ['failures accepted at resume do not count again', { failed: 2, acceptedFailures: 2 }, 'carry-on'],
  ['a new failure after the accepted ones acts', { failed: 3, acceptedFailures: 2 }, 'halt'],
  ['onFailure continue never acts', { failed: 5, onFailure: 'continue' }, 'carry-on'],
  ['onFailure revert reverts', { failed: 1, onFailure: 'revert' }, 'revert'],
  ['already halted: nothing more', { failed: 4, halted: true }, 'carry-on'],
  ['aborted: nothing more', { failed: 4, aborted: true }, 'carry-on'],
  ['reverting: nothing more', { failed: 4, onFailure: 'revert', reverting: true }, 'carry-on'],
];

for (const [name, over, expected] of judgements) {
  void test(`judge: ${name}`, () => {
    const verdict = judge(failures(over));
    assert.equal(verdict.kind, expected);
    if (verdict.kind === 'halt') assert.equal(verdict.reason, WaitReason.FailureBudget);
  });
}

void test('judge: the halt message says how many failed and what to do', () => {
  const verdict = judge(failures({ failed: 3, allowedFailures: 1 }));
  assert.equal(
    verdict.kind === 'halt' && verdict.message,
    'halted: 3 failed nodes exceed maxFailures (1); fix or skip them, then resume, or abort',
  );
});

void test('phaseOf: derived in one order', () => {
  const base = { discovering: false, outcome: undefined, reverting: false, halted: false, paused: false };
  assert.equal(phaseOf(base), 'running');
  assert.equal(phaseOf({ ...base, discovering: true }), 'discovering');
  assert.equal(phaseOf({ ...base, discovering: true, paused: true }), 'paused');
  assert.equal(phaseOf({ ...base, paused: true, halted: true }), 'halted');
  assert.equal(phaseOf({ ...base, halted: true, reverting: true }), 'reverting');
  assert.equal(phaseOf({ ...base, paused: true, outcome: 'aborted' }), 'aborted');
});
