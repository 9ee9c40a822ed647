/**
 * Operator controls of a running rollout, each a Temporal Update on `rollout:<backend>`. The
 * workflow's validators refuse illegal transitions before anything is recorded; such a refusal
 * surfaces as a {@link ControlRejectedError} carrying the workflow's own sentence.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  abortUpdate,
  pauseUpdate,
  promoteUpdate,
  resumeUpdate,
  retryNodeUpdate,
  rolloutWorkflowId,
  setMaxParallelUpdate,
  skipNodeUpdate,
} from '../workflows/messages.js';
import type { rolloutWorkflow } from '../workflows/rollout.js';
import type { RolloutStatus } from '../workflows/status.js';
import { ControlRejectedError, RolloutNotFoundError } from './errors.js';

/** Runs `send` against the rollout of `backend`, turning refusals into readable errors. */
async function control(
  client: Client,
  backend: string,
  what: string,
  send: (handle: ReturnType<typeof handleOf>) => Promise<RolloutStatus>,
): Promise<RolloutStatus> {
  try {
    return await send(handleOf(client, backend));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      throw new ControlRejectedError(`cannot ${what} ${backend}: ${err.cause?.message ?? err.message}`);
    }
    if (err instanceof WorkflowNotFoundError || isNotFound(err)) {
      throw new RolloutNotFoundError(
        `cannot ${what} ${backend}: no running rollout of ${backend} (workflow ${rolloutWorkflowId(backend)}); 'fleet-rollout history ${backend}' lists past ones`,
      );
    }
    throw err;
  }
}

function handleOf(client: Client, backend: string) {
  return client.workflow.getHandle<typeof rolloutWorkflow>(rolloutWorkflowId(backend));
}

/** gRPC NOT_FOUND (5) as raised for updates on missing or closed workflows. */
function isNotFound(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return (
    (err as { code?: unknown }).code === 5 ||
    cause?.code === 5 ||
    /workflow execution already completed|not found/i.test((err as Error).message)
  );
}

/** Stops starting nodes; in-flight nodes finish. Refused when already paused or ended. */
export async function pause(
  client: Client,
  backend: string,
  options: { reason?: string } = {},
): Promise<RolloutStatus> {
  const arg = options.reason === undefined ? {} : { reason: options.reason };
  return await control(client, backend, 'pause', (h) => h.executeUpdate(pauseUpdate, { args: [arg] }));
}

/** Starts nodes again after a pause, or goes on after a halt (accepting the failures so far). */
export async function resume(client: Client, backend: string): Promise<RolloutStatus> {
  return await control(client, backend, 'resume', (h) => h.executeUpdate(resumeUpdate, { args: [] }));
}

/** Ends the rollout: in-flight upgrades are cancelled and reported as such. */
export async function abort(
  client: Client,
  backend: string,
  options: { reason?: string } = {},
): Promise<RolloutStatus> {
  const arg = options.reason === undefined ? {} : { reason: options.reason };
  return await control(client, backend, 'abort', (h) => h.executeUpdate(abortUpdate, { args: [arg] }));
}

/** Opens the canary gate. Refused when the rollout has no canary or it was already promoted. */
export async function promote(client: Client, backend: string): Promise<RolloutStatus> {
  return await control(client, backend, 'promote', (h) => h.executeUpdate(promoteUpdate, { args: [] }));
}

/** Changes how many nodes upgrade at once (1–10000) for the rest of the rollout. */
export async function setMaxParallel(client: Client, backend: string, maxParallel: number): Promise<RolloutStatus> {
  return await control(client, backend, 'change maxParallel of', (h) =>
    h.executeUpdate(setMaxParallelUpdate, { args: [maxParallel] }),
  );
}

/** Skips a pending or failed node. */
export async function skipNode(client: Client, backend: string, nodeId: string): Promise<RolloutStatus> {
  return await control(client, backend, `skip node ${nodeId} of`, (h) =>
    h.executeUpdate(skipNodeUpdate, { args: [nodeId] }),
  );
}

/** Tries a failed or skipped node again, with a new op id. */
export async function retryNode(client: Client, backend: string, nodeId: string): Promise<RolloutStatus> {
  return await control(client, backend, `retry node ${nodeId} of`, (h) =>
    h.executeUpdate(retryNodeUpdate, { args: [nodeId] }),
  );
}
