/**
 * The activities that bring an upgraded node back to serving: `startCheck` (spawn a probe process
 * from the new build with `backend.install`, which replies only after its health check, then stop
 * it and see it gone from `models.running`) and `restoreReplicas` (start each replica the upgrade
 * stopped, then wait until `models.running` lists them all).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../domain/failures.js';
import {
  encodeMessageBytes,
  formatProcessKey,
  MessageType,
  parseProcessKey,
  subjects,
  type RunningModel,
} from '../protocol/index.js';
import { NatsRequestError, RequestFailure, requestMessage } from '../nats/index.js';
import type { ActivityDeps } from './deps.js';
import type { RestoreInput, RestoreOutput, StartCheckInput, StartCheckOutput } from './types.js';

/** `models.running` timeout, as LocalAI's frontend uses it. */
const RUNNING_TIMEOUT_MS = 10_000;
/** Pause between two `models.running` polls. */
const POLL_MS = 250;

/** The probe's model id: fixed prefix plus the op id, a valid token and unique to the op. */
export function probeModelId(opId: string): string {
  return `fleet-rollout-probe-${opId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64)}`;
}

/** The node's running process keys, or `undefined` when it serves no `models.running`. */
async function runningKeys(deps: ActivityDeps, nodeId: string): Promise<Set<string> | undefined> {
  try {
    const reply = await requestMessage(
      deps.nc,
      subjects.modelsRunning(nodeId),
      MessageType.ModelsRunningRequest,
      {},
      MessageType.ModelsRunningReply,
      RUNNING_TIMEOUT_MS,
    );
    return new Set(reply.models.map((m: RunningModel) => formatProcessKey(m.modelId, m.replicaIndex)));
  } catch (err) {
    if (err instanceof NatsRequestError && err.kind === RequestFailure.NoResponders) return undefined;
    throw err;
  }
}

/** Polls `models.running` until `done` holds; false when the node serves none; throws `failure` at the deadline. */
async function pollRunning(
  deps: ActivityDeps,
  nodeId: string,
  deadline: number,
  done: (keys: Set<string>) => boolean,
  failure: (keys: Set<string>) => ApplicationFailure,
): Promise<boolean> {
  for (;;) {
    const keys = await runningKeys(deps, nodeId);
    if (keys === undefined) return false;
    if (done(keys)) return true;
    if (Date.now() >= deadline) throw failure(keys);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function installFailure(type: FailureType, message: string, err: unknown): unknown {
  if (!(err instanceof NatsRequestError)) return err;
  if (err.kind === RequestFailure.ConnectionLost)
    return ApplicationFailure.retryable(err.message, FailureType.ConnectionLost);
  return ApplicationFailure.nonRetryable(`${message}: ${err.message}`, type);
}

export function makeStartCheck(deps: ActivityDeps) {
  return async function startCheck(input: StartCheckInput): Promise<StartCheckOutput> {
    const modelId = probeModelId(input.opId);
    const probeKey = formatProcessKey(modelId, 0);
    const log = deps.log.child({ nodeId: input.nodeId, opId: input.opId });
    log.info({ probeKey }, 'start check: starting a probe process from the new build');
    let address: string | undefined;
    try {
      const reply = await requestMessage(
        deps.nc,
        subjects.install(input.nodeId),
        MessageType.BackendInstallRequest,
        { backend: input.backend, modelId, replicaIndex: 0 },
        MessageType.BackendInstallReply,
        input.readyTimeoutMs,
      );
      if (!reply.success)
        throw ApplicationFailure.nonRetryable(
          `start check failed on ${input.nodeId}: the new ${input.backend} build did not start: ${reply.error ?? '(no error text)'}`,
          FailureType.StartCheckFailed,
        );
      address = reply.address;
    } catch (err) {
      throw installFailure(FailureType.StartCheckFailed, `start check failed on ${input.nodeId}`, err);
    }
    deps.nc.publish(
      subjects.stop(input.nodeId),
      encodeMessageBytes(MessageType.BackendStopRequest, { backend: probeKey }),
    );
    const stopConfirmed = await pollRunning(
      deps,
      input.nodeId,
      Date.now() + input.readyTimeoutMs,
      (keys) => !keys.has(probeKey),
      () =>
        ApplicationFailure.nonRetryable(
          `start check on ${input.nodeId}: the probe ${probeKey} still runs ${input.readyTimeoutMs} ms after backend.stop`,
          FailureType.StartCheckFailed,
        ),
    );
    log.info({ probeKey, stopConfirmed }, 'start check passed');
    return { probeKey, stopConfirmed, ...(address !== undefined && address !== '' ? { address } : {}) };
  };
}

/** One restore request waits at most this long for its reply (LocalAI's health-check bound). */
const RESTORE_ATTEMPT_MS = 30_000;
/** Backoff between restore requests that got no answer. */
const RESTORE_RETRY = { initialMs: 1_000, maximumMs: 10_000 } as const;

export function makeRestoreReplicas(deps: ActivityDeps) {
  return async function restoreReplicas(input: RestoreInput): Promise<RestoreOutput> {
    const log = deps.log.child({ nodeId: input.nodeId });
    const sendDeadline = Date.now() + input.readyTimeoutMs;
    for (const key of input.keys) {
      const parsed = parseProcessKey(key);
      if (parsed === null)
        throw ApplicationFailure.nonRetryable(
          `cannot restore ${JSON.stringify(key)} on ${input.nodeId}: not a modelID#replica key`,
          FailureType.ReplicaRestoreFailed,
        );
      const what = `replica ${key} on ${input.nodeId} could not be restored`;
      for (let delay: number = RESTORE_RETRY.initialMs; ; delay = Math.min(delay * 2, RESTORE_RETRY.maximumMs)) {
        try {
          const reply = await requestMessage(
            deps.nc,
            subjects.install(input.nodeId),
            MessageType.BackendInstallRequest,
            { backend: input.backend, modelId: parsed.modelId, replicaIndex: parsed.replica },
            MessageType.BackendInstallReply,
            Math.max(1_000, Math.min(RESTORE_ATTEMPT_MS, sendDeadline - Date.now())),
          );
          if (!reply.success)
            throw ApplicationFailure.nonRetryable(
              `${what}: ${reply.error ?? '(no error text)'}`,
              FailureType.ReplicaRestoreFailed,
              { key },
            );
          break;
        } catch (err) {
          // A node restarting or a NATS restart loses the request: ask again (an install of a
          // running replica only returns its address) until the replica's time is up.
          const transient = err instanceof NatsRequestError && err.kind !== RequestFailure.MalformedReply;
          if (!transient || Date.now() + delay >= sendDeadline)
            throw installFailure(FailureType.ReplicaRestoreFailed, what, err);
          log.info({ key, err: err.message, retryInMs: delay }, 'replica restore got no answer; asking again');
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
      log.info({ key }, 'replica started again');
    }
    const listed = await pollRunning(
      deps,
      input.nodeId,
      Date.now() + input.readyTimeoutMs,
      (keys) => input.keys.every((k) => keys.has(k)),
      (keys) =>
        ApplicationFailure.nonRetryable(
          `replicas ${input.keys.filter((k) => !keys.has(k)).join(', ')} on ${input.nodeId} not listed by models.running within ${input.readyTimeoutMs} ms`,
          FailureType.ReplicaRestoreFailed,
        ),
    );
    return { restored: [...input.keys], listed };
  };
}
