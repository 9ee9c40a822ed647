/**
 * The thin workflow a Temporal Schedule starts. Temporal appends a timestamp to scheduled
 * workflow ids, so the schedule cannot be the one-rollout-per-backend lock; this trigger starts
 * the real rollout under the fixed id `rollout:<backend>` and, when one is already running,
 * records the skip instead.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { parseRolloutSpec, type RolloutSpecInput } from '../domain/spec.js';
import { rolloutWorkflowId } from './messages.js';
import { rolloutWorkflow } from './rollout.js';
import { RolloutBackendKey, RolloutPhaseKey } from './search-attributes.js';

export interface ScheduledRolloutResult {
  started: boolean;
  rolloutId: string;
  /** Why nothing was started. */
  skipped?: string;
}

export async function scheduledRolloutWorkflow(spec: RolloutSpecInput): Promise<ScheduledRolloutResult> {
  const parsed = parseRolloutSpec(spec);
  const rawBackend = (spec as { backend?: unknown }).backend;
  const backend = parsed.ok ? parsed.spec.backend : typeof rawBackend === 'string' ? rawBackend : '?';
  const rolloutId = rolloutWorkflowId(backend);
  const requestedBy = spec.requestedBy ?? `schedule ${workflowInfo().workflowId}`;
  try {
    await startChild(rolloutWorkflow, {
      workflowId: rolloutId,
      args: [{ spec: { ...spec, requestedBy } }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: RolloutBackendKey, value: backend },
        { key: RolloutPhaseKey, value: 'discovering' },
      ],
      memo: { requestedBy, reason: spec.reason ?? 'scheduled fleet upgrade' },
    });
    upsertMemo({ outcome: `started ${rolloutId}` });
    return { started: true, rolloutId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const skipped = `skipped: a rollout of ${backend} is already running (${rolloutId})`;
      upsertMemo({ outcome: skipped });
      return { started: false, rolloutId, skipped };
    }
    throw err;
  }
}
