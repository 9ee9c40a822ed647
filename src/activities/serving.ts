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
  type MessageInput,
  type MessageValue,
  subjects,
  type RunningModel,
} from '../protocol/index.js';
import { NatsRequestError, RequestFailure, requestMessage, requestRunningModels } from '../nats/index.js';
import type { ActivityDeps } from './deps.js';
import { heartbeatWhile } from './liveness.js';
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
export async function runningKeys(deps: ActivityDeps, nodeId: string): Promise<Set<string> | undefined> {
  try {
    const models = await requestRunningModels(deps.nc, nodeId, RUNNING_TIMEOUT_MS);
    return new Set(models.map((m: RunningModel) => formatProcessKey(m.modelId, m.replicaIndex)));
  } catch (err) {
    if (err instanceof NatsRequestError && err.kind === RequestFailure.NoResponders) return undefined;
    throw err;
  }
}

/** Polls `models.running` until `done` holds; false when the node serves none; throws `failure` at the deadline. */
export async function pollRunning(
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
  return (input: StartCheckInput): Promise<StartCheckOutput> => heartbeatWhile(input.nodeId, () => startCheck(input));

  async function startCheck(input: StartCheckInput): Promise<StartCheckOutput> {
    const modelId = probeModelId(input.opId);
    const probeKey = formatProcessKey(modelId, 0);
    const log = deps.log.child({ nodeId: input.nodeId, opId: input.opId });
    log.info({ probeKey }, 'start check: starting a probe process from the new build');
    const reply = await installAsking(
      deps,
      log,
      input.nodeId,
      { backend: input.backend, modelId, replicaIndex: 0 },
      Date.now() + input.readyTimeoutMs,
      `start check failed on ${input.nodeId}`,
      FailureType.StartCheckFailed,
    );
    if (!reply.success)
      throw ApplicationFailure.nonRetryable(
        `start check failed on ${input.nodeId}: the new ${input.backend} build did not start: ${reply.error ?? '(no error text)'}`,
        FailureType.StartCheckFailed,
      );
    const address = reply.address;
    const stop = () =>
      deps.nc.publish(
        subjects.stop(input.nodeId),
        encodeMessageBytes(MessageType.BackendStopRequest, { backend: probeKey }),
      );
    stop();
    // backend.stop has no reply and a NATS restart can lose it: send it again while the probe is listed.
    let polls = 0;
    const stopConfirmed = await pollRunning(
      deps,
      input.nodeId,
      Date.now() + input.readyTimeoutMs,
      (keys) => {
        if (!keys.has(probeKey)) return true;
        if (++polls % STOP_AGAIN_EVERY_POLLS === 0) stop();
        return false;
      },
      () =>
        ApplicationFailure.nonRetryable(
          `start check on ${input.nodeId}: the probe ${probeKey} still runs ${input.readyTimeoutMs} ms after backend.stop`,
          FailureType.StartCheckFailed,
        ),
    );
    log.info({ probeKey, stopConfirmed }, 'start check passed');
    return { probeKey, stopConfirmed, ...(address !== undefined && address !== '' ? { address } : {}) };
  }
}

/** One install request (probe or replica) waits at most this long for its reply (LocalAI's health-check bound). */
const INSTALL_ATTEMPT_MS = 30_000;
/** Backoff between install requests that got no answer. */
const INSTALL_RETRY = { initialMs: 1_000, maximumMs: 10_000 } as const;
/** The probe's `backend.stop` is sent again after this many polls that still list it. */
const STOP_AGAIN_EVERY_POLLS = 8;

type InstallRequest = MessageInput<typeof MessageType.BackendInstallRequest>;
type InstallReply = MessageValue<typeof MessageType.BackendInstallReply>;

/**
 * Sends a `backend.install` of one process key until a reply arrives or `deadline` passes. A node
 * restarting or a NATS restart loses the request (a reconnect ends the wait at once): it is asked
 * again, which is safe because an install of a running key only returns its address and the
 * worker serialises installs of one backend. A malformed reply, or no answer by the deadline,
 * fails with `type`; a lost connection stays retryable for the activity's own retry.
 */
async function installAsking(
  deps: ActivityDeps,
  log: ActivityDeps['log'],
  nodeId: string,
  request: InstallRequest,
  deadline: number,
  what: string,
  type: FailureType,
): Promise<InstallReply> {
  for (let delay: number = INSTALL_RETRY.initialMs; ; delay = Math.min(delay * 2, INSTALL_RETRY.maximumMs)) {
    try {
      return await requestMessage(
        deps.nc,
        subjects.install(nodeId),
        MessageType.BackendInstallRequest,
        request,
        MessageType.BackendInstallReply,
        Math.max(1_000, Math.min(INSTALL_ATTEMPT_MS, deadline - Date.now())),
        { failOnReconnect: true },
      );
    } catch (err) {
      const transient = err instanceof NatsRequestError && err.kind !== RequestFailure.MalformedReply;
      if (!transient || Date.now() + delay >= deadline) throw installFailure(type, what, err);
      log.info({ model: request.modelId, err: err.message, retryInMs: delay }, 'install got no answer; asking again');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export function makeRestoreReplicas(deps: ActivityDeps) {
  return (input: RestoreInput): Promise<RestoreOutput> => heartbeatWhile(input.nodeId, () => restoreReplicas(input));

  async function restoreReplicas(input: RestoreInput): Promise<RestoreOutput> {
    const log = deps.log.child({ nodeId: input.nodeId });
    const deadline = Date.now() + input.readyTimeoutMs;
    for (const key of input.keys) {
      const parsed = parseProcessKey(key);
      if (parsed === null)
        throw ApplicationFailure.nonRetryable(
          `cannot restore ${JSON.stringify(key)} on ${input.nodeId}: not a modelID#replica key`,
          FailureType.ReplicaRestoreFailed,
        );
      const what = `replica ${key} on ${input.nodeId} could not be restored`;
      const reply = await installAsking(
        deps,
        log,
        input.nodeId,
        { backend: input.backend, modelId: parsed.modelId, replicaIndex: parsed.replica },
        deadline,
        what,
        FailureType.ReplicaRestoreFailed,
      );
      if (!reply.success)
        throw ApplicationFailure.nonRetryable(
          `${what}: ${reply.error ?? '(no error text)'}`,
          FailureType.ReplicaRestoreFailed,
          { key },
        );
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
  }
}
