/**
 * The process table of a simulated node: `replicas` model replicas per backend, keyed
 * `<backend>-model#i`, with made-up loopback addresses. Upgrades stop them (and report their
 * keys); once the upgrade is over they come back, as a LocalAI frontend would reload them.
 */
import type { RunningModel } from '../protocol/index.js';
import { processKeyOf, type ProcessTable, type StartRequest } from './process-table.js';

interface SimulatedProcess {
  key: string;
  backend: string;
  modelId: string;
  replicaIndex: number;
  address: string;
  generation: string;
}

/** In-memory processes of one simulated node. */
export class SimulatedProcesses implements ProcessTable {
  private readonly table = new Map<string, SimulatedProcess>();
  private nextPort = 50052;
  private readonly configured: ReadonlySet<string>;

  constructor(
    private readonly replicas: number,
    backends: readonly string[],
  ) {
    this.configured = new Set(backends);
    for (const backend of backends) this.restore(backend);
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

  ensure(request: StartRequest): Promise<string> {
    const modelId = request.modelId === '' ? request.backend : request.modelId;
    const key = processKeyOf(request.modelId, request.backend, request.replicaIndex);
    const existing = this.table.get(key);
    if (
      existing !== undefined &&
      existing.backend === request.backend &&
      existing.generation === request.launch.generation
    ) {
      return Promise.resolve(existing.address);
    }
    const address = `127.0.0.1:${this.nextPort++}`;
    this.table.set(key, {
      key,
      backend: request.backend,
      modelId,
      replicaIndex: request.replicaIndex,
      address,
      generation: request.launch.generation,
    });
    return Promise.resolve(address);
  }

  stopBackend(identity: readonly string[], extraKey: string | undefined): Promise<string[]> {
    const names = new Set(identity);
    return Promise.resolve(this.drop((p) => names.has(p.backend) || p.key === extraKey));
  }

  stopTarget(target: string): Promise<string[]> {
    return Promise.resolve(
      this.drop((p) => target === '' || p.key === target || p.backend === target || p.modelId === target),
    );
  }

  afterOperation(backend: string): void {
    this.restore(backend);
  }

  stopAll(): Promise<void> {
    this.table.clear();
    return Promise.resolve();
  }

  /** Starts the replicas of `backend` that are not running (only for the backends the node started with). */
  restore(backend: string): void {
    if (!this.configured.has(backend)) return;
    const modelId = SimulatedProcesses.modelOf(backend);
    for (let i = 0; i < this.replicas; i += 1) {
      const key = processKeyOf(modelId, backend, i);
      if (!this.table.has(key)) {
        this.table.set(key, {
          key,
          backend,
          modelId,
          replicaIndex: i,
          address: `127.0.0.1:${this.nextPort++}`,
          generation: '',
        });
      }
    }
  }

  private drop(match: (p: SimulatedProcess) => boolean): string[] {
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
