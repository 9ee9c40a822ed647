/**
 * Scenario g: how long a control command takes as an operator runs it, from process start to the
 * update accepted (the process exits right after the answer), next to `temporal workflow describe`
 * of the same rollout on the same server as the yardstick. The rollout waits on long installs, so
 * every `pause` and `resume` is accepted; the two commands run in turn so drift in the machine's
 * speed touches both alike.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { getStatus, startRollout } from '../src/client/index.js';
import { locateTool, PROJECT_ROOT } from '../src/local/tools.js';
import type { ControlCommandParams } from './config.js';
import { say, simulatedNodes, sleep, startBenchFleet, uniqueName, withTimeout, type BenchFleet } from './harness.js';
import { benchSpec, type ScenarioContext } from './rollout-run.js';
import { round, summarize, type Summary } from './stats.js';

/** What scenario g measured. */
export interface ControlCommandRun {
  /** `fleet-rollout pause|resume` wall times, process start to exit. */
  controlMs: number[];
  /** `temporal workflow describe` wall times, process start to exit. */
  describeMs: number[];
  control: Summary | undefined;
  describe: Summary | undefined;
  /** Median of the pairwise ratios control / describe. */
  ratio: number | undefined;
}

/** Runs `command` to its end; resolves with its wall time, rejects with its output when it failed. */
async function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const startedAt = process.hrtime.bigint();
  return await new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${path.basename(command)} ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

/** Alternates `pause`/`resume` through the built CLI with `describe` through the Temporal CLI. */
export async function measureControlCommands(
  ctx: ScenarioContext,
  params: ControlCommandParams,
): Promise<ControlCommandRun> {
  const worker = ctx.workers.take('g');
  const backend = uniqueName('bench-g');
  const client = ctx.servers.client;
  let fleet: BenchFleet | undefined;
  let workflowId: string | undefined;
  try {
    await withTimeout(worker.ready, 120_000, 'the worker process start');
    fleet = await startBenchFleet(
      ctx.servers.nats.url,
      simulatedNodes(uniqueName('g'), backend, 2, params.installMs),
      ctx.log,
    );
    const started = await startRollout(client, benchSpec(backend, fleet.fleet.nodeIds.slice(), 1), {
      taskQueue: worker.taskQueue,
    });
    workflowId = started.workflowId;
    const deadline = Date.now() + 60_000;
    while ((await getStatus(client, backend, { nodes: 'none' })).status.counts.inFlight === 0) {
      if (Date.now() > deadline) throw new Error('the rollout did not start a node within 60 s');
      await sleep(100);
    }
    const env = { ...process.env, TEMPORAL_ADDRESS: ctx.servers.temporal.address };
    const cli = path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'main.js');
    const temporal = locateTool('temporal');
    const describeArgs = ['workflow', 'describe', '-w', workflowId, '--address', ctx.servers.temporal.address];
    const controlMs: number[] = [];
    const describeMs: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < params.runs; i += 1) {
      const control = await timed(process.execPath, [cli, i % 2 === 0 ? 'pause' : 'resume', backend], env);
      const describe = await timed(temporal, describeArgs, env);
      controlMs.push(round(control, 1));
      describeMs.push(round(describe, 1));
      ratios.push(control / describe);
    }
    const ratio = summarize(ratios, 3)?.p50;
    const summary = summarize(controlMs);
    say(`[g] control command p50 ${summary?.p50 ?? '?'} ms; ratio to temporal workflow describe ${ratio ?? '?'}`);
    await client.workflow.getHandle(workflowId).terminate('benchmark done');
    workflowId = undefined;
    return {
      controlMs,
      describeMs,
      control: summary,
      describe: summarize(describeMs),
      ratio: ratio === undefined ? undefined : round(ratio, 2),
    };
  } finally {
    if (workflowId !== undefined)
      await client.workflow
        .getHandle(workflowId)
        .terminate('benchmark clean-up')
        .catch(() => undefined);
    await fleet?.stop();
    await worker.stop();
  }
}
