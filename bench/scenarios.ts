/**
 * Scenarios a–g: each runs its measurement and turns it into a {@link ScenarioResult}
 * (headline metrics, the targets, and the breakdowns that explain them).
 */
import type { BenchPlan, ScenarioId } from './config.js';
import { measureBaseline } from './baseline.js';
import { measureControlCommands } from './control-command-latency.js';
import { measureControl } from './control-latency.js';
import { measureProgress } from './progress-latency.js';
import { atLeast, atMost, equals, type ScenarioResult } from './report.js';
import { measureRollout, type RolloutRun, type ScenarioContext } from './rollout-run.js';
import { efficiency, idealMakespanMs, round, summarize } from './stats.js';

/** What a scenario measures; the runner adds id, title, status and timing. */
export type ScenarioOutcome = Pick<ScenarioResult, 'metrics' | 'targets'> &
  Partial<Pick<ScenarioResult, 'efficiency' | 'overheadRatio' | 'details'>>;

export interface ScenarioDefinition {
  title: string;
  /** Runs an orchestrator worker process (started ahead of the measurements). */
  needsWorker: boolean;
  params: (plan: BenchPlan) => Record<string, number | string>;
  run: (ctx: ScenarioContext, plan: BenchPlan) => Promise<ScenarioOutcome>;
}

const MiB = 2 ** 20;

/** History events per node upgraded (all runs; a rollout that stopped early counts the nodes it did). */
function eventsPerNode(run: RolloutRun): number | null {
  return run.history === undefined || run.installsRun === 0 ? null : round(run.history.events / run.installsRun, 2);
}

/** Bytes in MiB to 2 decimals; `null` when unknown. */
function mib(bytes: number | undefined): number | null {
  return bytes === undefined ? null : round(bytes / MiB, 2);
}

function requireCompleted(run: RolloutRun): void {
  if (!run.completed) throw new Error(`the rollout did not complete: ${run.incomplete ?? run.phase}`);
}

