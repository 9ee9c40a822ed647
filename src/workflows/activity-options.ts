/**
 * Activity options shared by more than one part of the workflow.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURES } from '../domain/failures.js';
import type { RolloutSpec } from '../domain/spec.js';

/**
 * Options of `upgradeNode` (the rollout's upgrades and a revert's). Its timeout leaves room for the
 * upgrade request and, on no responders, the legacy install with the same timeout. A retry never
 * sends again: an attempt after the first only learns that an earlier one may have reached the
 * worker (after a worker crash or a lost heartbeat) and hands the node to verification, so the
 * retry exists to learn the outcome, not to repeat the request.
 */
export function upgradeActivityOptions(spec: RolloutSpec): ActivityOptions {
  return {
    startToCloseTimeout: 2 * spec.upgradeTimeout + 60_000,
    heartbeatTimeout: 30_000,
    retry: { maximumAttempts: 3, initialInterval: 1_000, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES] },
  };
}
