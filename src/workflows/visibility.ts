/**
 * Keeps a rollout findable: search attributes (only when a value changes, and progress in 5%
 * steps, to keep history small) and the current details shown by the Web UI.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { recordRolloutState } from './metrics.js';
import { countNodes, phaseOfState, type RolloutState, type VisibilityMark } from './rollout-state.js';
import {
  RolloutBackendKey,
  RolloutFailedNodesKey,
  RolloutPhaseKey,
  RolloutProgressPctKey,
} from './search-attributes.js';

/** The mark of a run that has published nothing yet. */
export function initialVisibilityMark(): VisibilityMark {
  return { publishedAt: -Infinity, key: '' };
}

/** Publishes at most once per second of workflow time unless `force`. */
export function publishVisibility(state: RolloutState, force: boolean): void {
  const now = Date.now();
  const mark = state.visibility;
  if (!force && now - mark.publishedAt < 1_000) return;
  mark.publishedAt = now;
  recordRolloutState(state.backend, phaseOfState(state), state.nodes);
  const counts = countNodes(state.nodes);
  const terminal = counts.succeeded + counts.failed + counts.skipped;
  const pct = counts.total === 0 ? 0 : Math.floor((terminal * 100) / counts.total);
  const bucket = Math.floor(pct / 5) * 5;
  const phase = phaseOfState(state);
  const key = `${phase}|${bucket}|${counts.failed}`;
  if (key !== mark.key) {
    mark.key = key;
    upsertSearchAttributes([
      { key: RolloutBackendKey, value: state.backend },
      { key: RolloutPhaseKey, value: phase },
      { key: RolloutProgressPctKey, value: bucket },
      { key: RolloutFailedNodesKey, value: counts.failed },
    ]);
  }
  setCurrentDetails(
    [
      `**${state.backend}**: ${phase}${state.waiting !== undefined ? ` (waiting: ${state.waiting})` : ''}`,
      state.message,
      `${pct}% · ${counts.succeeded} succeeded · ${counts.inFlight} in flight · ${counts.failed} failed · ${counts.pending} pending · wave ${state.currentWave + 1}/${state.waves.length}`,
    ].join('\n\n'),
  );
}
