/**
 * `npm run bench [-- --quick]`: runs scenarios a–f against real servers, writes
 * `bench/results/<timestamp>.json` after every scenario (so a later failure loses nothing) and
 * prints the Markdown table on stdout. Progress goes to stderr. A scenario that fails is recorded
 * with its error and the others still run; the exit code is 1 when any scenario failed.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createLogger } from '../src/log.js';
import { PROJECT_ROOT } from '../src/local/tools.js';
import { FULL_PLAN, parseBenchArgs, QUICK_PLAN, USAGE, type ScenarioId } from './config.js';
import { loadAverage, machineInfo, versionInfo } from './environment.js';
import { say, startServers, type BenchServers } from './harness.js';
import { WorkerSupply } from './worker-child.js';
import { linkOverhead, renderMarkdown, resultFileName, type BenchReport, type ScenarioResult } from './report.js';
import type { ScenarioContext } from './rollout-run.js';
import { SCENARIOS } from './scenarios.js';

async function runScenario(id: ScenarioId, ctx: ScenarioContext, quick: boolean): Promise<ScenarioResult> {
  const definition = SCENARIOS[id];
  const plan = quick ? QUICK_PLAN : FULL_PLAN;
  const startedAt = new Date();
  const base = {
    id,
    title: definition.title,
    params: definition.params(plan),
    startedAt: startedAt.toISOString(),
    loadAverage: loadAverage(),
  };
  say(
    `scenario ${id}: ${definition.title} (${Object.entries(base.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')})`,
  );
  try {
    const outcome = await definition.run(ctx, plan);
    return { ...base, status: 'ok', wallMs: Date.now() - startedAt.getTime(), ...outcome };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    say(`scenario ${id} failed: ${message}`);
    const failed: ScenarioResult = {
      ...base,
      status: 'error',
      wallMs: Date.now() - startedAt.getTime(),
      error: message,
      metrics: {},
      targets: [],
    };
    if (id === 'a' || id === 'b') {
      failed.efficiency = null;
      failed.overheadRatio = null;
    }
    return failed;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const startedAt = new Date();
  const resultsDir = path.join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const resultFile = path.join(resultsDir, resultFileName(startedAt));
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-bench-'));
  const report: BenchReport = {
    mode: args.quick ? 'quick' : 'full',
    startedAt: startedAt.toISOString(),
    machine: machineInfo(),
    versions: versionInfo(),
    logDir,
    scenarios: {},
  };
  const save = (): void => writeFileSync(resultFile, `${JSON.stringify(report, null, 2)}\n`);
  const m = report.machine;
  say(`${report.mode} run on ${m.cores} cores (${m.cpuModel}), ${m.totalMemoryGiB} GiB; logs in ${logDir}`);
  const log = createLogger({ level: 'warn', name: 'bench-fleet' }, pino.destination(path.join(logDir, 'fleet.log')));

  let servers: BenchServers | undefined;
  let workers: WorkerSupply | undefined;
  let failed = 0;
  try {
    for (const id of args.only) {
      if (servers === undefined || workers === undefined) {
        say('starting the Temporal dev server and nats-server');
        servers = await startServers(logDir);
        workers = new WorkerSupply(servers, logDir);
        const labels = (args.freshServers ? [id] : args.only).filter((s) => SCENARIOS[s].needsWorker);
        if (labels.length > 0) {
          say(`starting ${labels.length} orchestrator worker process(es) ahead of the measurements`);
          await workers.prestart(labels);
        }
      }
      const result = await runScenario(id, { servers, logDir, log, workers }, args.quick);
      if (result.status === 'error') failed += 1;
      report.scenarios[id] = result;
      linkOverhead(report);
      save();
      if (args.freshServers) {
        await workers.stopAll();
        await servers.stop();
        servers = undefined;
      }
    }
  } catch (err) {
    report.error = err instanceof Error ? err.message : String(err);
    throw err;
  } finally {
    await workers?.stopAll();
    await servers?.stop();
    report.finishedAt = new Date().toISOString();
    save();
  }
  process.stdout.write(`\n${renderMarkdown(report)}\n`);
  say(`results written to ${path.relative(process.cwd(), resultFile)}`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      say(err instanceof Error ? err.message : String(err));
      process.exit(2);
    },
  );
}
