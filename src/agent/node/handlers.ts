/**
 * The worker side of the protocol (PROTOCOL.md §3–4): one function per subject, bytes in, reply
 * bytes out (`undefined` for `backend.stop`, which never replies). Every failure becomes a reply
 * in the subject's shape; nothing here throws for bad input.
 */
import { decodeMessage, encodeMessageBytes, MessageType } from '../../protocol/index.js';
import { invalidRequestReason, opIdTooLong } from './invalid-request.js';
import { OpDedup, DedupOutcome } from './op-dedup.js';
import { createOperations, message, type HandlerContext } from './operations.js';
import type { HandlerKind } from './stats.js';

/** A subject's handler: request bytes in, reply bytes out (`undefined`: send nothing). */
export type Handler = (payload: Uint8Array) => Promise<Uint8Array | undefined>;

/** Builds the six handlers of one node. */
export function createHandlers(ctx: HandlerContext): Record<HandlerKind, Handler> & {
  errorReply(kind: HandlerKind, message: string): Uint8Array | undefined;
} {
  const { upgrade, install, remove } = createOperations(ctx);
  const upgrades = new OpDedup<Uint8Array>(ctx.dedup);
  const installs = new OpDedup<Uint8Array>(ctx.dedup);

  const deduplicated = async (
    dedup: OpDedup<Uint8Array>,
    backend: string,
    opId: string,
    run: () => Promise<Uint8Array>,
  ) => {
    if (opId === '') return await run();
    const { value, outcome } = await dedup.run(`${backend}\u0000${opId}`, run);
    if (outcome !== DedupOutcome.Ran) {
      ctx.stats.dedupHits += 1;
      ctx.log.info({ backend, opId, outcome }, 'repeated op id: answering with the same reply');
    }
    return value;
  };

  const errorReply = (kind: HandlerKind, text: string): Uint8Array | undefined => {
    switch (kind) {
      case 'list':
        return encodeMessageBytes(MessageType.BackendListReply, { backends: [], error: text });
      case 'modelsRunning':
        return encodeMessageBytes(MessageType.ModelsRunningReply, { models: [], error: text });
      case 'stop':
        return undefined;
      case 'upgrade':
        return encodeMessageBytes(MessageType.BackendUpgradeReply, { success: false, error: text });
      case 'install':
        return encodeMessageBytes(MessageType.BackendInstallReply, { success: false, error: text });
      case 'delete':
        return encodeMessageBytes(MessageType.BackendDeleteReply, { success: false, error: text });
    }
  };

  return {
    errorReply,
    list: async () => {
      try {
        return encodeMessageBytes(MessageType.BackendListReply, { backends: await ctx.installer.list() });
      } catch (err) {
        return errorReply('list', message(err));
      }
    },
    modelsRunning: () =>
      Promise.resolve(encodeMessageBytes(MessageType.ModelsRunningReply, { models: ctx.processes.running() })),
    upgrade: async (payload) => {
      const decoded = decodeMessage(MessageType.BackendUpgradeRequest, payload);
      if (!decoded.ok)
        return errorReply(
          'upgrade',
          `invalid request: ${invalidRequestReason(MessageType.BackendUpgradeRequest, payload, decoded.error)}`,
        );
      const req = decoded.value;
      const tooLong = opIdTooLong(req.opId);
      if (tooLong !== undefined) return errorReply('upgrade', tooLong);
      return await deduplicated(upgrades, req.backend, req.opId ?? '', () => upgrade(req));
    },
    install: async (payload) => {
      const decoded = decodeMessage(MessageType.BackendInstallRequest, payload);
      if (!decoded.ok)
        return errorReply(
          'install',
          `invalid request: ${invalidRequestReason(MessageType.BackendInstallRequest, payload, decoded.error)}`,
        );
      const req = decoded.value;
      const tooLong = opIdTooLong(req.opId);
      if (tooLong !== undefined) return errorReply('install', tooLong);
      return await deduplicated(installs, req.backend, req.opId ?? '', () => install(req));
    },
    delete: async (payload) => {
      const decoded = decodeMessage(MessageType.BackendDeleteRequest, payload);
      if (!decoded.ok)
        return errorReply(
          'delete',
          `invalid request: ${invalidRequestReason(MessageType.BackendDeleteRequest, payload, decoded.error)}`,
        );
      return await remove(decoded.value.backend);
    },
    stop: async (payload) => {
      // Empty payload and `null` both mean "stop all"; malformed JSON is ignored, never read as stop-all.
      const decoded = decodeMessage(MessageType.BackendStopRequest, payload.length === 0 ? 'null' : payload);
      if (!decoded.ok) {
        ctx.log.warn({ err: decoded.error.message }, 'ignoring malformed backend.stop');
        return undefined;
      }
      const stopped = await ctx.processes.stopTarget(decoded.value.backend, decoded.value.force ?? false);
      ctx.log.info({ target: decoded.value.backend || '(all)', stopped }, 'backend.stop handled');
      return undefined;
    },
  };
}
