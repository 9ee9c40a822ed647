/**
 * `undo`: reads one run of a backend's rollout (its final status and the spec it was started
 * with) and plans the rollout that sends the nodes it changed back to their earlier install
 * (decided by {@link planUndo}); `startRollout` starts it. The spec comes from the run's first history event, so the undo
 * keeps the run's safety policy even when it was started by another client or a schedule.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RolloutSpecInput } from '../domain/spec.js';
import { UndoRefusedError } from './errors.js';
import { defaultRequestedBy } from './rollouts.js';
import { getStatus } from './status.js';
import { planUndo, type UndoPlan } from './undo-plan.js';

/** Options of {@link planRunUndo}. */
export interface UndoOptions {
  /** The run to undo (a run id from `history`); a run that continued as new is followed to its end. @default the latest run */
  runId?: string;
  /** Why (kept in the undo's reason after `undo of run …`). */
  reason?: string;
  /** Who asks. @default user@host */
  requestedBy?: string;
}

/** The spec a run was started with (the `spec` of its first event's input). */
export async function runSpec(client: Client, workflowId: string, runId: string): Promise<RolloutSpecInput> {
  const page = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  const payload = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const input =
    payload === undefined || payload === null
      ? undefined
      : defaultPayloadConverter.fromPayload<{ spec?: RolloutSpecInput } | undefined>(payload);
  if (input?.spec === undefined)
    throw new UndoRefusedError(`cannot undo run ${runId} of ${workflowId}: its start event carries no rollout spec`);
  return input.spec;
}

/**
 * What an undo of the run would start.
 * @throws UndoRefusedError saying why it cannot be done.
 * @throws RolloutNotFoundError when the backend or the run has no rollout.
 */
export async function planRunUndo(client: Client, backend: string, options: UndoOptions = {}): Promise<UndoPlan> {
  const snapshot = await getStatus(client, backend, options.runId === undefined ? {} : { runId: options.runId });
  const spec = await runSpec(client, snapshot.workflowId, snapshot.runId);
  const decision = planUndo({
    runId: snapshot.runId,
    status: snapshot.status,
    spec,
    requestedBy: options.requestedBy ?? defaultRequestedBy(),
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
  });
  if (!decision.ok) throw new UndoRefusedError(decision.message);
  return decision.plan;
}
