/**
 * One measured rollout on a fresh fleet, worker process, task queue and backend: the building
 * block of scenarios a, c and d. Times the rollout from the start call to its result, observes
 * the upgrade requests on the wire, accounts CPU per process and reads the history afterwards.
 */
import type { NatsConnection } from 'nats';
import { startRollout, getStatus } from '../src/client/index.js';
import type { RolloutSpecInput } from '../src/domain/spec.js';
import type { Logger } from '../src/log.js';
import { connectNats } from '../src/nats/index.js';
import type { RolloutStatus } from '../src/workflows/status.js';
import type { FanOutParams } from './config.js';
import {
  every,
  say,
  simulatedNodes,
  startBenchFleet,
  uniqueName,
  withTimeout,
  type BenchFleet,
  type BenchServers,
} from './harness.js';
import { cpuSnapshot, resourceUse, type ResourceUse } from './resources.js';
import type { WorkerSupply } from './worker-child.js';
import { analyzeHistory, fetchRunChain, type HistoryAnalysis } from './history.js';
import { meanOverlap, round, summarize, type Interval, type Summary } from './stats.js';

/** What every scenario gets from the runner. */
export interface ScenarioContext {
  servers: BenchServers;
  logDir: string;
  /** Logger of the simulated fleets (warnings and errors only). */
  log: Logger;
  /** Worker processes, started ahead of time per scenario. */
  workers: WorkerSupply;
}

/** The spec of a benchmark rollout: no soak, no replica budget, failures recorded but never halting. */
export function benchSpec(backend: string, nodeIds: string[], maxParallel: number): RolloutSpecInput {
  return {
    backend,
    nodes: nodeIds,
    maxParallel,
    maxUnavailable: '100%',
    minHealthyTime: 0,
    upgradeTimeout: '10m',
    maxFailures: '100%',
    onFailure: 'continue',
    requestedBy: 'bench',
    reason: 'benchmark',
  };
}

/** Counts `backend.upgrade` requests as they cross NATS (a passive subscriber of its own connection). */
export class UpgradeObserver {
  readonly times: number[] = [];
  private constructor(private readonly nc: NatsConnection) {}

  static async start(natsUrl: string, nodePrefix: string): Promise<UpgradeObserver> {
    const nc = await connectNats({ servers: [natsUrl], name: 'bench-observer' });
    const observer = new UpgradeObserver(nc);
    nc.subscribe('nodes.*.backend.upgrade', {
      callback: (_err, msg) => {
        if (msg.subject.startsWith(`nodes.${nodePrefix}-`)) observer.times.push(Date.now());
      },
    });
    await nc.flush();
    return observer;
  }

  get first(): number | undefined {
    return this.times[0];
  }

  async stop(): Promise<void> {
    await this.nc.close();
  }
}

export interface RolloutRun {
  backend: string;
  workflowId: string;
  completed: boolean;
  /** Why it did not complete (timeout, failure). */
  incomplete?: string;
  phase: string;
  counts: RolloutStatus['counts'] | undefined;
  continueAsNewCount: number | undefined;
  /** Start call → result. */
  makespanMs: number;
  /** Start call → first `backend.upgrade` on the wire (discovery and planning). */
  discoveryMs: number | undefined;
  /** First `backend.upgrade` → result. */
  executionMs: number | undefined;
  upgradeRequests: number;
  installsRun: number;
  fleetStartMs: number;
  workerStartupMs: number;
  /** Per node, workflow time from start to finish. */
  nodeDurationMs: Summary | undefined;
  /** Nodes in flight on average while the rollout executed. */
  meanInFlight: number | undefined;
  resources: ResourceUse;
  history?: HistoryAnalysis;
}

