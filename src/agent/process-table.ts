/**
 * What the protocol handlers need from the processes a node runs: the real supervisor spawns
 * backend entry points, the simulated one keeps an in-memory table. Processes are named by
 * process key, `modelID#replica` (or `backend#replica` when no model was given).
 */
import { formatProcessKey, type RunningModel } from '../protocol/index.js';
import type { LaunchSpec } from './installer/types.js';

/** A request to run replica `replicaIndex` of `modelId` (or an idle process) from `backend`. */
export interface StartRequest {
  backend: string;
  /** `''` for an idle process, keyed `backend#replica`. */
  modelId: string;
  replicaIndex: number;
  launch: LaunchSpec;
}

/** The processes of one node. */
export interface ProcessTable {
  /** Live processes, as `models.running` reports them. */
  running(): RunningModel[];
  /**
   * Returns the address of a live process for the request's key that was started from the same
   * install (`launch.generation`), or starts one (stopping a stale one first).
   * @throws Error with the reason the process could not start (died, never listened).
   */
  ensure(request: StartRequest): Promise<string>;
  /**
   * Terminates every process started from a backend whose name is in `identity`, plus the
   * process under `extraKey` if any, and resolves to the keys of those it stopped.
   */
  stopBackend(identity: readonly string[], extraKey: string | undefined, force: boolean): Promise<string[]>;
  /** `backend.stop`: `''` stops everything; otherwise a backend name, a model id or an exact key. */
  stopTarget(target: string, force: boolean): Promise<string[]>;
  /** Called when an upgrade or install of `backend` ends, however it ended (the simulation reloads its replicas). */
  afterOperation?(backend: string): void;
  /** Stops everything (shutdown). */
  stopAll(): Promise<void>;
}

/** The process key of a start request: `modelID#replica`, or `backend#replica` without a model. */
export function processKeyOf(modelId: string, backend: string, replicaIndex: number): string {
  return formatProcessKey(modelId === '' ? backend : modelId, replicaIndex);
}
