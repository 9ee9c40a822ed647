/**
 * The pieces every scenario stands on: the real servers, the orchestrator worker in a child process
 * (reporting its memory and CPU), a simulated fleet on its own NATS connection, CPU accounting of
 * the server processes, and unique names so scenarios never share a task queue, backend or node id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import type { NatsConnection } from 'nats';
import { startSimulatedFleet, type SimulatedFleet } from '../src/agent/index.js';
import type { SimulatedNodeInput } from '../src/agent/simulation-knobs.js';
import {
  startNatsServer,
  startTemporalDevServer,
  type NatsServer,
  type TemporalDevServer,
} from '../src/local/dev-servers.js';
import { connectNats } from '../src/nats/index.js';
import type { Logger } from '../src/log.js';
import type { WorkerReport } from './worker-process.js';

/** Prints a progress line on stderr (stdout is kept for the final table). */
export function say(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

let nameCounter = 0;
/** A name no other scenario of this or an earlier run uses: `<prefix>-<time36><n>`. */
export function uniqueName(prefix: string): string {
  nameCounter += 1;
  return `${prefix}-${Date.now().toString(36)}${nameCounter}`;
}

/** gRPC receive limit of the benchmark's Temporal client (the SDK default is 4 MiB). */
export const CLIENT_MAX_RECEIVE_BYTES = 64 * 2 ** 20;

/** A Temporal dev server, a nats-server and a client of the former. */
export interface BenchServers {
  temporal: TemporalDevServer;
  nats: NatsServer;
  client: Client;
  stop(): Promise<void>;
}

export async function startServers(logDir: string): Promise<BenchServers> {
  const nats = await startNatsServer({ logDir });
  let temporal: TemporalDevServer;
  try {
    temporal = await startTemporalDevServer({ logDir });
  } catch (err) {
    await nats.stop();
    throw err;
  }
  // The default 4 MiB gRPC receive limit is too small to read the continue-as-new events of a
  // 10,000-node rollout; the benchmark reports those sizes instead of failing on them.
  const connection = await Connection.connect({
    address: temporal.address,
    channelArgs: { 'grpc.max_receive_message_length': CLIENT_MAX_RECEIVE_BYTES },
  });
  return {
    temporal,
    nats,
    client: new Client({ connection }),
    async stop() {
      await connection.close().catch(() => undefined);
      await temporal.stop();
      await nats.stop();
    },
  };
}

/** CPU seconds a process has used so far (Linux `/proc`); `undefined` elsewhere or when it is gone. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    // USER_HZ is 100 on every Linux this runs on.
    return Number.isFinite(utime + stime) ? (utime + stime) / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** Resident memory of a process in bytes (Linux `/proc`). */
export function processRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** What a worker child reported over its life. */
export interface WorkerUsage {
  startupMs: number;
  peakRssBytes: number;
  lastRssBytes: number;
  cpuSeconds: number;
  samples: number;
}

/** The orchestrator worker running in a child process (`worker-process.js`). */
export class WorkerChild {
  private peakRss = 0;
  private lastRss = 0;
  private cpuUs = 0;
  private samples = 0;
  private startupMs = 0;
  private baselineCpuUs: number | undefined;
  private readonly exited: Promise<number | null>;
  readonly ready: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly taskQueue: string,
    readonly logFile: string,
  ) {
    live.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        live.delete(child);
        resolve(code);
      });
    });
    this.ready = new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        let parsed: WorkerReport;
        try {
          parsed = JSON.parse(line) as WorkerReport;
        } catch {
          return;
        }
        if (parsed.type === 'ready') {
          this.startupMs = parsed.startupMs;
          this.lastRss = parsed.rss;
          this.peakRss = Math.max(this.peakRss, parsed.rss);
          this.cpuUs = parsed.cpuUs;
          resolve();
        } else if (parsed.type === 'sample') {
          this.samples += 1;
          this.lastRss = parsed.rss;
          this.peakRss = Math.max(this.peakRss, parsed.rss);
          this.cpuUs = parsed.cpuUs;
        } else {
          reject(new Error(`the worker process failed: ${parsed.message} (log: ${this.logFile})`));
        }
      });
      void this.exited.then((code) =>
        reject(new Error(`the worker process exited (code ${String(code)}) before it was ready; log: ${logFile}`)),
      );
    });
    this.ready.catch(() => undefined);
  }

  /** Starts `worker-process.js` on `taskQueue`; await {@link ready} before starting workflows. */
  static start(options: { temporalAddress: string; natsUrl: string; taskQueue: string; logDir: string }): WorkerChild {
    const logFile = path.join(options.logDir, `worker-${options.taskQueue}.log`);
    const fd = openSync(logFile, 'a');
    // BENCH_WORKER_NODE_ARGS passes flags to the worker's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const nodeArgs = (process.env['BENCH_WORKER_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    const child = spawn(
      process.execPath,
      [
        ...nodeArgs,
        path.join(__dirname, 'worker-process.js'),
        '--temporal',
        options.temporalAddress,
        '--nats',
        options.natsUrl,
        '--task-queue',
        options.taskQueue,
      ],
      { stdio: ['ignore', 'pipe', fd] },
    );
    closeSync(fd);
    return new WorkerChild(child, options.taskQueue, logFile);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Forgets the peak so far and starts counting CPU from now (call right before the measured part). */
  resetUsage(): void {
    this.peakRss = this.lastRss;
    this.baselineCpuUs = this.cpuUs;
  }

  usage(): WorkerUsage {
    return {
      startupMs: this.startupMs,
      peakRssBytes: this.peakRss,
      lastRssBytes: this.lastRss,
      cpuSeconds: (this.cpuUs - (this.baselineCpuUs ?? 0)) / 1e6,
      samples: this.samples,
    };
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the final usage. */
  async stop(graceMs = 15_000): Promise<WorkerUsage> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.usage();
  }
}

