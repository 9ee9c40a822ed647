/**
 * The process supervisor of the real agent: starts a backend's entry point with a free port
 * (env `PORT`, and `--addr 127.0.0.1:<port>` as LocalAI backends take it), waits until the port
 * listens, and stops processes with SIGTERM then SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Logger } from '../log.js';
import { freePort } from '../local/free-port.js';
import type { RunningModel } from '../protocol/index.js';
import { processKeyOf, type ProcessTable, type StartRequest } from './process-table.js';

/** Supervisor settings. */
export interface SupervisorOptions {
  log: Logger;
  /** How long a new process may take to listen. @default 30000 */
  readyTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. @default 5000 */
  stopGraceMs?: number;
}

interface Tracked {
  key: string;
  backend: string;
  modelId: string;
  replicaIndex: number;
  port: number;
  generation: string;
  child: ChildProcess;
  exited: Promise<void>;
  stderrTail: string;
}

const TAIL_BYTES = 4096;

/** Real backend processes of one node. */
export class Supervisor implements ProcessTable {
  private readonly processes = new Map<string, Tracked>();
  private readonly readyTimeoutMs: number;
  private readonly stopGraceMs: number;

  constructor(private readonly options: SupervisorOptions) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.stopGraceMs = options.stopGraceMs ?? 5_000;
  }

  running(): RunningModel[] {
    return [...this.processes.values()]
      .filter((p) => isAlive(p.child))
      .map((p) => ({
        modelId: p.modelId === '' ? p.backend : p.modelId,
        replicaIndex: p.replicaIndex,
        address: `127.0.0.1:${p.port}`,
      }));
  }

  async ensure(request: StartRequest): Promise<string> {
    const key = processKeyOf(request.modelId, request.backend, request.replicaIndex);
    const existing = this.processes.get(key);
    if (existing !== undefined) {
      const reusable =
        isAlive(existing.child) &&
        existing.backend === request.backend &&
        existing.generation === request.launch.generation;
      if (reusable) return `127.0.0.1:${existing.port}`;
      await this.terminate(existing, false);
    }
    const port = await freePort();
    const child = spawn(request.launch.command, ['--addr', `127.0.0.1:${port}`], {
      cwd: request.launch.cwd,
      env: { ...process.env, PORT: String(port), BACKEND: request.backend, MODEL_ID: request.modelId },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const tracked: Tracked = {
      key,
      backend: request.backend,
      modelId: request.modelId,
      replicaIndex: request.replicaIndex,
      port,
      generation: request.launch.generation,
      child,
      stderrTail: '',
      exited: new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.once('error', () => resolve());
      }),
    };
    const keep = (chunk: Buffer): void => {
      tracked.stderrTail = (tracked.stderrTail + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
    });
    this.processes.set(key, tracked);
    const deadline = Date.now() + this.readyTimeoutMs;
    for (;;) {
      if (spawnError !== undefined) {
        this.processes.delete(key);
        throw new Error(`starting backend process: ${spawnError.message}`);
      }
      if (!isAlive(child)) {
        this.processes.delete(key);
        throw new Error(`backend process ${key} died during startup. Last stderr:\n${tracked.stderrTail}`);
      }
      if (this.processes.get(key) !== tracked) throw new Error(`backend ${key} was stopped during startup`);
      if (await listens(port)) break;
      if (Date.now() > deadline) {
        await this.terminate(tracked, true);
        throw new Error(
          `backend ${key} did not become ready within ${Math.round(this.readyTimeoutMs / 1000)}s. Last stderr:\n${tracked.stderrTail}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.unref();
    this.options.log.info({ key, port, pid: child.pid }, 'backend process started');
    return `127.0.0.1:${port}`;
  }

  async stopBackend(identity: readonly string[], extraKey: string | undefined, force: boolean): Promise<string[]> {
    const names = new Set(identity);
    const doomed = [...this.processes.values()].filter((p) => names.has(p.backend) || p.key === extraKey);
    await Promise.all(doomed.map((p) => this.terminate(p, force)));
    return doomed.map((p) => p.key);
  }

  async stopTarget(target: string, force: boolean): Promise<string[]> {
    const doomed = [...this.processes.values()].filter(
      (p) => target === '' || p.key === target || p.backend === target || p.modelId === target,
    );
    await Promise.all(doomed.map((p) => this.terminate(p, force)));
    return doomed.map((p) => p.key);
  }

  async stopAll(): Promise<void> {
    await this.stopTarget('', false);
  }

  private async terminate(p: Tracked, force: boolean): Promise<void> {
    if (this.processes.get(p.key) === p) this.processes.delete(p.key);
    if (!isAlive(p.child)) return;
    signal(p.child, force ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => signal(p.child, 'SIGKILL'), force ? 0 : this.stopGraceMs);
    await p.exited;
    clearTimeout(timer);
    this.options.log.info({ key: p.key, force }, 'backend process stopped');
  }
}

function isAlive(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** Signals the process group (the entry point and anything it spawned), falling back to the process. */
function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    child.kill(sig);
  }
}

async function listens(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
