/**
 * The documented output of `fleet-rollout list -o json|jsonl|yaml`: one object per rollout, newest
 * first, read from Temporal's visibility store (search attributes and memo). Every key is always
 * present; unknown values are `null`.
 */
import { z } from 'zod';
import { RolloutPhase } from '../domain/rollout-phase.js';
import { enumValues, executionName, isoOrNull, isoTime, READ_SCHEMA_VERSION } from './json-parts.js';
import type { RolloutSummary } from './visibility.js';

/** One rollout in `list`. */
export const RolloutListItemJsonSchema = z
  .object({
    schemaVersion: z.literal(READ_SCHEMA_VERSION),
    backend: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    /** Temporal's execution status, lower case (`running`, `completed`, `failed`, `terminated`, …). */
    execution: z.string(),
    /** Last published phase (search attribute RolloutPhase); null before the first publication. */
    phase: z.enum(enumValues(RolloutPhase)).nullable(),
    /** Percentage of nodes done, in 5% steps (search attribute RolloutProgressPct). */
    progressPct: z.number().int().min(0).max(100).nullable(),
    /** Failed nodes (search attribute RolloutFailedNodes). */
    failedNodes: z.number().int().nonnegative().nullable(),
    startedAt: isoTime,
    closedAt: isoTime.nullable(),
    requestedBy: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .strict();
/** One rollout of the `list` document. */
export type RolloutListItemJson = z.output<typeof RolloutListItemJsonSchema>;
/** The `list -o json` document: rollouts, newest first. */
export const RolloutListJsonSchema = z.array(RolloutListItemJsonSchema);

const PHASES: readonly string[] = Object.values(RolloutPhase);

/** A visibility summary as the documented `list` item. */
export function toRolloutListItemJson(r: RolloutSummary): RolloutListItemJson {
  return {
    schemaVersion: READ_SCHEMA_VERSION,
    backend: r.backend,
    workflowId: r.workflowId,
    runId: r.runId,
    execution: executionName(r.execution),
    phase: r.phase !== undefined && PHASES.includes(r.phase) ? (r.phase as RolloutPhase) : null,
    progressPct: r.progressPct ?? null,
    failedNodes: r.failedNodes ?? null,
    startedAt: r.startedAt.toISOString(),
    closedAt: isoOrNull(r.closedAt),
    requestedBy: r.requestedBy ?? null,
    reason: r.reason ?? null,
  };
}
