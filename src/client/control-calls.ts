/**
 * The operator controls as data: which update of `rollout:<backend>` each one sends, with which
 * arguments, and the errors a refusal or a missing rollout becomes. Both ways of sending a control
 * (the Temporal SDK in {@link ./controls.ts}, the light gRPC call in {@link ./control-rpc.ts}) use
 * these, so they send the same thing and say the same thing.
 */
import { rolloutWorkflowId, RolloutUpdate } from '../addressing.js';
import { ControlRejectedError, RolloutNotFoundError } from './errors.js';

/** Names of the rollout workflow's updates (the workflow defines its updates with the same names). */
export const ControlUpdate = RolloutUpdate;
/** One of {@link ControlUpdate}. */
export type ControlUpdate = RolloutUpdate;

/** One control of one rollout, ready to send. */
export interface ControlCall {
  backend: string;
  update: ControlUpdate;
  args: unknown[];
  /** The verb phrase for messages: `pause`, `skip node gpu-3 of`. */
  what: string;
}

const withReason = (reason: string | undefined): { reason?: string } => (reason === undefined ? {} : { reason });

/** Builds the call of each control. */
export const controlCalls = {
  pause: (backend: string, reason?: string): ControlCall => ({
    backend,
    update: ControlUpdate.pause,
    args: [withReason(reason)],
    what: 'pause',
  }),
  resume: (backend: string, reason?: string): ControlCall => ({
    backend,
    update: ControlUpdate.resume,
    args: [withReason(reason)],
    what: 'resume',
  }),
  abort: (backend: string, reason?: string): ControlCall => ({
    backend,
    update: ControlUpdate.abort,
    args: [withReason(reason)],
    what: 'abort',
  }),
  /** With `full`, every remaining gate is skipped (the canary gate and the wave barriers). */
  promote: (backend: string, reason?: string, full = false): ControlCall => ({
    backend,
    update: ControlUpdate.promote,
    args: [{ ...withReason(reason), ...(full ? { full: true } : {}) }],
    what: full ? 'fully promote' : 'promote',
  }),
  setMaxParallel: (backend: string, maxParallel: number): ControlCall => ({
    backend,
    update: ControlUpdate.setMaxParallel,
    args: [maxParallel],
    what: 'change maxParallel of',
  }),
  skipNode: (backend: string, nodeId: string): ControlCall => ({
    backend,
    update: ControlUpdate.skipNode,
    args: [nodeId],
    what: `skip node ${nodeId} of`,
  }),
  retryNode: (backend: string, nodeId: string): ControlCall => ({
    backend,
    update: ControlUpdate.retryNode,
    args: [nodeId],
    what: `retry node ${nodeId} of`,
  }),
} as const;

/** The workflow refused the control: its validator's sentence, once. */
export function controlRejected(call: ControlCall, reason: string): ControlRejectedError {
  return new ControlRejectedError(`cannot ${call.what} ${call.backend}: ${reason}`);
}

/** No running rollout of the backend. */
export function rolloutNotRunning(call: ControlCall): RolloutNotFoundError {
  return new RolloutNotFoundError(
    `cannot ${call.what} ${call.backend}: no running rollout of ${call.backend} (workflow ${rolloutWorkflowId(call.backend)}); 'fleet-rollout history ${call.backend}' lists past ones`,
  );
}

/** gRPC NOT_FOUND (5), or its message, as raised for updates on missing or closed workflows. */
export function isNotFoundError(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return (
    (err as { code?: unknown }).code === 5 ||
    cause?.code === 5 ||
    /workflow execution already completed|not found/i.test((err as Error).message)
  );
}

/**
 * The server dropped the update because the workflow task carrying it failed: when the update ends
 * the rollout (abort) while an activity result arrives, the task that would complete the workflow
 * is refused as "unhandled command" and the update with it. Sending the same update id again is safe.
 */
export function isDroppedUpdate(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = (err as { code?: unknown }).code ?? cause?.code;
  const causeMessage = typeof cause?.message === 'string' ? cause.message : '';
  const message = `${String((err as Error).message)} ${causeMessage}`;
  return code === 9 && /workflow task failure/i.test(message);
}

/** Pause between sends of a dropped update. */
export const DROPPED_UPDATE_RETRY_MS = 200;
