/**
 * The activities that tell which replicas a node runs: `runningReplicas` (its `models.running`,
 * recorded before the upgrade is sent and read again once it verified, so that replicas are
 * restored even when the upgrade reply and its stopped keys were lost) and `stopBackendProcesses`
 * (after the legacy forced install, which leaves other models' processes on the old build: stop
 * every process of the backend by name and read what still runs).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../domain/failures.js';
import { isBackendProcessKey } from '../domain/replica-set.js';
import { encodeMessageBytes, MessageType, subjects } from '../protocol/index.js';
import type { ActivityDeps } from './deps.js';
import { heartbeatWhile } from './liveness.js';
import { pollRunning, runningKeys } from './serving.js';

export interface RunningReplicasInput {
  nodeId: string;
}

export interface RunningReplicasOutput {
  /** `modelID#replica` keys `models.running` lists, sorted; absent when the node does not serve it (a legacy worker). */
  keys?: string[];
}

export interface StopBackendProcessesInput {
  nodeId: string;
  backend: string;
  /** How long the node may take to stop them. */
  readyTimeoutMs: number;
}

export interface StopBackendProcessesOutput {
  /** What `models.running` lists once the backend's processes are gone; absent when the node does not serve it. */
  keys?: string[];
}

export function makeRunningReplicas(deps: ActivityDeps) {
  return async function runningReplicas(input: RunningReplicasInput): Promise<RunningReplicasOutput> {
    const keys = await runningKeys(deps, input.nodeId);
    return keys === undefined ? {} : { keys: [...keys].sort() };
  };
}

export function makeStopBackendProcesses(deps: ActivityDeps) {
  return (input: StopBackendProcessesInput): Promise<StopBackendProcessesOutput> =>
    heartbeatWhile(input.nodeId, () => stopBackendProcesses(input));

  async function stopBackendProcesses(input: StopBackendProcessesInput): Promise<StopBackendProcessesOutput> {
    const log = deps.log.child({ nodeId: input.nodeId });
    const stop = () =>
      deps.nc.publish(
        subjects.stop(input.nodeId),
        encodeMessageBytes(MessageType.BackendStopRequest, { backend: input.backend }),
      );
    stop();
    log.info({ backend: input.backend }, 'stopping the processes the legacy install left on the old build');
    // The legacy forced install always starts `<backend>#0`: once no such key is listed, the stop was done.
    // backend.stop has no reply and a NATS restart can lose it: send it again while one is listed.
    let polls = 0;
    let last: Set<string> = new Set();
    const listed = await pollRunning(
      deps,
      input.nodeId,
      Date.now() + input.readyTimeoutMs,
      (keys) => {
        last = keys;
        if (![...keys].some((key) => isBackendProcessKey(input.backend, key))) return true;
        if (++polls % STOP_AGAIN_EVERY_POLLS === 0) stop();
        return false;
      },
      (keys) =>
        ApplicationFailure.nonRetryable(
          `stopping ${input.backend} on ${input.nodeId} to restart its replicas on the new build: ${[...keys]
            .filter((key) => isBackendProcessKey(input.backend, key))
            .join(', ')} still listed ${input.readyTimeoutMs} ms after backend.stop`,
          FailureType.ReplicaRestoreFailed,
        ),
    );
    return listed ? { keys: [...last].sort() } : {};
  }
}

/** The stop is sent again after this many polls that still list a process of the backend. */
const STOP_AGAIN_EVERY_POLLS = 8;
