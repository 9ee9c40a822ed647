/**
 * The heartbeat details of the activities that wait on a node (`upgradeNode`, `verifyNode`): the
 * latest progress the worker reported, read back by `status` for live views and by a retried
 * `upgradeNode` attempt. One schema, so the writers and the readers cannot drift apart.
 */
import { z } from 'zod';

export const UpgradeHeartbeatSchema = z.object({
  nodeId: z.string(),
  pct: z.number().optional(),
  phase: z.string().optional(),
  fileName: z.string().optional(),
  /** When the agent reported it (epoch ms). */
  at: z.number(),
  /** Set once the request fell back to the legacy forced install; a retried attempt reads it back. */
  fallback: z.boolean().optional(),
});

/** Heartbeat details of a node's running activity. */
export type UpgradeHeartbeat = z.infer<typeof UpgradeHeartbeatSchema>;

/** The heartbeat details, or `undefined` when they are absent or of another shape. */
export function parseHeartbeat(details: unknown): UpgradeHeartbeat | undefined {
  const parsed = UpgradeHeartbeatSchema.safeParse(details);
  return parsed.success ? parsed.data : undefined;
}
