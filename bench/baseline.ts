/**
 * Scenario b's baseline: what a script would do without durability. A plain fan-out over NATS
 * with at most P requests in flight, using the same request helper the activities use: per node
 * `backend.upgrade` (with an op id, so the node does the same work, progress included), then
 * `backend.list` to check the new install. Nothing is recorded anywhere.
 */
import { randomUUID } from 'node:crypto';
import { forEachBounded } from '../src/nats/discovery.js';
import { connectNats, requestMessage } from '../src/nats/index.js';
import { MessageType, subjects } from '../src/protocol/index.js';
import type { FanOutParams } from './config.js';
import { every, say, simulatedNodes, startBenchFleet, uniqueName, withTimeout, type BenchFleet } from './harness.js';
import { cpuSnapshot, resourceUse, type ResourceUse } from './resources.js';
import type { ScenarioContext } from './rollout-run.js';
import { summarize, type Summary } from './stats.js';

/** The NATS request timeout of the upgrade, as in the benchmark rollouts' spec. */
const UPGRADE_TIMEOUT_MS = 10 * 60_000;
/** LocalAI's own `backend.list` timeout. */
const LIST_TIMEOUT_MS = 30_000;

export interface BaselineRun {
  makespanMs: number;
  succeeded: number;
  failed: number;
  /** The first few failure messages. */
  failures: string[];
  fleetStartMs: number;
  /** Per node: upgrade request sent → list reply received. */
  nodeDurationMs: Summary | undefined;
  resources: ResourceUse;
}

export async function measureBaseline(ctx: ScenarioContext, params: FanOutParams): Promise<BaselineRun> {
  const backend = uniqueName('bench-b');
  const prefix = uniqueName('b');
  say(`[b] starting ${params.nodes.toLocaleString('en-US')} simulated nodes for the baseline fan-out`);
  let fleet: BenchFleet | undefined;
  const nc = await connectNats({ servers: [ctx.servers.nats.url], name: 'bench-baseline' });
  try {
    fleet = await startBenchFleet(
      ctx.servers.nats.url,
      simulatedNodes(prefix, backend, params.nodes, params.installMs),
      ctx.log,
    );
    const durations: number[] = [];
    const failures: string[] = [];
    let succeeded = 0;
    const before = cpuSnapshot(ctx.servers);
    const t0 = Date.now();
    const stopTicker = every(5_000, () =>
      say(`[b] ${((Date.now() - t0) / 1000).toFixed(0)} s: ${succeeded + failures.length}/${params.nodes} done`),
    );
    const upgradeOne = async (nodeId: string): Promise<void> => {
      const start = Date.now();
      try {
        const reply = await requestMessage(
          nc,
          subjects.upgrade(nodeId),
          MessageType.BackendUpgradeRequest,
          { backend, opId: randomUUID() },
          MessageType.BackendUpgradeReply,
          UPGRADE_TIMEOUT_MS,
        );
        if (!reply.success) throw new Error(`${nodeId} rejected the upgrade: ${reply.error ?? '?'}`);
        const list = await requestMessage(
          nc,
          subjects.list(nodeId),
          MessageType.BackendListRequest,
          {},
          MessageType.BackendListReply,
          LIST_TIMEOUT_MS,
        );
        const version = list.backends.find((b) => b.name === backend)?.version;
        if (version === undefined || version === 'v1.0.0')
          throw new Error(`${nodeId} still lists ${version ?? 'nothing'}`);
        succeeded += 1;
        durations.push(Date.now() - start);
      } catch (err) {
        failures.push((err as Error).message);
      }
    };
    try {
      await withTimeout(
        forEachBounded(fleet.fleet.nodeIds, params.maxParallel, upgradeOne),
        params.timeoutMs,
        'the baseline fan-out',
      );
    } finally {
      stopTicker();
    }
    const makespanMs = Date.now() - t0;
    const after = cpuSnapshot(ctx.servers);
    say(`[b] done in ${(makespanMs / 1000).toFixed(2)} s (${succeeded} succeeded, ${failures.length} failed)`);
    return {
      makespanMs,
      succeeded,
      failed: failures.length,
      failures: failures.slice(0, 5),
      fleetStartMs: fleet.startMs,
      nodeDurationMs: summarize(durations),
      resources: resourceUse(before, after, undefined, ctx.servers),
    };
  } finally {
    await fleet?.stop();
    await nc.close();
  }
}