/**
 * Worker processes on fresh task queues, started ahead of the scenarios that need them: each
 * bundles the workflow code at start (seconds of CPU), which must not overlap a measurement.
 */
export class WorkerSupply {
  private readonly started = new Map<string, WorkerChild>();

  constructor(
    private readonly servers: BenchServers,
    private readonly logDir: string,
  ) {}

  private launch(label: string): WorkerChild {
    return WorkerChild.start({
      temporalAddress: this.servers.temporal.address,
      natsUrl: this.servers.nats.url,
      taskQueue: uniqueName(`bench-${label}`),
      logDir: this.logDir,
    });
  }

  /** Starts one worker per label and waits until all poll. */
  async prestart(labels: readonly string[]): Promise<void> {
    const ready: Promise<void>[] = [];
    for (const label of labels) {
      const worker = this.started.get(label) ?? this.launch(label);
      this.started.set(label, worker);
      ready.push(worker.ready);
    }
    await withTimeout(Promise.all(ready), 180_000, 'the worker processes start');
  }

  /** The worker started for `label`, or a new one; the caller stops it. */
  take(label: string): WorkerChild {
    const worker = this.started.get(label);
    this.started.delete(label);
    return worker ?? this.launch(label);
  }

  /** Stops the workers nobody took. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.started.values()].map((w) => w.stop()));
    this.started.clear();
  }
}

/** A simulated fleet served from this process over a NATS connection of its own. */
export interface BenchFleet {
  fleet: SimulatedFleet;
  nc: NatsConnection;
  /** How long subscribing every node took. */
  startMs: number;
  stop(): Promise<void>;
}

export async function startBenchFleet(natsUrl: string, nodes: SimulatedNodeInput[], log: Logger): Promise<BenchFleet> {
  const nc = await connectNats({ servers: [natsUrl], name: 'bench-fleet' });
  const t0 = Date.now();
  const fleet = await startSimulatedFleet({ nc, nodes, log });
  const startMs = Date.now() - t0;
  return {
    fleet,
    nc,
    startMs,
    async stop() {
      await fleet.stop(0);
      await nc.close();
    },
  };
}

/** `count` simulated nodes with the backend at v1.0.0, each install taking `installMs`. */
export function simulatedNodes(
  prefix: string,
  backend: string,
  count: number,
  installMs: number,
): SimulatedNodeInput[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, backend, version: 'v1.0.0', installMs }));
}

/** CPU seconds used by each process between two snapshots. */
export interface CpuSnapshot {
  at: number;
  temporal?: number;
  nats?: number;
  driver: number;
}

export function cpuSnapshot(servers: BenchServers): CpuSnapshot {
  const own = process.cpuUsage();
  const snapshot: CpuSnapshot = { at: Date.now(), driver: (own.user + own.system) / 1e6 };
  const temporal = processCpuSeconds(servers.temporal.process.child.pid);
  const nats = processCpuSeconds(servers.nats.process.child.pid);
  if (temporal !== undefined) snapshot.temporal = temporal;
  if (nats !== undefined) snapshot.nats = nats;
  return snapshot;
}

/** CPU use per process over an interval: seconds, and cores busy on average (seconds / wall seconds). */
export interface ResourceUse {
  wallSeconds: number;
  cpuSeconds: Record<string, number>;
  coresBusy: Record<string, number>;
  workerPeakRssMiB?: number;
  temporalRssMiB?: number;
}

export function resourceUse(
  before: CpuSnapshot,
  after: CpuSnapshot,
  worker: WorkerUsage | undefined,
  servers: BenchServers,
): ResourceUse {
  const wall = (after.at - before.at) / 1_000;
  const cpu: Record<string, number> = { driverAndFleet: after.driver - before.driver };
  if (before.temporal !== undefined && after.temporal !== undefined) cpu['temporal'] = after.temporal - before.temporal;
  if (before.nats !== undefined && after.nats !== undefined) cpu['nats'] = after.nats - before.nats;
  if (worker !== undefined) cpu['worker'] = worker.cpuSeconds;
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  const use: ResourceUse = {
    wallSeconds: r2(wall),
    cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, r2(v)])),
    coresBusy: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, wall > 0 ? r2(v / wall) : 0])),
  };
  if (worker !== undefined) use.workerPeakRssMiB = Math.round(worker.peakRssBytes / 2 ** 20);
  const temporalRss = processRssBytes(servers.temporal.process.child.pid);
  if (temporalRss !== undefined) use.temporalRssMiB = Math.round(temporalRss / 2 ** 20);
  return use;
}

/** Resolves with `work`, or rejects once `ms` passed, naming `what`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `tick` every `everyMs` until the returned function is called. */
export function every(everyMs: number, tick: () => Promise<void> | void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async (): Promise<void> => {
    if (stopped) return;
    try {
      await tick();
    } catch {
      // Progress lines are best effort.
    }
    if (!stopped) timer = setTimeout(() => void loop(), everyMs);
  };
  timer = setTimeout(() => void loop(), everyMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
