/** The typed search attribute keys of a rollout (names in `src/addressing.ts`), and the ones it starts with. */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { RolloutSearchAttribute } from '../addressing.js';
import { RolloutPhase } from '../domain/rollout-phase.js';

export { UP_TO_DATE_PHASE } from '../addressing.js';

export const RolloutBackendKey = defineSearchAttributeKey(
  RolloutSearchAttribute.Backend.name,
  SearchAttributeType.KEYWORD,
);
export const RolloutPhaseKey = defineSearchAttributeKey(RolloutSearchAttribute.Phase.name, SearchAttributeType.KEYWORD);
export const RolloutProgressPctKey = defineSearchAttributeKey(
  RolloutSearchAttribute.ProgressPct.name,
  SearchAttributeType.INT,
);
export const RolloutFailedNodesKey = defineSearchAttributeKey(
  RolloutSearchAttribute.FailedNodes.name,
  SearchAttributeType.INT,
);

/** The search attributes a rollout starts with: its backend, phase `discovering`. */
export function startSearchAttributes(backend: string): SearchAttributePair[] {
  return [
    { key: RolloutBackendKey, value: backend },
    { key: RolloutPhaseKey, value: RolloutPhase.Discovering },
  ];
}
