/**
 * Real servers for a test file: a Temporal dev server and/or a nats-server on free loopback
 * ports, started in `before`, always stopped in `after`. Wrap test bodies with `withLogs` so a
 * failing test prints the tail of the servers' logs.
 */
import { after, before } from 'node:test';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startNatsServer,
  startRegistry,
  startTemporalDevServer,
  type NatsServer,
  type NatsServerOptions,
  type RegistryServer,
  type TemporalDevServer,
} from '../../src/local/dev-servers.js';

export interface ServerSet {
  temporal: TemporalDevServer;
  nats: NatsServer;
  /** Only with `registry: true`. */
  registry: RegistryServer;
  logDir: string;
  /**
   * Resolves once every server answers. Top-level `before` hooks of node:test start at once and
   * do not wait for each other, so other hooks must await this.
   */
  ready: Promise<void>;
  /**
   * Registers clean-up to run before the servers stop. node:test runs `after` hooks in the order
   * they were registered, and this file's hook is registered first, so a test file's own `after`
   * would find the servers already gone.
   */
  beforeStop(cleanup: () => Promise<void>): void;
}

export interface UseServersOptions {
  temporal?: boolean | { persist?: boolean };
  nats?: boolean | Omit<NatsServerOptions, 'logDir'>;
  /** An OCI registry on loopback (plain HTTP, in memory). */
  registry?: boolean;
}

/** Registers hooks that start the servers before the file's tests and stop them after. */
export function useServers(options: UseServersOptions = { temporal: true, nats: true }): ServerSet {
  const set = {} as ServerSet;
  const stops: (() => Promise<void>)[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  set.beforeStop = (cleanup) => {
    cleanups.push(cleanup);
  };
  let markReady: (err?: unknown) => void = () => undefined;
  set.ready = new Promise<void>((resolve, reject) => {
    markReady = (err?: unknown) =>
      err === undefined ? resolve() : reject(err instanceof Error ? err : new Error('servers failed to start'));
  });
  // A failed start must not also surface as an unhandled rejection.
  set.ready.catch(() => undefined);
  const startAll = async (): Promise<void> => {
    set.logDir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-test-'));
    if (options.nats !== undefined && options.nats !== false) {
      const natsOptions = options.nats === true ? {} : options.nats;
      set.nats = await startNatsServer({ logDir: set.logDir, ...natsOptions });
      stops.push(() => set.nats.stop());
    }
    if (options.registry === true) {
      set.registry = await startRegistry({ logDir: set.logDir });
      stops.push(() => set.registry.stop());
    }
    if (options.temporal !== undefined && options.temporal !== false) {
      const persist = typeof options.temporal === 'object' && options.temporal.persist === true;
      set.temporal = await startTemporalDevServer({
        logDir: set.logDir,
        ...(persist ? { dbFile: path.join(set.logDir, 'temporal.db') } : {}),
      });
      stops.push(() => set.temporal.stop());
    }
  };
  before(async () => {
    try {
      await startAll();
      markReady();
    } catch (err) {
      markReady(err);
      throw err;
    }
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        console.error('clean-up before stopping the servers failed:', err);
      }
    }
    for (const stop of stops.reverse()) await stop();
  });
  return set;
}

/** Runs `body`; when it throws, prints the tail of every server log of `set` before rethrowing. */
export function withLogs(set: ServerSet, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await set.ready;
      await body();
    } catch (err) {
      for (const proc of [set.temporal?.process, set.nats?.process, set.registry?.process]) {
        if (proc !== undefined) console.error(`--- ${proc.name} log (${proc.logFile}) ---\n${proc.logTail(30)}`);
      }
      throw err;
    }
  };
}

/** A name unique within this test process, for task queues, node ids and workflow ids. */
export function uniqueName(prefix: string): string {
  uniqueCounter += 1;
  return `${prefix}-${process.pid}-${uniqueCounter}-${Date.now().toString(36)}`;
}
let uniqueCounter = 0;
