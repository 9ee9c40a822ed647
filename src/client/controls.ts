/**
 * Operator controls of a running rollout, each a Temporal Update on `rollout:<backend>`. The
 * workflow's validators refuse illegal transitions before anything is recorded; such a refusal
 * surfaces as a `ControlRejectedError` carrying the workflow's own sentence.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { RolloutStatus } from '../workflows/status.js';
import { rolloutWorkflowId } from '../addressing.js';
import {
  controlCalls,
  controlRejected,
  DROPPED_UPDATE_RETRY_MS,
  isDroppedUpdate,
  isNotFoundError,
  rolloutNotRunning,
  type ControlCall,
} from './control-calls.js';

/** Sends `call` through the Temporal SDK and waits for the workflow's answer. */
export async function sendControl(client: Client, call: ControlCall): Promise<RolloutStatus> {
  const updateId = randomUUID();
  try {
    const handle = client.workflow.getHandle(rolloutWorkflowId(call.backend));
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Empty argument lists go out as an empty list too: the cast only picks the overload.
        return await handle.executeUpdate<RolloutStatus, [unknown]>(call.update, {
          args: call.args as [unknown],
          updateId,
        });
      } catch (err) {
        if (attempt >= 5 || !isDroppedUpdate(err)) throw err;
        await sleep(DROPPED_UPDATE_RETRY_MS);
      }
    }
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw controlRejected(call, err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError || isNotFoundError(err)) throw rolloutNotRunning(call);
    throw err;
  }
}

/** Stops starting nodes; in-flight nodes finish. Refused when already paused or ended. */
export async function pause(
  client: Client,
  backend: string,
  options: { reason?: string } = {},
): Promise<RolloutStatus> {
  return await sendControl(client, controlCalls.pause(backend, options.reason));
}

/** Starts nodes again after a pause, or goes on after a halt (accepting the failures so far). */
export async function resume(
  client: Client,
  backend: string,
  options: { reason?: string } = {},
): Promise<RolloutStatus> {
  return await sendControl(client, controlCalls.resume(backend, options.reason));
}

/** Ends the rollout: in-flight upgrades are cancelled and reported as such. */
export async function abort(
  client: Client,
  backend: string,
  options: { reason?: string } = {},
): Promise<RolloutStatus> {
  return await sendControl(client, controlCalls.abort(backend, options.reason));
}

/**
 * Opens the canary gate. Refused when the rollout has no canary or it was already promoted.
 * With `full`, also skips the barriers between the remaining waves (refused when none is left).
 */
export async function promote(
  client: Client,
  backend: string,
  options: { reason?: string; full?: boolean } = {},
): Promise<RolloutStatus> {
  return await sendControl(client, controlCalls.promote(backend, options.reason, options.full));
}

/** Changes how many nodes upgrade at once (1–10000) for the rest of the rollout. */
export async function setMaxParallel(client: Client, backend: string, maxParallel: number): Promise<RolloutStatus> {
  return await sendControl(client, controlCalls.setMaxParallel(backend, maxParallel));
}

/** Skips a pending or failed node. */
export async function skipNode(client: Client, backend: string, nodeId: string): Promise<RolloutStatus> {
  return await sendControl(client, controlCalls.skipNode(backend, nodeId));
}

/** Tries a failed or skipped node again, with a new op id. */
export async function retryNode(client: Client, backend: string, nodeId: string): Promise<RolloutStatus> {
  return await sendControl(client, controlCalls.retryNode(backend, nodeId));
}
