/**
 * What the protocol handlers need from the processes a node runs: the real supervisor spawns
 * backend entry points, the simulated one keeps an in-memory table. Processes are named by
 * process key, `modelID#replica` (or `backend#replica` when no model was given).
 */
import { isBackendProcessKey } from '../../domain/replica-set.js';
import { formatProcessKey, type RunningModel } from '../../protocol/index.js';
import type { LaunchSpec } from './installer/types.js';

/** A request to run replica `replicaIndex` of `modelId` (or an idle process) from `backend`. */
export interface StartRequest {
  backend: string;
  /** `''` for an idle process, keyed `backend#replica`. */
  modelId: string;
  replicaIndex: number;
  launch: LaunchSpec;
}

/** One live process as the node tracks it, with the install it was started from. */
export interface ProcessInfo {
  key: string;
  backend: string;
  /** The model it serves (the backend name for an idle process). */
  modelId: string;
  replicaIndex: number;
  address: string;
  /** `launch.generation` of the install it was started from (`installed_at` of that install). */
  generation: string;
}

/** The processes of one node. */
export interface ProcessTable {
  /** Live processes, as `models.running` reports them. */
  running(): RunningModel[];
  /** Live processes with the backend and install generation each was started from, sorted by key. */
  list(): ProcessInfo[];
  /**
   * Returns the address of a live process for the request's key that was started from the same
   * install (`launch.generation`), or starts one (stopping a stale one first) and resolves once it
   * passed the start check.
   * @throws Error with the reason the process could not start, ending with its stderr tail.
   */
  ensure(request: StartRequest): Promise<string>;
  /**
   * Terminates every process started from a backend whose name is in `identity`, plus the
   * process under `extraKey` if any, and resolves to the keys of those it stopped.
   */
  stopBackend(identity: readonly string[], extraKey: string | undefined, force: boolean): Promise<string[]>;
  /**
   * Terminates only processes keyed `<backend>#<n>`, plus `extraKey`: how a worker that predates
   * `backend.upgrade` finds a backend's processes on a forced install (other models' replicas of
   * the backend keep running the old build).
   */
  stopLegacyKeys(backend: string, extraKey: string, force: boolean): Promise<string[]>;
  /** `backend.stop`: `''` stops everything; otherwise a backend name, a model id or an exact key. */
  stopTarget(target: string, force: boolean): Promise<string[]>;
  /** Stops everything (shutdown). */
  stopAll(): Promise<void>;
}

/** The process key of a start request: `modelID#replica`, or `backend#replica` without a model. */
export function processKeyOf(modelId: string, backend: string, replicaIndex: number): string {
  return formatProcessKey(modelId === '' ? backend : modelId, replicaIndex);
}

/** True when `key` is `<backend>#<digits>`, the key of an idle or legacy process of `backend`. */
export const isLegacyKeyOf = isBackendProcessKey;
