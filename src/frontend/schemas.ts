/**
 * zod schemas of the LocalAI frontend's node-registry replies the orchestrator reads. Unknown
 * keys are ignored (LocalAI adds fields over time); the fields we act on are required.
 */
import { z } from 'zod';

/** Node status values of LocalAI's registry. */
export const FrontendNodeStatus = {
  Pending: 'pending',
  Healthy: 'healthy',
  Unhealthy: 'unhealthy',
  Offline: 'offline',
  Draining: 'draining',
} as const;
export type FrontendNodeStatus = (typeof FrontendNodeStatus)[keyof typeof FrontendNodeStatus];

/** A node object of `GET /api/nodes`. */
export const FrontendNodeSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  /** Kept as a string: a status this code does not know is left out as such, not a parse error. */
  status: z.string(),
  labels: z
    .record(z.string(), z.string())
    .nullish()
    .transform((l) => l ?? {}),
  address: z.string().optional(),
  model_count: z.number().optional(),
  in_flight_count: z.number().optional(),
});
export type FrontendNode = z.output<typeof FrontendNodeSchema>;

/** A model row of `GET /api/nodes/:id/models` or `GET /api/nodes/models`. */
export const ModelRowSchema = z.object({
  node_id: z.string(),
  model_name: z.string(),
  replica_index: z.number().int().default(0),
  address: z.string().default(''),
  state: z.string(),
  in_flight: z.number().default(0),
  backend_type: z.string().default(''),
});
export type ModelRow = z.output<typeof ModelRowSchema>;

/** A scheduling config of `GET /api/nodes/scheduling`; `node_selector` arrives as a JSON string. */
export const SchedulingConfigSchema = z.object({
  model_name: z.string(),
  min_replicas: z.number().int().default(0),
  max_replicas: z.number().int().default(0),
  spread_all: z.boolean().default(false),
  node_selector: z
    .string()
    .optional()
    .transform((s) => {
      if (s === undefined || s === '') return undefined;
      try {
        const parsed = JSON.parse(s) as unknown;
        return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : undefined;
      } catch {
        return undefined;
      }
    }),
});
export type SchedulingConfig = z.output<typeof SchedulingConfigSchema>;

export const NodeListSchema = z
  .array(FrontendNodeSchema)
  .nullable()
  .transform((l) => l ?? []);
export const ModelRowListSchema = z
  .array(ModelRowSchema)
  .nullable()
  .transform((l) => l ?? []);
export const SchedulingListSchema = z
  .array(SchedulingConfigSchema)
  .nullable()
  .transform((l) => l ?? []);
