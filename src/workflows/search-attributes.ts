/** The search attributes that make rollouts findable in the Temporal Web UI and by `list`. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RolloutBackendKey = defineSearchAttributeKey('RolloutBackend', SearchAttributeType.KEYWORD);
export const RolloutPhaseKey = defineSearchAttributeKey('RolloutPhase', SearchAttributeType.KEYWORD);
export const RolloutProgressPctKey = defineSearchAttributeKey('RolloutProgressPct', SearchAttributeType.INT);
export const RolloutFailedNodesKey = defineSearchAttributeKey('RolloutFailedNodes', SearchAttributeType.INT);

/** The `RolloutPhase` of a scheduled trigger run that found the fleet on the target and started nothing; `history` lists these runs. */
export const UP_TO_DATE_PHASE = 'up-to-date';
