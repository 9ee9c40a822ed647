/** Shared set-up of the real-agent test files: a nats-server, an HTTP file server, agents on temp dirs. */
import { after } from 'node:test';
import net from 'node:net';
import path from 'node:path';
import type { NatsConnection } from 'nats';
import { startAgent, type Agent, type AgentOptions } from '../../../src/agent/index.js';
import { uniqueName, useServers, type ServerSet } from '../../support/servers.js';
import { serveFiles, tempDir, type FileServer } from './files.js';
import { lazyConnection, testLogger } from './wire.js';

/** One agent on a fresh backends directory. */
export interface AgentUnderTest {
  agent: Agent;
  id: string;
  /** The backends directory. */
  dir: string;
  /** Its parent, a scratch directory for artifacts. */
  root: string;
  http: FileServer;
}

/** Registers the hooks and returns the helpers of a real-agent test file; `registry` adds an OCI registry. */
export function useRealAgents(options: { registry?: boolean } = {}): {
  servers: ServerSet;
  connection: () => Promise<NatsConnection>;
  /** Starts an agent; `overrides` replace its options (limits, logger). */
  setup: (overrides?: Partial<AgentOptions>) => Promise<AgentUnderTest>;
} {
  const agents: Agent[] = [];
  let files: FileServer | undefined;
  after(async () => {
    for (const agent of agents) await agent.stop(1_000);
    await files?.close();
    await connection.close();
  });
  const servers = useServers({ nats: true, temporal: false, registry: options.registry ?? false });
  const connection = lazyConnection(() => servers.nats.url);
  return {
    servers,
    connection: () => connection.get(),
    setup: async (overrides = {}) => {
      const nc = await connection.get();
      files ??= await serveFiles();
      const root = tempDir('agent');
      const dir = path.join(root, 'backends');
      const id = uniqueName('real');
      const agent = await startAgent({
        nc,
        nodeId: id,
        backendsDir: dir,
        log: testLogger(),
        readyTimeoutMs: 10_000,
        stopGraceMs: 1_000,
        ...overrides,
      });
      agents.push(agent);
      return { agent, id, dir, http: files, root };
    },
  };
}

/** A `backend_galleries` value naming `urls` as galleries g0, g1, … */
export const galleries = (...urls: string[]): string => JSON.stringify(urls.map((url, i) => ({ url, name: `g${i}` })));

/** True when something accepts TCP connections at `host:port`. */
export const listens = (address: string): Promise<boolean> =>
  new Promise<boolean>((resolve) => {
    const [host, port] = address.split(':');
    const socket = net.connect({ host, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
