/**
 * What the dashboard says a rollout waits for, and its ETA cell: no estimate while it waits for a
 * person or a clock (paused, at the canary gate, halted, outside its maintenance window), but what
 * it waits for instead. Both functions are self-contained (no imports, no outside names): the page
 * embeds their compiled source, and the tests call them directly.
 */

/** The fields of a `status --json` document these cells read. */
export interface WaitView {
  phase: string;
  waiting: string | null;
  etaMs: number | null;
  message: string;
}

/** `promote (canary gate)`, `the maintenance window (opens 2026-12-05T22:00:00.000Z)`, …; `–` when nothing holds it. */
export function waitingCell(s: WaitView): string {
  if (s.phase === 'halted') {
    return s.waiting === 'progress-deadline'
      ? 'resume or abort (halted: no progress within the deadline)'
      : 'resume or abort (halted: failures over the budget)';
  }
  const opens = /opens at (\S+)/.exec(s.message);
  const texts: Record<string, string> = {
    paused: 'resume (paused)',
    'canary-gate': 'promote (canary gate)',
    'window-closed': 'the maintenance window' + (opens !== null ? ' (opens ' + (opens[1] ?? '') + ')' : ''),
    'failure-budget': 'resume or abort (failures over the budget)',
    'progress-deadline': 'resume or abort (no progress within the deadline)',
    'unavailability-budget': 'replicas to come back (replica budget)',
    'max-parallel': 'a free slot (maxParallel)',
    'wave-barrier': 'the wave to finish',
    'unreachable-nodes': 'unreachable nodes to answer',
  };
  return s.waiting === null ? '–' : (texts[s.waiting] ?? s.waiting);
}

/** `3 min 20 s`; `done` once ended; `none: waits for promote (canary gate)` while a person or a clock holds it. */
export function etaCell(s: WaitView): string {
  if (s.phase === 'succeeded' || s.phase === 'failed' || s.phase === 'aborted') return 'done';
  const held = ['paused', 'canary-gate', 'window-closed', 'failure-budget', 'progress-deadline'];
  if (s.phase === 'halted' || s.phase === 'paused' || (s.waiting !== null && held.includes(s.waiting)))
    return 'none: waits for ' + waitingCell(s);
  if (s.etaMs === null) return '–';
  const seconds = Math.round(s.etaMs / 1000);
  return seconds < 60 ? seconds + ' s' : Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
}