export const SCENARIOS: Record<ScenarioId, ScenarioDefinition> = {
  a: {
    title: 'Efficiency',
    needsWorker: true,
    params: ({ a }) => ({ nodes: a.nodes, maxParallel: a.maxParallel, installMs: a.installMs }),
    run: async (ctx, { a }) => {
      const run = await measureRollout(ctx, 'a', a, { history: true });
      requireCompleted(run);
      const ideal = idealMakespanMs(a.nodes, a.maxParallel, a.installMs);
      const eff = efficiency(ideal, run.makespanMs);
      return {
        efficiency: eff,
        overheadRatio: null,
        metrics: {
          makespanMs: run.makespanMs,
          idealMs: ideal,
          efficiency: eff,
          discoveryMs: run.discoveryMs ?? null,
          executionEfficiency: run.executionMs === undefined ? null : efficiency(ideal, run.executionMs),
          nodeP50Ms: run.nodeDurationMs?.p50 ?? null,
          meanInFlight: run.meanInFlight ?? null,
          continueAsNew: run.continueAsNewCount ?? null,
          historyEventsPerNode: eventsPerNode(run),
        },
        targets: [atLeast('efficiency', eff, 0.97)],
        details: { run },
      };
    },
  },
  b: {
    title: 'Durability overhead (baseline fan-out)',
    needsWorker: false,
    params: ({ b }) => ({ nodes: b.nodes, maxParallel: b.maxParallel, installMs: b.installMs }),
    run: async (ctx, { b }) => {
      const run = await measureBaseline(ctx, b);
      if (run.failed > 0) throw new Error(`${run.failed} baseline upgrades failed: ${run.failures.join('; ')}`);
      const ideal = idealMakespanMs(b.nodes, b.maxParallel, b.installMs);
      const eff = efficiency(ideal, run.makespanMs);
      return {
        efficiency: eff,
        // Filled in by the runner from scenario a of the same run.
        overheadRatio: null,
        metrics: {
          baselineMakespanMs: run.makespanMs,
          idealMs: ideal,
          efficiency: eff,
          nodeP50Ms: run.nodeDurationMs?.p50 ?? null,
        },
        targets: [],
        details: { run },
      };
    },
  },
  c: {
    title: 'Per-node overhead (0 ms installs)',
    needsWorker: true,
    params: ({ c }) => ({ nodes: c.nodes, maxParallel: c.maxParallel, installMs: c.installMs }),
    run: async (ctx, { c }) => {
      const run = await measureRollout(ctx, 'c', c, { history: true });
      requireCompleted(run);
      const perNode = round(run.makespanMs / c.nodes, 2);
      const upgrade = run.history?.activities['upgradeNode'];
      return {
        metrics: {
          wallMs: run.makespanMs,
          perNodeMs: perNode,
          historyEventsPerNode: eventsPerNode(run),
          continueAsNew: run.continueAsNewCount ?? null,
          discoveryMs: run.discoveryMs ?? null,
          upgradeScheduleToStartP50Ms: upgrade?.scheduleToStartMs?.p50 ?? null,
          workflowTaskTurnaroundP50Ms: run.history?.workflowTaskTurnaroundMs?.p50 ?? null,
        },
        targets: [atMost('perNodeMs', perNode, 20)],
        details: { run },
      };
    },
  },
  d: {
    title: 'Scale (0 ms installs)',
    needsWorker: true,
    params: ({ d }) => ({ nodes: d.nodes, maxParallel: d.maxParallel, installMs: d.installMs }),
    run: async (ctx, { d }) => {
      const run = await measureRollout(ctx, 'd', d, { history: true });
      const peak = run.resources.workerPeakRssMiB ?? null;
      return {
        metrics: {
          completed: run.completed,
          ...(run.incomplete !== undefined ? { stoppedBy: run.incomplete } : {}),
          nodesUpgraded: run.installsRun,
          wallMs: run.makespanMs,
          workerPeakRssMiB: peak,
          continueAsNew: run.continueAsNewCount ?? null,
          succeeded: run.counts?.succeeded ?? null,
          historyEventsPerNode: eventsPerNode(run),
          largestCarriedInputMiB: mib(run.history?.largestContinueAsNewInputBytes),
          resultPayloadMiB: mib(run.history?.resultBytes),
          fleetStartMs: run.fleetStartMs,
        },
        targets: [
          equals('completed', run.completed, true),
          atMost('wallMs', run.completed ? run.makespanMs : null, 180_000),
          atMost('workerPeakRssMiB', peak, 1024),
        ],
        details: { run, peakRssBytes: peak === null ? null : peak * MiB },
      };
    },
  },
  e: {
    title: 'Control latency (pause, abort)',
    needsWorker: true,
    params: ({ e }) => ({ nodes: e.nodes, maxParallel: e.maxParallel, installMs: e.installMs, trials: e.trials }),
    run: async (ctx, { e }) => {
      const trials = await measureControl(ctx, e);
      const sum = (f: (t: (typeof trials)[number]) => number): number => trials.reduce((s, t) => s + f(t), 0);
      const max = (values: (number | undefined)[]): number | null => {
        const defined = values.filter((v): v is number => v !== undefined);
        return defined.length === 0 ? null : Math.max(...defined);
      };
      const startsAfterPause = sum((t) => t.startsAfterPauseByHistory);
      return {
        metrics: {
          startsAfterPause,
          requestsOnWireAfterPause: sum((t) => t.requestsAfterPauseOnWire),
          lastStartRelativeToPauseMs: max(trials.map((t) => t.lastStartRelativeToPauseMs)),
          pauseUpdateMaxMs: max(trials.map((t) => t.pauseUpdateMs)),
          abortToActivitiesEndedMaxMs: max(trials.map((t) => t.abortToActivitiesEndedMs)),
          cancelRequested: sum((t) => t.cancelRequested),
          abortToResultMaxMs: max(trials.map((t) => t.abortToResultMs)),
        },
        targets: [equals('startsAfterPause', startsAfterPause, 0)],
        details: {
          trials,
          abortToActivitiesEndedMs: summarize(trials.map((t) => t.abortToActivitiesEndedMs)),
        },
      };
    },
  },
  f: {
    title: 'Progress latency',
    needsWorker: true,
    params: ({ f }) => ({ nodes: f.nodes, installMs: f.installMs, pollMs: f.pollMs }),
    run: async (ctx, { f }) => {
      const run = await measureProgress(ctx, f);
      const latency = summarize(run.latenciesMs);
      if (latency === undefined) throw new Error(`no progress event was ever shown (${run.published} published)`);
      const refresh = summarize(run.refreshIntervalsMs);
      return {
        metrics: {
          p50Ms: latency.p50,
          p95Ms: latency.p95,
          maxMs: latency.max,
          events: run.published,
          neverShown: run.neverShown,
          shownExactly: run.shownExactly,
          viewRefreshP50Ms: refresh?.p50 ?? null,
          pollP50Ms: summarize(run.pollDurationsMs)?.p50 ?? null,
        },
        targets: [atMost('p95Ms', latency.p95, 1_000)],
        details: {
          latencyMs: latency,
          refreshIntervalMs: refresh,
          pollDurationMs: summarize(run.pollDurationsMs),
          polls: run.polls,
          finalPhase: run.finalPhase,
        },
      };
    },
  },
  g: {
    title: 'Control command latency (CLI vs temporal workflow describe)',
    needsWorker: true,
    params: ({ g }) => ({ runs: g.runs }),
    run: async (ctx, { g }) => {
      const run = await measureControlCommands(ctx, g);
      const p50 = run.control?.p50 ?? null;
      return {
        metrics: {
          controlP50Ms: p50,
          describeP50Ms: run.describe?.p50 ?? null,
          ratioToDescribe: run.ratio ?? null,
        },
        targets: [atMost('controlP50Ms', p50, 300)],
        details: { run },
      };
    },
  },
};
