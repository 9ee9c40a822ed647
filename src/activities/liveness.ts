/**
 * Liveness heartbeats for activities that wait on a node for minutes without progress events of
 * their own (start check, replica restore, stopping processes). With a heartbeat timeout, a worker
 * that dies mid-step is noticed within that timeout and the step is retried on another worker,
 * instead of after the step's whole start-to-close timeout.
 */
import { Context } from '@temporalio/activity';
import type { UpgradeHeartbeat } from '../domain/heartbeat.js';

/** How often a waiting activity heartbeats; the workflow's heartbeat timeout is a multiple of it. */
export const LIVENESS_EVERY_MS = 2_000;

/** Runs `work` while heartbeating `{ nodeId, at }` every {@link LIVENESS_EVERY_MS}. */
export async function heartbeatWhile<T>(nodeId: string, work: () => Promise<T>): Promise<T> {
  // The context is captured: timers run outside the activity's async scope.
  const ctx = Context.current();
  const beat = (): void => {
    const details: UpgradeHeartbeat = { nodeId, at: Date.now() };
    ctx.heartbeat(details);
  };
  beat();
  const ticker = setInterval(beat, LIVENESS_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(ticker);
  }
}
