/**
 * What `backend.upgrade`, `backend.install` and `backend.delete` do on a node (PROTOCOL.md §4,
 * LocalAI's worker §5.2–5.4), serialised per backend by a lock: stop the backend's processes,
 * install through the installer with progress. An upgrade starts no process, as a LocalAI worker
 * starts none; only an install does, replying once the process passed its start check.
 * Every outcome is a reply value; failures carry LocalAI's error prefixes.
 */
import { agentMetrics } from '../../metrics/agent-metrics.js';
import type { Logger } from '../../log.js';
import {
  encodeMessageBytes,
  InstallPhase,
  MessageType,
  subjects,
  type BackendInstallRequest,
  type BackendUpgradeRequest,
  type MessageInput,
} from '../../protocol/index.js';
import { KeyedMutex } from './backend-lock.js';
import { decodeGalleries, GalleryDecodeError } from './installer/gallery-types.js';
import type { Installer, InstallSpec } from './installer/types.js';
import { processKeyOf, type ProcessTable } from './process-table.js';
import { NO_PROGRESS, ProgressPublisher, type ProgressSink } from './progress-publisher.js';
import type { NodeStats } from './stats.js';

/** Everything the operations and handlers of one node share. */
export interface HandlerContext {
  nodeId: string;
  installer: Installer;
  processes: ProcessTable;
  publish: (subject: string, payload: Uint8Array) => void;
  log: Logger;
  stats: NodeStats;
  /**
   * A worker that predates `backend.upgrade`: its forced install stops only `<backend>#N` processes,
   * so other models' replicas keep running the old build. @default false
   */
  legacy?: boolean;
  /** Op-id dedup bounds. @default one hour, 10,000 entries */
  dedup?: { ttlMs?: number; maxEntries?: number };
}

/** The lifecycle operations of one node; each resolves to encoded reply bytes and never rejects for bad input. */
export interface NodeOperations {
  upgrade: (req: BackendUpgradeRequest) => Promise<Uint8Array>;
  install: (req: BackendInstallRequest) => Promise<Uint8Array>;
  remove: (backend: string) => Promise<Uint8Array>;
}

type StoppedReply = MessageInput<'BackendUpgradeReply'>;

