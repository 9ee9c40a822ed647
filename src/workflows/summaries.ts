/**
 * Summaries for the Temporal Web UI: each activity and timer of a rollout says in a few words what
 * it does to which node (`upgrade gpu-3 (attempt 1)`, `soak gpu-3 10s`), instead of a bare
 * activity type. They travel as the command's user metadata, which replay does not compare.
 */
import type { ActivityFunctionWithOptions } from '@temporalio/workflow';
import { formatDuration } from '../domain/duration.js';

type OneArgActivity<I, O> = ActivityFunctionWithOptions<(input: I) => Promise<O>>;

/** The activity `fn`, scheduled with the summary `say(input)` on each call. */
export function summarised<I, O>(fn: OneArgActivity<I, O>, say: (input: I) => string): (input: I) => Promise<O> {
  return (input) => fn.executeWithOptions({ summary: say(input) }, [input]);
}

/** `soak gpu-3 10s`: the summary of a timer that waits `ms` for `what`. */
export function timerSummary(what: string, ms: number): string {
  return `${what} ${formatDuration(ms)}`;
}
