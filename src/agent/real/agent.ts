/**
 * One real node agent: the protocol handlers over the real installer (tarballs in a backends
 * directory) and the process supervisor.
 */
import type { NatsConnection } from 'nats';
import type { Logger } from '../../log.js';
import { nodeToken } from '../../protocol/index.js';
import type { Gallery } from '../node/installer/gallery-types.js';
import type { InstallLimits } from '../node/installer/limits.js';
import { RealInstaller } from './installer/real-installer.js';
import { serveNode } from '../node/node-service.js';
import type { ProcessInfo } from '../node/process-table.js';
import type { NodeStats } from '../node/stats.js';
import { Supervisor } from './supervisor.js';

/** What {@link startAgent} needs. */
export interface AgentOptions {
  nc: NatsConnection;
  nodeId: string;
  /** Where backends are installed; created when missing. */
  backendsDir: string;
  /** Galleries used when a request carries none. @default [] */
  galleries?: Gallery[];
  log: Logger;
  /** Serve no `backend.upgrade` subject (an old worker). @default false */
  legacy?: boolean;
  /** Stretch every extraction over at least this long (test knob). @default 0 */
  extractDelayMs?: number;
  /** Size, entry and time limits of each install. @default DEFAULT_INSTALL_LIMITS */
  installLimits?: Partial<InstallLimits>;
  /** How long a started backend may take to listen. @default 30000 */
  readyTimeoutMs?: number;
  /** How long a started backend must stay up after it listened to pass the start check. @default 500 */
  settleMs?: number;
  /** SIGTERM → SIGKILL grace for backend processes. @default 5000 */
  stopGraceMs?: number;
  /** Largest accepted request. @default 1 MiB */
  maxRequestBytes?: number;
}

/** A running agent. */
export interface Agent {
  readonly nodeId: string;
  /** The absolute backends directory. */
  readonly backendsDir: string;
  stats(): NodeStats;
  /** The backend processes running now, with the install generation each was started from. */
  processes(): ProcessInfo[];
  /**
   * Stops taking requests, gives operations in flight `graceMs` to finish (an install cut short
   * leaves the installed version in place), then stops backend processes. The NATS connection is
   * left to the caller.
   * @default graceMs 10000
   */
  stop(graceMs?: number): Promise<void>;
}

/** Starts serving one node; resolves once its subscriptions reached the server. */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  nodeToken(options.nodeId);
  const log = options.log.child({ nodeId: options.nodeId });
  const installer = await RealInstaller.open({
    backendsDir: options.backendsDir,
    log,
    ...(options.galleries !== undefined ? { galleries: options.galleries } : {}),
    ...(options.extractDelayMs !== undefined ? { extractDelayMs: options.extractDelayMs } : {}),
    ...(options.installLimits !== undefined ? { limits: options.installLimits } : {}),
  });
  const supervisor = new Supervisor({
    log,
    ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    ...(options.stopGraceMs !== undefined ? { stopGraceMs: options.stopGraceMs } : {}),
    ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
  });
  const service = serveNode({
    nc: options.nc,
    nodeId: options.nodeId,
    installer,
    processes: supervisor,
    log,
    legacy: options.legacy ?? false,
    ...(options.maxRequestBytes !== undefined ? { maxRequestBytes: options.maxRequestBytes } : {}),
  });
  await options.nc.flush();
  return {
    nodeId: options.nodeId,
    backendsDir: installer.backendsDir,
    stats: () => service.stats(),
    processes: () => supervisor.list(),
    stop: async (graceMs = 10_000) => {
      service.close();
      const settled = await service.settle(graceMs);
      if (!settled)
        log.warn({ graceMs }, 'operations still running at shutdown were abandoned; installed versions are unchanged');
      await supervisor.stopAll();
      if (!options.nc.isClosed()) await options.nc.flush().catch(() => undefined);
    },
  };
}