/** Builds the operations of one node around a fresh per-backend lock. */
export function createOperations(ctx: HandlerContext): NodeOperations {
  const locks = new KeyedMutex();

  const progressFor = (opId: string, backend: string): { sink: ProgressSink; flush(): void } => {
    const silent = { sink: NO_PROGRESS, flush: () => undefined };
    if (opId === '') return silent;
    let subject: string;
    try {
      subject = subjects.progress(ctx.nodeId, opId);
    } catch (err) {
      ctx.log.warn({ opId, err: message(err) }, 'op id cannot be a subject token: no progress for this operation');
      return silent;
    }
    const publisher = new ProgressPublisher({ publish: ctx.publish, subject, opId, nodeId: ctx.nodeId, backend });
    return { sink: publisher.sink, flush: () => publisher.flush() };
  };

  const specOf = (req: BackendUpgradeRequest | BackendInstallRequest, force: boolean): InstallSpec => ({
    backend: req.backend,
    galleries: decodeGalleries(req.backendGalleries ?? ''),
    uri: req.uri ?? '',
    name: req.name ?? '',
    alias: req.alias ?? '',
    force,
  });

  const runInstall = async (spec: InstallSpec, sink: ProgressSink) => {
    ctx.stats.installsRun += 1;
    return await agentMetrics.timeInstall(() => ctx.installer.install(spec, sink));
  };

  const upgrade = async (req: BackendUpgradeRequest): Promise<Uint8Array> => {
    const reply = (value: StoppedReply) => encodeMessageBytes(MessageType.BackendUpgradeReply, value);
    const opId = req.opId ?? '';
    return await locks.run(req.backend, async () => {
      const progress = progressFor(opId, req.backend);
      let stopped: string[] = [];
      try {
        const identity = await ctx.installer.identity(req.backend);
        const extra = req.backend === '' ? undefined : processKeyOf('', req.backend, req.replicaIndex ?? 0);
        try {
          stopped = await ctx.processes.stopBackend(identity, extra, false);
        } catch (err) {
          return reply({
            success: false,
            error: `stopping running backend before upgrade: ${message(err)}`,
            reportsStoppedProcesses: true,
          });
        }
        const source = req.uri === undefined ? 'upgrading backend from gallery' : 'upgrading backend from external URI';
        if (req.backend === '') throw new Error(`${source}: backend name is empty`);
        const spec = specOf(req, true);
        try {
          const info = await runInstall(spec, progress.sink);
          ctx.log.info({ backend: req.backend, version: info.version, stopped }, 'backend upgraded');
        } catch (err) {
          throw new Error(`${source}: ${message(err)}`);
        }
        return reply({ success: true, stoppedProcessKeys: stopped, reportsStoppedProcesses: true });
      } catch (err) {
        const text = err instanceof GalleryDecodeError ? `decoding backend galleries: ${err.message}` : message(err);
        ctx.log.warn({ backend: req.backend, err: text }, 'upgrade failed');
        return reply({ success: false, error: text, stoppedProcessKeys: stopped, reportsStoppedProcesses: true });
      } finally {
        progress.flush();
      }
    });
  };

  const install = async (req: BackendInstallRequest): Promise<Uint8Array> => {
    const reply = (value: MessageInput<'BackendInstallReply'>) =>
      encodeMessageBytes(MessageType.BackendInstallReply, value);
    const source = req.uri === undefined ? 'installing backend from gallery' : 'installing backend from external URI';
    if (req.backend === '') return reply({ success: false, error: `${source}: backend name is empty` });
    const replicaIndex = req.replicaIndex ?? 0;
    const modelId = req.modelId ?? '';
    const key = processKeyOf(modelId, req.backend, replicaIndex);
    return await locks.run(req.backend, async () => {
      const progress = progressFor(req.opId ?? '', req.backend);
      try {
        if (req.force === true) {
          try {
            if (ctx.legacy === true) await ctx.processes.stopLegacyKeys(req.backend, key, false);
            else await ctx.processes.stopBackend(await ctx.installer.identity(req.backend), key, false);
          } catch (err) {
            return reply({ success: false, error: `stopping running backend before reinstall: ${message(err)}` });
          }
        }
        let launch = req.force === true ? undefined : await ctx.installer.launchSpec(req.backend);
        if (launch === undefined) {
          const spec = specOf(req, req.force === true);
          try {
            await runInstall(spec, progress.sink);
          } catch (err) {
            throw new Error(`${source}: ${message(err)}`);
          }
          launch = await ctx.installer.launchSpec(req.backend);
          if (launch === undefined) throw new Error(`backend "${req.backend}" not found after install attempt`);
        }
        progress.sink({ phase: InstallPhase.Starting, percentage: 0, fileName: `Starting ${key}` });
        const address = await ctx.processes.ensure({ backend: req.backend, modelId, replicaIndex, launch });
        progress.sink({ phase: InstallPhase.Starting, percentage: 100, fileName: `Started ${key}` });
        ctx.log.info({ backend: req.backend, key, address }, 'backend process ready');
        return reply({ success: true, address });
      } catch (err) {
        const text = err instanceof GalleryDecodeError ? `decoding backend galleries: ${err.message}` : message(err);
        ctx.log.warn({ backend: req.backend, key, err: text }, 'install failed');
        return reply({ success: false, error: text });
      } finally {
        progress.flush();
      }
    });
  };

  const remove = async (backend: string): Promise<Uint8Array> => {
    const reply = (value: StoppedReply) => encodeMessageBytes(MessageType.BackendDeleteReply, value);
    if (backend === '') return reply({ success: false, error: 'backend name is empty', reportsStoppedProcesses: true });
    return await locks.run(backend, async () => {
      let stopped: string[] = [];
      try {
        stopped = await ctx.processes.stopBackend(await ctx.installer.identity(backend), undefined, false);
        await ctx.installer.remove(backend);
        ctx.log.info({ backend, stopped }, 'backend deleted');
        return reply({ success: true, stoppedProcessKeys: stopped, reportsStoppedProcesses: true });
      } catch (err) {
        return reply({
          success: false,
          error: message(err),
          stoppedProcessKeys: stopped,
          reportsStoppedProcesses: true,
        });
      }
    });
  };

  return { upgrade, install, remove };
}

/** The message of an error, or the value as text. */
export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
