/**
 * One chaos campaign: the real stack (persisted Temporal, traced NATS) started once, then each
 * seed in turn (`runSeed`: a fresh fleet and worker, a rollout, the seed's faults, the invariants).
 */
import { Client, Connection } from '@temporalio/client';
import { mkdirSync } from 'node:fs';
import { connect, type NatsConnection } from 'nats';
import type { FaultPlan } from './faults.js';
import type { Violation } from './invariants.js';
import { runSeed } from './seed.js';
import { startPersistedTemporal, startTracedNats } from './stack.js';

/** How a campaign runs. */
export interface CampaignOptions {
  seeds: readonly number[];
  /** Nodes per rollout. @default 6 */
  nodes?: number;
  /** Replicas per node. @default 2 */
  replicas?: number;
  /** Install duration range of the simulated nodes, as `fleet --install-time` takes it. @default "400ms-1.2s" */
  installTime?: string;
  /** Faults fall within this long after the rollout starts. @default 8000 */
  faultWindowMs?: number;
  /**
   * Also require every succeeded node to run its replicas again after the rollout (an orchestrator
   * that restores replicas after an upgrade). @default false
   */
  expectReplicas?: boolean;
  /** A rollout not ended after this long is a violation. @default 180000 */
  deadlineMs?: number;
  /** The campaign directory (created). */
  dir: string;
  say: (line: string) => void;
}

/** The outcome of one seed. */
export interface SeedResult {
  seed: number;
  plan: FaultPlan;
  phase: string;
  succeeded: number;
  failed: number;
  upgradeRequests: number;
  durationMs: number;
  violations: Violation[];
  /** The seed's kept directory, when it failed. */
  keptDir?: string;
}

/** A Temporal dev server on its database that can be killed and restarted. */
export type Temporal = Awaited<ReturnType<typeof startPersistedTemporal>>;

/** The long-lived parts of a campaign, shared by its seeds. */
export interface Stack {
  temporal: Temporal;
  nats: Awaited<ReturnType<typeof startTracedNats>>;
  client: Client;
  /** A connection for the campaign's own backend.list questions (before and after a rollout). */
  nc: NatsConnection;
}

/** Runs every seed in turn on one stack; stops the stack at the end, whatever happened. */
export async function runCampaign(options: CampaignOptions): Promise<SeedResult[]> {
  mkdirSync(options.dir, { recursive: true });
  const nats = await startTracedNats(options.dir);
  let temporal: Temporal | undefined;
  let connection: Connection | undefined;
  let nc: NatsConnection | undefined;
  try {
    temporal = await startPersistedTemporal(options.dir);
    connection = await Connection.connect({ address: temporal.address });
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const stack: Stack = { temporal, nats, client: new Client({ connection }), nc };
    const results: SeedResult[] = [];
    for (const seed of options.seeds) {
      const result = await runSeed(seed, stack, options);
      const verdict = result.violations.map((v) => `${v.invariant}: ${v.detail}`).join('; ');
      options.say(`seed ${seed}: ${result.phase}, ${verdict === '' ? 'every invariant held' : verdict}`);
      results.push(result);
    }
    return results;
  } finally {
    await nc?.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await temporal?.stop();
    await nats.stop();
  }
}
