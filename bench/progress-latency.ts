/**
 * Scenario f: progress latency. Nodes with long installs publish progress events; a subscriber
 * timestamps each as it is published, and a status poll (the client's `getStatus`, which merges
 * the heartbeat details of in-flight activities) runs every `pollMs`. The latency of an event is
 * the time until a poll first shows it (or anything newer).
 */
import { getStatus, startRollout } from '../src/client/index.js';
import { connectNats } from '../src/nats/index.js';
import { decodeMessage, MessageType } from '../src/protocol/index.js';
import type { ProgressParams } from './config.js';
import { say, simulatedNodes, sleep, startBenchFleet, uniqueName, withTimeout, type BenchFleet } from './harness.js';
import { matchProgress, type ProgressLatencies, type PublishedProgress, type ShownProgress } from './progress-match.js';
import { benchSpec, type ScenarioContext } from './rollout-run.js';

export interface ProgressRun extends ProgressLatencies {
  published: number;
  polls: number;
  /** Time one status poll took (describe + query). */
  pollDurationsMs: number[];
  finalPhase: string;
}

export async function measureProgress(ctx: ScenarioContext, params: ProgressParams): Promise<ProgressRun> {
  const backend = uniqueName('bench-f');
  const prefix = uniqueName('f');
  const client = ctx.servers.client;
  const worker = ctx.workers.take('f');
  const taskQueue = worker.taskQueue;
  const nc = await connectNats({ servers: [ctx.servers.nats.url], name: 'bench-progress-observer' });
  let fleet: BenchFleet | undefined;
  let workflowId: string | undefined;
  let running = false;
  try {
    const published: PublishedProgress[] = [];
    nc.subscribe('nodes.*.backend.install.*.progress', {
      callback: (_err, msg) => {
        const at = Date.now();
        if (!msg.subject.startsWith(`nodes.${prefix}-`)) return;
        const decoded = decodeMessage(MessageType.BackendInstallProgressEvent, msg.data);
        if (decoded.ok)
          published.push({
            nodeId: decoded.value.nodeId,
            phase: decoded.value.phase,
            pct: decoded.value.percentage,
            at,
          });
      },
    });
    await nc.flush();
    fleet = await startBenchFleet(
      ctx.servers.nats.url,
      simulatedNodes(prefix, backend, params.nodes, params.installMs),
      ctx.log,
    );
    await withTimeout(worker.ready, 120_000, 'the worker process start');
    say(
      `[f] ${params.nodes} node(s) installing for ${params.installMs / 1000} s each; polling status every ${params.pollMs} ms`,
    );
    const started = await startRollout(client, benchSpec(backend, fleet.fleet.nodeIds.slice(), 1), { taskQueue });
    workflowId = started.workflowId;
    running = true;
    const shown: ShownProgress[] = [];
    const pollDurations: number[] = [];
    let finalPhase = 'running';
    const deadline = Date.now() + params.timeoutMs;
    let lastSay = Date.now();
    for (;;) {
      if (Date.now() > deadline)
        throw new Error(`the progress rollout did not finish within ${params.timeoutMs / 1000} s`);
      const sentAt = Date.now();
      const snap = await getStatus(client, backend, { nodes: 'active' });
      const at = Date.now();
      pollDurations.push(at - sentAt);
      if (snap.execution !== 'RUNNING') {
        finalPhase = snap.status.phase;
        running = false;
        break;
      }
      for (const node of snap.status.nodes) {
        if (node.pct !== undefined) shown.push({ nodeId: node.id, phase: node.phase, pct: node.pct, at });
      }
      if (at - lastSay > 5_000) {
        lastSay = at;
        const latest = shown.at(-1);
        say(
          `[f] ${published.length} events published; status shows ${latest === undefined ? '—' : `${latest.phase ?? '?'} ${latest.pct.toFixed(0)}%`}`,
        );
      }
      await sleep(Math.max(0, params.pollMs - (Date.now() - sentAt)));
    }
    const matched = matchProgress(published, shown);
    say(`[f] ${published.length} events, ${matched.latenciesMs.length} seen in a poll, ${matched.neverShown} never`);
    return {
      ...matched,
      published: published.length,
      polls: pollDurations.length,
      pollDurationsMs: pollDurations,
      finalPhase,
    };
  } finally {
    if (running && workflowId !== undefined)
      await client.workflow
        .getHandle(workflowId)
        .terminate('benchmark clean-up')
        .catch(() => undefined);
    await worker.stop();
    await fleet?.stop();
    await nc.close();
  }
}
