/** The dashboard's "waiting for" and ETA cells: no ETA while a person or a clock holds the rollout. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etaCell, waitingCell, type WaitView } from '../../src/dashboard/page-wait.js';
import { PAGE_SCRIPT } from '../../src/dashboard/page-script.js';
import { HELD_WAITS, isEnded, RolloutPhase, WaitReason } from '../../src/domain/rollout-phase.js';

const running: WaitView = { phase: 'running', waiting: null, etaMs: 200_000, message: 'upgrading wave 1/2' };

void test('what the rollout waits for, and no ETA while it is held', () => {
  const cases: [string, Partial<WaitView>, string, string][] = [
    ['running', {}, '–', '3 min 20 s'],
    ['running, short', { etaMs: 9_400 }, '–', '9 s'],
    ['no estimate yet', { etaMs: null }, '–', '–'],
    ['a full slot still has an ETA', { waiting: 'max-parallel' }, 'a free slot (maxParallel)', '3 min 20 s'],
    [
      'the replica budget still has an ETA',
      { waiting: 'unavailability-budget' },
      'replicas to come back (replica budget)',
      '3 min 20 s',
    ],
    ['paused', { phase: 'paused', waiting: 'paused' }, 'resume (paused)', 'none: waits for resume (paused)'],
    ['canary gate', { waiting: 'canary-gate' }, 'promote (canary gate)', 'none: waits for promote (canary gate)'],
    [
      'window closed',
      { waiting: 'window-closed', message: 'maintenance window closed; opens at 2026-12-05T21:00:00.000Z' },
      'the maintenance window (opens 2026-12-05T21:00:00.000Z)',
      'none: waits for the maintenance window (opens 2026-12-05T21:00:00.000Z)',
    ],
    [
      'halted on failures',
      { phase: 'halted', waiting: 'failure-budget' },
      'resume or abort (halted: failures over the budget)',
      'none: waits for resume or abort (halted: failures over the budget)',
    ],
    [
      'halted on the progress deadline',
      { phase: 'halted', waiting: 'progress-deadline' },
      'resume or abort (halted: no progress within the deadline)',
      'none: waits for resume or abort (halted: no progress within the deadline)',
    ],
    ['ended', { phase: 'succeeded', etaMs: null }, '–', 'done'],
    ['aborted', { phase: 'aborted' }, '–', 'done'],
  ];
  for (const [what, over, waiting, eta] of cases) {
    const view = { ...running, ...over };
    assert.equal(waitingCell(view), waiting, `${what}: waiting`);
    assert.equal(etaCell(view), eta, `${what}: eta`);
  }
});

void test('the page embeds both cells and lists every node state in its legend', () => {
  assert.ok(PAGE_SCRIPT.includes('function waitingCell(s)') && PAGE_SCRIPT.includes('function etaCell(s)'));
  for (const state of ['starting', 'restoring', 'up-to-date'])
    assert.ok(PAGE_SCRIPT.includes(`'${state}'`), `${state} is in the legend's states`);
});

void test('the cells say done for exactly the ended phases, and give no ETA for exactly the held waits', () => {
  const moving: WaitView = { ...running, phase: RolloutPhase.Running };
  for (const phase of Object.values(RolloutPhase)) {
    assert.equal(etaCell({ ...moving, phase }) === 'done', isEnded(phase), `phase ${phase}`);
  }
  for (const waiting of Object.values(WaitReason)) {
    const held = etaCell({ ...moving, waiting }).startsWith('none: waits for');
    assert.equal(held, HELD_WAITS.includes(waiting), `waiting ${waiting}`);
  }
});
