/**
 * Starting rollouts: one per backend under the workflow id `rollout:<backend>`. A second start is
 * refused with the running run's id, or attaches to it when asked.
 */
import os from 'node:os';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { MemoKey, ROLLOUT_WORKFLOW_TYPE, rolloutMemo, rolloutWorkflowId } from '../addressing.js';
import type { RolloutSpecInput } from '../domain/spec.js';
import type { rolloutWorkflow } from '../workflows/rollout.js';
import { startSearchAttributes } from '../workflows/search-attributes.js';
import { RolloutAlreadyRunningError } from './errors.js';
import { checkedRolloutSpec, type CheckedRolloutSpec } from './spec-check.js';

export { ROLLOUT_WORKFLOW_TYPE } from '../addressing.js';

/** Handle of a rollout workflow. */
export type RolloutHandle = WorkflowHandle<typeof rolloutWorkflow>;

/** Options of {@link startRollout}. */
export interface StartRolloutOptions {
  /** Task queue of the orchestrator worker (`fleet-rollout worker --task-queue`). */
  taskQueue: string;
  /** When a rollout of the backend is already running, return it instead of refusing. @default false */
  attach?: boolean;
}

/** A started (or attached) rollout. */
export interface StartedRollout {
  backend: string;
  workflowId: string;
  runId: string;
  /** True when a running rollout was attached to instead of starting one. */
  attached: boolean;
  handle: RolloutHandle;
}

/** `${USER}@${hostname}`: who asked, when the spec does not say. */
export function defaultRequestedBy(env: NodeJS.ProcessEnv = process.env): string {
  let user = env['USER'] ?? env['USERNAME'];
  if (user === undefined || user === '') {
    try {
      user = os.userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${os.hostname()}`;
}

/**
 * Validates `spec` (schema, subject-token collisions of its targets) unless it comes checked, and
 * starts `rollout:<backend>` with the search attributes RolloutBackend and RolloutPhase and the memo
 * `requestedBy`/`reason` (`requestedBy` defaults to {@link defaultRequestedBy}).
 * @throws InvalidSpecError naming the field, before anything is sent.
 * @throws RolloutAlreadyRunningError naming the running run, unless `attach` is set.
 */
export async function startRollout(
  client: Client,
  spec: RolloutSpecInput | CheckedRolloutSpec,
  options: StartRolloutOptions,
): Promise<StartedRollout> {
  const checked = checkedRolloutSpec(spec);
  const parsed = checked.spec;
  // A string where the schema allows any string: the checked spec stays valid.
  const input: RolloutSpecInput = { ...checked.input, requestedBy: checked.input.requestedBy ?? defaultRequestedBy() };
  const workflowId = rolloutWorkflowId(parsed.backend);
  const memo = rolloutMemo({ requestedBy: input.requestedBy ?? '', reason: parsed.reason });
  try {
    const handle = await client.workflow.start<typeof rolloutWorkflow>(ROLLOUT_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: options.taskQueue,
      args: [{ spec: input }],
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: startSearchAttributes(parsed.backend),
      memo,
      staticSummary: `rollout of ${parsed.backend}${parsed.reason !== undefined ? `: ${parsed.reason}` : ''}`,
    });
    return { backend: parsed.backend, workflowId, runId: handle.firstExecutionRunId, attached: false, handle };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const running = client.workflow.getHandle<typeof rolloutWorkflow>(workflowId);
    const described = await running.describe();
    if (options.attach === true) {
      return { backend: parsed.backend, workflowId, runId: described.runId, attached: true, handle: running };
    }
    const requestedBy = described.memo?.[MemoKey.RequestedBy];
    const by = typeof requestedBy === 'string' ? ` by ${requestedBy}` : '';
    throw new RolloutAlreadyRunningError(
      `a rollout of ${parsed.backend} is already running: ${workflowId} run ${described.runId}, started ${described.startTime.toISOString()}${by}; ` +
        `follow it with 'fleet-rollout watch ${parsed.backend}', attach with --attach, or abort it first`,
      workflowId,
      described.runId,
    );
  }
}
