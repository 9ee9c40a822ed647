/**
 * Keeps a rollout findable: search attributes (only when a value changes, and progress in 5%
 * steps, to keep history small) and the current details shown by the Web UI.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { recordRolloutState } from './metrics.js';
import { countNodes, type RolloutState } from './rollout-state.js';
import {
  RolloutBackendKey,
  RolloutFailedNodesKey,
  RolloutPhaseKey,
  RolloutProgressPctKey,
} from './search-attributes.js';

let lastPublishedAt = -Infinity;
let lastKey = '';

/** Publishes at most once per second of workflow time unless `force`. */
export function publishVisibility(state: RolloutState, force: boolean): void {
  const now = Date.now();
  if (!force && now - lastPublishedAt < 1_000) return;
  lastPublishedAt = now;
  recordRolloutState(state.backend, state.phase, state.nodes);
  const counts = countNodes(state.nodes);
  const terminal = counts.succeeded + counts.failed + counts.skipped;
  const pct = counts.total === 0 ? 0 : Math.floor((terminal * 100) / counts.total);
  const bucket = Math.floor(pct / 5) * 5;
  const key = `${state.phase}|${bucket}|${counts.failed}`;
  if (key !== lastKey) {
    lastKey = key;
    upsertSearchAttributes([
      { key: RolloutBackendKey, value: state.backend },
      { key: RolloutPhaseKey, value: state.phase },
      { key: RolloutProgressPctKey, value: bucket },
      { key: RolloutFailedNodesKey, value: counts.failed },
    ]);
  }
  setCurrentDetails(
    [
      `**${state.backend}**: ${state.phase}${state.waiting !== undefined ? ` (waiting: ${state.waiting})` : ''}`,
      state.message,
      `${pct}% · ${counts.succeeded} succeeded · ${counts.inFlight} in flight · ${counts.failed} failed · ${counts.pending} pending · wave ${state.currentWave + 1}/${state.waves.length}`,
    ].join('\n\n'),
  );
}
