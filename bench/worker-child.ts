/**
 * The orchestrator worker of a scenario in a child process (`worker-process.js`), reporting its
 * memory and CPU, and the supply that starts those processes ahead of the measurements.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { uniqueName, withTimeout, type BenchServers } from './harness.js';
import type { WorkerReport } from './worker-process.js';

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
        '--temporal-address',
        options.temporalAddress,
        '--nats-url',
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
