/**
 * The process table of a simulated node: `replicas` model replicas per backend at start, keyed
 * `<backend>-model#i`, with made-up loopback addresses. It behaves like a LocalAI worker: an
 * upgrade stops the backend's processes and starts none; only `backend.install` with a model id
 * brings a replica back, and each process remembers the install generation it was started from.
 */
import type { RunningModel } from '../../protocol/index.js';
import {
  isLegacyKeyOf,
  processKeyOf,
  type ProcessInfo,
  type ProcessTable,
  type StartRequest,
} from '../node/process-table.js';

/** What a simulated process table needs from its node. */
export interface SimulatedProcessesOptions {
  /** Model replicas per configured backend running at start. */
  replicas: number;
  /** The backends whose replicas run at start, with the generation of their install. */
  backends: readonly { name: string; generation: string }[];
  /** The stderr-like text of a failed start check for `backend`, or `undefined` when it starts. */
  startFailure?: (backend: string, key: string) => string | undefined;
}

/** In-memory processes of one simulated node. */
export class SimulatedProcesses implements ProcessTable {
  private readonly table = new Map<string, ProcessInfo>();
  private nextPort = 50052;

  constructor(private readonly options: SimulatedProcessesOptions) {
    for (const { name, generation } of options.backends) {
      const modelId = SimulatedProcesses.modelOf(name);
      for (let i = 0; i < options.replicas; i += 1) this.add(name, modelId, i, generation);
    }
  }

  /** The model id the simulation runs on `backend`. */
  static modelOf(backend: string): string {
    return `${backend}-model`;
  }

  running(): RunningModel[] {
    return [...this.table.values()].map((p) => ({
      modelId: p.modelId,
      replicaIndex: p.replicaIndex,
      address: p.address,
    }));
  }

  list(): ProcessInfo[] {
    return [...this.table.values()].map((p) => ({ ...p })).sort((a, b) => a.key.localeCompare(b.key));
  }

  ensure(request: StartRequest): Promise<string> {
    const key = processKeyOf(request.modelId, request.backend, request.replicaIndex);
    const existing = this.table.get(key);
    if (existing?.backend === request.backend && existing.generation === request.launch.generation)
      return Promise.resolve(existing.address);
    if (existing !== undefined) this.drop((p) => p.key === key);
    const stderr = this.options.startFailure?.(request.backend, key);
    if (stderr !== undefined)
      return Promise.reject(new Error(`backend process ${key} died during startup. Last stderr:\n${stderr}`));
    const modelId = request.modelId === '' ? request.backend : request.modelId;
    return Promise.resolve(this.add(request.backend, modelId, request.replicaIndex, request.launch.generation).address);
  }

  stopBackend(identity: readonly string[], extraKey: string | undefined): Promise<string[]> {
    const names = new Set(identity);
    return Promise.resolve(this.drop((p) => names.has(p.backend) || p.key === extraKey));
  }

  stopLegacyKeys(backend: string, extraKey: string): Promise<string[]> {
    return Promise.resolve(this.drop((p) => isLegacyKeyOf(backend, p.key) || p.key === extraKey));
  }

  stopTarget(target: string): Promise<string[]> {
    return Promise.resolve(
      this.drop((p) => target === '' || p.key === target || p.backend === target || p.modelId === target),
    );
  }

  stopAll(): Promise<void> {
    this.drop(() => true);
    return Promise.resolve();
  }

  private add(backend: string, modelId: string, replicaIndex: number, generation: string): ProcessInfo {
    const key = processKeyOf(modelId, backend, replicaIndex);
    const info = { key, backend, modelId, replicaIndex, address: `127.0.0.1:${this.nextPort++}`, generation };
    this.table.set(key, info);
    return info;
  }

  private drop(match: (p: ProcessInfo) => boolean): string[] {
    const keys: string[] = [];
    for (const p of [...this.table.values()]) {
      if (match(p)) {
        this.table.delete(p.key);
        keys.push(p.key);
      }
    }
    return keys;
  }
}
