/**
 * The documented output of `fleet-rollout history BACKEND -o json|jsonl|yaml`: one object per run,
 * newest first (a rollout that continued as new is one run), with its outcome, counts, installs
 * before → after, who asked and why, and every accepted control; and of `history BACKEND --run
 * RUN`: that run's `status` document plus its controls. Every key is always present; unknown
 * values are `null`; times are ISO 8601.
 */
import { z } from 'zod';
import type { RolloutCounts } from '../workflows/status.js';
import { ControlUpdate } from './control-calls.js';
import type { ControlEvent } from './control-events.js';
import { CountsJsonSchema, enumValues, executionName, isoOrNull, isoTime, READ_SCHEMA_VERSION } from './json-parts.js';
import { StatusJsonSchema, type StatusJson } from './status-json.js';
import type { RolloutRun } from './visibility.js';

/** One accepted control (pause, resume, abort, promote, setMaxParallel, skipNode, retryNode). */
export const ControlEventJsonSchema = z
  .object({
    at: isoTime,
    /** The update's name, as the workflow defines it. */
    control: z.enum(enumValues(ControlUpdate)),
    /** Who sent it: the client's identity (`user@host` from the CLI). */
    by: z.string().nullable(),
    /** The `--reason` it carried. */
    reason: z.string().nullable(),
    /** Its other argument as text: a node id, a number, `--full` of a promote. */
    argument: z.string().nullable(),
    /** The run that accepted it (an earlier run when the rollout continued as new). */
    runId: z.string(),
  })
  .strict();
/** One control of a history document. */
export type ControlEventJson = z.output<typeof ControlEventJsonSchema>;

/** One run in `history BACKEND`. */
export const HistoryRunJsonSchema = z
  .object({
    schemaVersion: z.literal(READ_SCHEMA_VERSION),
    backend: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    /** Temporal's execution status, lower case. */
    execution: z.string(),
    /** Last published phase (search attribute RolloutPhase). */
    phase: z.string().nullable(),
    /** The final phase (`succeeded`, `failed`, `aborted`), `running (<phase>)`, or how Temporal ended the run and why. */
    outcome: z.string(),
    startedAt: isoTime,
    closedAt: isoTime.nullable(),
    durationMs: z.number().int().nonnegative().nullable(),
    /** Node counts of a run that returned its status (null for running, failed or terminated runs). */
    counts: CountsJsonSchema.nullable(),
    /** The installs of the upgraded nodes, before → after, most common first. */
    installs: z.array(z.object({ from: z.string().nullable(), to: z.string().nullable(), nodes: z.number().int() })),
    /** What the run upgraded to and where that came from, when it resolved a target. */
    target: z.string().nullable(),
    requestedBy: z.string().nullable(),
    reason: z.string().nullable(),
    controls: z.array(ControlEventJsonSchema),
  })
  .strict();
/** One run of the `history` document. */
export type HistoryRunJson = z.output<typeof HistoryRunJsonSchema>;
/** The `history BACKEND -o json` document: runs, newest first. */
export const HistoryJsonSchema = z.array(HistoryRunJsonSchema);

/** The `history BACKEND --run RUN -o json` document: the run's status document and its controls. */
export const HistoryRunDetailJsonSchema = StatusJsonSchema.extend({
  controls: z.array(ControlEventJsonSchema),
}).strict();
/** The `history --run` document. */
export type HistoryRunDetailJson = z.output<typeof HistoryRunDetailJsonSchema>;

/** A control event as the documented JSON object. */
export function toControlEventJson(e: ControlEvent): ControlEventJson {
  return {
    at: e.at,
    control: e.control as ControlUpdate,
    by: e.by,
    reason: e.reason,
    argument: e.argument,
    runId: e.runId,
  };
}

function countsJson(c: RolloutCounts | undefined): z.output<typeof CountsJsonSchema> | null {
  if (c === undefined) return null;
  const { total, pending, inFlight, succeeded, failed, skipped, unknown } = c;
  return { total, pending, inFlight, succeeded, failed, skipped, unknown, upToDate: c.upToDate ?? 0 };
}

/** A run of `rolloutHistory` and its controls as the documented history item. */
export function toHistoryRunJson(run: RolloutRun, controls: readonly ControlEvent[]): HistoryRunJson {
  return {
    schemaVersion: READ_SCHEMA_VERSION,
    backend: run.backend,
    workflowId: run.workflowId,
    runId: run.runId,
    execution: executionName(run.execution),
    phase: run.phase ?? null,
    outcome: run.outcome,
    startedAt: run.startedAt.toISOString(),
    closedAt: isoOrNull(run.closedAt),
    durationMs: run.closedAt === undefined ? null : Math.max(0, run.closedAt.getTime() - run.startedAt.getTime()),
    counts: countsJson(run.counts),
    installs: (run.installs ?? []).map((c) => ({ from: c.from, to: c.to, nodes: c.nodes })),
    target: run.target ?? null,
    requestedBy: run.requestedBy ?? null,
    reason: run.reason ?? null,
    controls: controls.map(toControlEventJson),
  };
}

/** One run's status document with its controls. */
export function toHistoryRunDetailJson(status: StatusJson, controls: readonly ControlEvent[]): HistoryRunDetailJson {
  return { ...status, controls: controls.map(toControlEventJson) };
}
