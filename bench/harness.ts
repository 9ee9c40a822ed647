/**
 * The pieces every scenario stands on: the real servers, a simulated fleet on its own NATS
 * connection, unique names so scenarios never share a task queue, backend or node id, and small
 * timing helpers. Worker processes live in `worker-child.ts`, CPU and memory accounting in
 * `resources.ts`.
 */
import { Client, Connection } from '@temporalio/client';
import type { NatsConnection } from 'nats';
import { startSimulatedFleet, type SimulatedFleet } from '../src/agent/index.js';
import type { SimulatedNodeInput } from '../src/agent/simulated/knobs.js';
import {
  startNatsServer,
  startTemporalDevServer,
  type NatsServer,
  type TemporalDevServer,
} from '../src/local/dev-servers.js';
import { connectNats } from '../src/nats/index.js';
import type { Logger } from '../src/log.js';

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
