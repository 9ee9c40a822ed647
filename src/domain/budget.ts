/**
 * Policy arithmetic: the unavailability budget (replicas down at once) and the failure budget
 * (nodes allowed to fail before `onFailure` acts). Both round percentages down, so a budget is
 * never larger than the operator asked for.
 */
import { resolveCountOrPercent, Rounding, type CountOrPercent } from './duration.js';

/** Most nodes upgrading at once (`maxParallel`, at start or through `set-max-parallel`), and the largest canary. */
export const MAX_PARALLEL = 10_000;

/**
 * Replicas of the backend allowed down at once, from the spec's `maxUnavailable`.
 *
 * A count is used as given; a percentage is of `totalReplicas` (all replicas the targets serve)
 * rounded down: 25% of 10 replicas is 2, 25% of 3 is 0. A budget of 0 still lets one node at a
 * time through, see {@link canStartWithinBudget}.
 */
export function replicaBudget(totalReplicas: number, maxUnavailable: CountOrPercent): number {
  return resolveCountOrPercent(maxUnavailable, totalReplicas, Rounding.Down);
}

/**
 * Whether a node serving `nodeReplicas` replicas may start while `replicasDown` replicas are
 * already down (on nodes in flight): when `replicasDown + nodeReplicas <= budget`, or when nothing
 * is down at all. The second rule lets a node whose replicas alone exceed the budget start on its
 * own, so a rollout always makes progress instead of waiting forever.
 */
export function canStartWithinBudget(input: { replicasDown: number; nodeReplicas: number; budget: number }): boolean {
  return input.replicasDown === 0 || input.replicasDown + input.nodeReplicas <= input.budget;
}

/**
 * Failed nodes tolerated, from the spec's `maxFailures`: a count as given, a percentage of
 * `targetCount` rounded down (10% of 25 nodes is 2; 10% of 5 is 0, so the first failure acts).
 */
export function allowedFailures(targetCount: number, maxFailures: CountOrPercent): number {
  return resolveCountOrPercent(maxFailures, targetCount, Rounding.Down);
}

/**
 * Whether the failure budget is exceeded, i.e. `failures > allowed`: reaching the allowance does
 * not act, going past it does (Ansible's `max_fail_percentage` semantics). With the default
 * allowance of 0 the first failure acts.
 */
export function failureBudgetExceeded(failures: number, allowed: number): boolean {
  return failures > allowed;
}
