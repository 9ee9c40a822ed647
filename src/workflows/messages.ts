/**
 * The rollout workflow's message definitions: one query and the operator updates. Clients import
 * these definitions; the workflow registers handlers with validators that reject illegal
 * transitions with a readable message.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { RolloutUpdate, STATUS_QUERY } from '../addressing.js';
import type { RolloutStatus, StatusQueryOptions } from './status.js';

export const statusQuery = defineQuery<RolloutStatus, [StatusQueryOptions?]>(STATUS_QUERY);

/** Stop starting nodes; in-flight nodes finish. */
export const pauseUpdate = defineUpdate<RolloutStatus, [{ reason?: string }]>(RolloutUpdate.pause);
/**
 * Start nodes again after a pause, or go on after a halt (the failures so far are accepted).
 * Clients before `--reason` send no argument: the handler takes a missing one as `{}`.
 */
export const resumeUpdate = defineUpdate<RolloutStatus, [{ reason?: string }]>(RolloutUpdate.resume);
/** End the rollout: in-flight upgrades are cancelled and reported as such. */
export const abortUpdate = defineUpdate<RolloutStatus, [{ reason?: string }]>(RolloutUpdate.abort);
/** What `promote` carries (clients before `--reason` and `--full` send nothing: taken as `{}`). */
export interface PromoteArgs {
  reason?: string;
  /** Skip every remaining gate: the canary gate and the barriers between the remaining waves. */
  full?: boolean;
}
/** Open the canary gate; with `full`, skip the remaining wave barriers too. */
export const promoteUpdate = defineUpdate<RolloutStatus, [PromoteArgs]>(RolloutUpdate.promote);
export const setMaxParallelUpdate = defineUpdate<RolloutStatus, [number]>(RolloutUpdate.setMaxParallel);
/** Skip a pending (or failed) node. */
export const skipNodeUpdate = defineUpdate<RolloutStatus, [string]>(RolloutUpdate.skipNode);
/** Try a failed or skipped node again, with a new op id. */
export const retryNodeUpdate = defineUpdate<RolloutStatus, [string]>(RolloutUpdate.retryNode);

export { rolloutWorkflowId } from '../addressing.js';
