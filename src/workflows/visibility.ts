/**
 * Keeps a rollout findable: search attributes (only when a value changes, and progress in 5%
 * steps, to keep history small) and the current details shown by the Web UI.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { isInFlight } from '../domain/node-state.js';
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

/**
 * Sets the current details every time (a query reads them; no history event), and publishes the
 * search attributes and metrics at most once per second of workflow time unless `force`.
 */
export function publishVisibility(state: RolloutState, force: boolean): void {
  const now = Date.now();
  const mark = state.visibility;
  const counts = countNodes(state.nodes);
  const phase = phaseOfState(state);
  const terminal = counts.succeeded + counts.failed + counts.skipped;
  const pct = counts.total === 0 ? 0 : Math.floor((terminal * 100) / counts.total);
  // The current details are read by a query and cost no history event: always up to date.
  setCurrentDetails(
    [
      `**${state.backend}**: ${phase}${state.waiting !== undefined ? ` (waiting: ${state.waiting})` : ''}`,
      state.message,
      `${pct}% · ${counts.succeeded} succeeded · ${counts.inFlight} in flight · ${counts.failed} failed · ${counts.pending} pending · wave ${state.currentWave + 1}/${state.waves.length}`,
      ...inFlightLine(state),
    ].join('\n\n'),
  );
  if (!force && now - mark.publishedAt < 1_000) return;
  mark.publishedAt = now;
  recordRolloutState(state.backend, phase, state.nodes);
  const bucket = Math.floor(pct / 5) * 5;
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
}

/** At most this many in-flight nodes are named in the current details. */
const IN_FLIGHT_NAMED = 8;

/** `in flight: gpu-1 (upgrading), gpu-2 (starting) (+3 more)`, or nothing when no node is in flight. */
function inFlightLine(state: RolloutState): string[] {
  const nodes = state.nodes.filter((n) => isInFlight(n.state));
  if (nodes.length === 0) return [];
  const named = nodes.slice(0, IN_FLIGHT_NAMED).map((n) => `${n.id} (${n.state})`);
  const more = nodes.length > IN_FLIGHT_NAMED ? ` (+${nodes.length - IN_FLIGHT_NAMED} more)` : '';
  return [`in flight: ${named.join(', ')}${more}`];
}
