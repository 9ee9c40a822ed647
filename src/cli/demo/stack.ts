/**
 * The demo's local stack, all started by this process and all stopped by it: a Temporal dev
 * server with its Web UI, a nats-server, the simulated fleet (in-process, on its own NATS
 * connection), optionally a simulated LocalAI frontend sending traffic, and the orchestrator
 * worker (in-process). A failure half-way stops whatever had
 * already started.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { startSimulatedFleet, type SimulatedNodeInput } from '../../agent/index.js';
import { startSimulatedFrontend, type TrafficStats } from '../../agent/simulated/frontend/index.js';
import { createFrontendClient, type FrontendClient } from '../../frontend/index.js';
import { connectTemporal } from '../../client/index.js';
import {
  startNatsServer,
  startTemporalDevServer,
  type NatsServer,
  type TemporalDevServer,
} from '../../local/dev-servers.js';
import { freePort } from '../../local/free-port.js';
import type { Logger } from '../../log.js';
import { connectNats } from '../../nats/index.js';
import { createOrchestratorWorker, DEFAULT_TASK_QUEUE, installRuntimeLogger, workflowBundle } from '../../worker.js';

/** What {@link startDemoStack} needs. */
export interface DemoStackOptions {
  /** Where the servers write their logs. */
  logDir: string;
  log: Logger;
  /** The simulated nodes to serve. */
  nodes: readonly SimulatedNodeInput[];
  /** Progress lines for the user (`demo: …`). */
  say: (line: string) => void;
  /** Also serve a simulated LocalAI frontend routing constant traffic, with `min_replicas` for `model`. */
  frontend?: { model: string; backend: string; replicasPerNode: number; nodeIds: readonly string[] };
}

/** The running stack. */
export interface DemoStack {
  /** `host:port` of the Temporal frontend. */
  temporalAddress: string;
  /** Base URL of the Temporal Web UI. */
  uiUrl: string;
  /** `nats://host:port` of the nats-server. */
  natsUrl: string;
  /** Process ids of the two servers (the fleet and the worker run inside this process). */
  pids: { temporal: number; nats: number };
  /** Task queue the worker polls (the CLI's default, so `fleet-rollout start` works against it). */
  taskQueue: string;
  /** A client of the dev server, closed by {@link DemoStack.stop}. */
  client: Client;
  /** The simulated LocalAI frontend, when asked for: its URL and its traffic counts so far. */
  frontend?: { url: string; traffic: () => TrafficStats | undefined };
  /** Stops everything, in reverse order of start; safe to call more than once. */
  stop(): Promise<void>;
}

/** Runs `cleanups` newest first, each once, ignoring their errors (stopping must always get to the servers). */
async function unwind(cleanups: (() => Promise<void>)[]): Promise<void> {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    if (cleanup !== undefined) await cleanup().catch(() => undefined);
  }
}

/** Starts the stack; on any failure stops what it had started and rethrows. */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const { log, logDir, say } = options;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    installRuntimeLogger(log);
    say('starting a Temporal dev server (with its Web UI) and a nats-server on free loopback ports');
    const uiPort = await freePort();
    const [temporalStart, natsStart, bundled] = await Promise.allSettled([
      startTemporalDevServer({ logDir, uiPort }),
      startNatsServer({ logDir }),
      // The workflow bundle takes seconds to build: build it while the servers come up.
      workflowBundle(),
    ]);
    if (temporalStart.status === 'fulfilled') cleanups.push(() => temporalStart.value.stop());
    if (natsStart.status === 'fulfilled') cleanups.push(() => natsStart.value.stop());
    for (const started of [temporalStart, natsStart, bundled]) if (started.status === 'rejected') throw started.reason;
    const temporal = (temporalStart as PromiseFulfilledResult<TemporalDevServer>).value;
    const nats = (natsStart as PromiseFulfilledResult<NatsServer>).value;
    const pids = { temporal: temporal.process.child.pid ?? 0, nats: nats.process.child.pid ?? 0 };
    say(`temporal pid ${pids.temporal}, nats-server pid ${pids.nats}`);
    const uiUrl = temporal.uiUrl ?? `http://127.0.0.1:${uiPort}`;

    const agentsNc = await connectNats({ servers: [nats.url], name: 'fleet-rollout demo fleet' });
    cleanups.push(() => agentsNc.close());
    const fleet = await startSimulatedFleet({ nc: agentsNc, nodes: options.nodes, log: log.child({ part: 'fleet' }) });
    cleanups.push(() => fleet.stop(0));
    say(`${fleet.nodeIds.length} simulated nodes serving LocalAI's NATS protocol`);

    let frontend: { url: string; client: FrontendClient; traffic: () => TrafficStats | undefined } | undefined;
    if (options.frontend !== undefined) {
      const { model, backend, replicasPerNode, nodeIds } = options.frontend;
      const started = await startSimulatedFrontend({
        nc: agentsNc,
        log: log.child({ part: 'frontend' }),
        nodes: nodeIds.map((id) => ({ id, maxReplicasPerModel: replicasPerNode })),
        catalog: new Map([[model, backend]]),
        scheduling: [{ model, minReplicas: nodeIds.length * replicasPerNode }],
        tickMs: 2_000,
        traffic: { ratePerSec: 20, requestMs: 300 },
      });
      cleanups.push(async () => void (await started.stop()));
      frontend = {
        url: started.url,
        client: createFrontendClient({ url: started.url }),
        traffic: () => started.traffic(),
      };
      say(`simulated LocalAI frontend at ${started.url}, routing 20 requests/s to ${model}`);
    }

    const orchestratorNc = await connectNats({ servers: [nats.url], name: 'fleet-rollout demo orchestrator' });
    cleanups.push(() => orchestratorNc.close());
    const native = await NativeConnection.connect({ address: temporal.address });
    cleanups.push(() => native.close());
    const worker = await createOrchestratorWorker({
      connection: native,
      nc: orchestratorNc,
      log: log.child({ part: 'worker' }),
      taskQueue: DEFAULT_TASK_QUEUE,
      ...(frontend === undefined ? {} : { frontend: frontend.client }),
    });
    const running = worker.run();
    // A worker that fails on its own is reported by the rollout stalling; its error goes to the log.
    running.catch((err: unknown) => log.error({ err }, 'orchestrator worker stopped with an error'));
    cleanups.push(() => stopWorker(worker, running));
    say(`orchestrator worker polling task queue ${DEFAULT_TASK_QUEUE}`);

    const client = await connectTemporal({ address: temporal.address, uiUrl });
    cleanups.push(() => client.connection.close());

    return {
      temporalAddress: temporal.address,
      uiUrl,
      natsUrl: nats.url,
      pids,
      taskQueue: DEFAULT_TASK_QUEUE,
      client,
      ...(frontend === undefined ? {} : { frontend: { url: frontend.url, traffic: frontend.traffic } }),
      stop: () => unwind(cleanups),
    };
  } catch (err) {
    await unwind(cleanups);
    throw err;
  }
}

async function stopWorker(worker: Worker, running: Promise<void>): Promise<void> {
  // The Temporal runtime already shuts workers down on SIGINT/SIGTERM; only ask when it has not.
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running.catch(() => undefined);
}