/** Runs one rollout of `params` and measures it. Throws only when it could not be set up. */
export async function measureRollout(
  ctx: ScenarioContext,
  label: string,
  params: FanOutParams,
  options: { history: boolean },
): Promise<RolloutRun> {
  const backend = uniqueName(`bench-${label}`);
  const prefix = uniqueName(label);
  const nodes = simulatedNodes(prefix, backend, params.nodes, params.installMs);
  say(`[${label}] starting ${params.nodes.toLocaleString('en-US')} simulated nodes and a worker process`);
  const worker = ctx.workers.take(label);
  const taskQueue = worker.taskQueue;
  let fleet: BenchFleet | undefined;
  let observer: UpgradeObserver | undefined;
  let stopTicker: (() => void) | undefined;
  let workflowId: string | undefined;
  let running = false;
  try {
    fleet = await startBenchFleet(ctx.servers.nats.url, nodes, ctx.log);
    observer = await UpgradeObserver.start(ctx.servers.nats.url, prefix);
    await withTimeout(worker.ready, 120_000, 'the worker process start');
    say(
      `[${label}] fleet up in ${fleet.startMs} ms, worker up in ${worker.usage().startupMs} ms; starting the rollout`,
    );
    worker.resetUsage();
    const before = cpuSnapshot(ctx.servers);
    const t0 = Date.now();
    const started = await startRollout(
      ctx.servers.client,
      benchSpec(backend, fleet.fleet.nodeIds.slice(), params.maxParallel),
      {
        taskQueue,
      },
    );
    workflowId = started.workflowId;
    running = true;
    stopTicker = every(5_000, async () => {
      const snap = await getStatus(ctx.servers.client, backend, { nodes: 'none' });
      const c = snap.status.counts;
      const rss = Math.round(worker.usage().lastRssBytes / 2 ** 20);
      say(
        `[${label}] ${((Date.now() - t0) / 1000).toFixed(0)} s: ${snap.status.phase}, ${c.succeeded + c.failed}/${c.total} done, ` +
          `${c.inFlight} in flight, run ${snap.status.continueAsNewCount + 1}, worker RSS ${rss} MiB`,
      );
    });
    let status: RolloutStatus | undefined;
    let incomplete: string | undefined;
    try {
      status = await withTimeout(started.handle.result(), params.timeoutMs, `the rollout of ${params.nodes} nodes`);
      running = false;
    } catch (err) {
      incomplete = (err as Error).message;
    }
    const t1 = Date.now();
    stopTicker();
    stopTicker = undefined;
    const after = cpuSnapshot(ctx.servers);
    const usage = await worker.stop();
    const stats = Object.values(fleet.fleet.stats());
    const first = observer.first;
    const intervals: Interval[] = (status?.nodes ?? [])
      .filter((n) => n.startedAt !== undefined && n.finishedAt !== undefined)
      .map((n) => ({ start: n.startedAt as number, end: n.finishedAt as number }));
    const run: RolloutRun = {
      backend,
      workflowId: started.workflowId,
      completed: status !== undefined && status.phase === 'succeeded' && status.counts.succeeded === params.nodes,
      phase: status?.phase ?? 'running',
      counts: status?.counts,
      continueAsNewCount: status?.continueAsNewCount,
      makespanMs: t1 - t0,
      discoveryMs: first === undefined ? undefined : first - t0,
      executionMs: first === undefined ? undefined : t1 - first,
      upgradeRequests: observer.times.length,
      installsRun: stats.reduce((sum, s) => sum + s.installsRun, 0),
      fleetStartMs: fleet.startMs,
      workerStartupMs: usage.startupMs,
      nodeDurationMs: summarize(intervals.map((i) => i.end - i.start)),
      meanInFlight: intervals.length === 0 ? undefined : round(meanOverlap(intervals), 2),
      resources: resourceUse(before, after, usage, ctx.servers),
    };
    if (incomplete !== undefined) run.incomplete = incomplete;
    else if (!run.completed) run.incomplete = `ended ${status?.phase ?? '?'}: ${status?.message ?? ''}`;
    say(
      `[${label}] ${run.completed ? 'done' : 'NOT completed'} in ${(run.makespanMs / 1000).toFixed(2)} s ` +
        `(${run.counts?.succeeded ?? '?'} succeeded, ${run.continueAsNewCount ?? '?'} continue-as-new)`,
    );
    if (options.history) {
      say(`[${label}] reading the history`);
      run.history = analyzeHistory(await fetchRunChain(ctx.servers.client, started.workflowId, started.runId));
    }
    return run;
  } finally {
    stopTicker?.();
    if (running && workflowId !== undefined) {
      await ctx.servers.client.workflow
        .getHandle(workflowId)
        .terminate('benchmark clean-up')
        .catch(() => undefined);
    }
    await worker.stop();
    await observer?.stop();
    await fleet?.stop();
  }
}
