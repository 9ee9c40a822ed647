/**
 * The process supervisor of the real agent: starts a backend's entry point with a free port
 * (env `PORT`, and `--addr 127.0.0.1:<port>` as LocalAI backends take it), runs the start check,
 * and stops processes with SIGTERM then SIGKILL after a grace period.
 *
 * The start check (the agent's stand-in for LocalAI's gRPC HealthCheck): the process must accept
 * a TCP connection on 127.0.0.1:PORT within `readyTimeoutMs`, and still be alive `settleMs` after
 * that. A process that exits, never listens or dies while settling is killed, and the error ends
 * with the last 4 KiB of its stdout and stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Logger } from '../../log.js';
import { freePort } from '../../local/free-port.js';
import type { RunningModel } from '../../protocol/index.js';
import {
  isLegacyKeyOf,
  processKeyOf,
  type ProcessInfo,
  type ProcessTable,
  type StartRequest,
} from '../node/process-table.js';

/** Supervisor settings. */
export interface SupervisorOptions {
  log: Logger;
  /** How long a new process may take to listen. @default 30000 */
  readyTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. @default 5000 */
  stopGraceMs?: number;
  /** How long a process must stay alive after it first listened to pass the start check. @default 500 */
  settleMs?: number;
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
  /** Resolves once the process exited and its output streams closed. */
  closed: Promise<void>;
  stderrTail: string;
}

const TAIL_BYTES = 4096;
/** How long to wait for the last output of a process that exited during its start check. */
const OUTPUT_DRAIN_MS = 1_000;

/** Real backend processes of one node. */
export class Supervisor implements ProcessTable {
  private readonly processes = new Map<string, Tracked>();
  private readonly readyTimeoutMs: number;
  private readonly stopGraceMs: number;
  private readonly settleMs: number;

  constructor(private readonly options: SupervisorOptions) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.stopGraceMs = options.stopGraceMs ?? 5_000;
    this.settleMs = options.settleMs ?? 500;
  }

  list(): ProcessInfo[] {
    return [...this.processes.values()]
      .filter((p) => isAlive(p.child))
      .map((p) => ({
        key: p.key,
        backend: p.backend,
        modelId: p.modelId === '' ? p.backend : p.modelId,
        replicaIndex: p.replicaIndex,
        address: `127.0.0.1:${p.port}`,
        generation: p.generation,
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
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
      closed: new Promise((resolve) => {
        child.once('close', () => resolve());
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
    const died = async (): Promise<Error> => {
      if (this.processes.get(key) === tracked) this.processes.delete(key);
      if (spawnError !== undefined) return new Error(`starting backend process: ${spawnError.message}`);
      await Promise.race([tracked.closed, delay(OUTPUT_DRAIN_MS)]);
      return new Error(`backend process ${key} died during startup. Last stderr:\n${tracked.stderrTail}`);
    };
    const deadline = Date.now() + this.readyTimeoutMs;
    for (;;) {
      if (spawnError !== undefined || !isAlive(child)) throw await died();
      if (this.processes.get(key) !== tracked) throw new Error(`backend ${key} was stopped during startup`);
      if (await listens(port)) break;
      if (Date.now() > deadline) {
        await this.terminate(tracked, true);
        throw new Error(
          `backend ${key} did not become ready within ${Math.round(this.readyTimeoutMs / 1000)}s. Last stderr:\n${tracked.stderrTail}`,
        );
      }
      await delay(100);
    }
    await Promise.race([tracked.exited, delay(this.settleMs)]);
    if (!isAlive(child)) throw await died();
    if (this.processes.get(key) !== tracked) throw new Error(`backend ${key} was stopped during startup`);
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

  async stopLegacyKeys(backend: string, extraKey: string, force: boolean): Promise<string[]> {
    const doomed = [...this.processes.values()].filter((p) => isLegacyKeyOf(backend, p.key) || p.key === extraKey);
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
