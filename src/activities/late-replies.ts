/**
 * Late upgrade replies. A `backend.upgrade` that times out may still be answered: the worker
 * finishes the install minutes later and replies with the process keys it killed, which the
 * rollout needs to start those replicas again. `upgradeNode` sends the request on its own reply
 * inbox and, on a timeout, hands that inbox here; `verifyNode` reads what arrived.
 *
 * The record lives in the worker process that sent the request: a reply that arrives after that
 * worker restarted, or is read by another worker's verification, is not seen (the rollout then
 * treats the stopped replicas as unknown, as it did before).
 */
import type { NatsConnection } from 'nats';
import { openReplyInbox, type InboxMessage, type ReplyInbox } from '../nats/index.js';
import { decodeMessage, MessageType, type MessageValue } from '../protocol/index.js';

/** How long a timed-out request's inbox keeps listening (large images install for 8–10 minutes). */
export const LATE_REPLY_LISTEN_MS = 30 * 60_000;

export type UpgradeReply = MessageValue<typeof MessageType.BackendUpgradeReply>;

/** What arrived on a timed-out request's inbox. */
export type LateReply = { ok: true; reply: UpgradeReply } | { ok: false; error: string };

interface Entry {
  inbox: ReplyInbox;
  timer: NodeJS.Timeout;
  arrived?: LateReply;
  waiters: (() => void)[];
}

/** One upgrade request's inbox, open before the request goes out. */
export interface UpgradeInbox {
  readonly inbox: ReplyInbox;
  /** The request timed out: keep listening for `listenMs`. */
  keep(listenMs?: number): void;
  /** The request ended (answered or failed otherwise): stop listening. */
  close(): void;
}

function toLateReply(message: InboxMessage): LateReply {
  if (message.kind === 'no-responders') return { ok: false, error: 'no responders' };
  const decoded = decodeMessage(MessageType.BackendUpgradeReply, message.data);
  return decoded.ok ? { ok: true, reply: decoded.value } : { ok: false, error: decoded.error.message };
}

/** The timed-out upgrade requests of this worker whose replies may still arrive, by op id. */
export class LateReplies {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly nc: NatsConnection) {}

  /** Opens a fresh inbox for the op's upgrade request. */
  open(opId: string): UpgradeInbox {
    const inbox = openReplyInbox(this.nc);
    return {
      inbox,
      keep: (listenMs = LATE_REPLY_LISTEN_MS) => {
        this.drop(opId);
        const entry: Entry = { inbox, timer: setTimeout(() => this.drop(opId), listenMs).unref(), waiters: [] };
        this.entries.set(opId, entry);
        inbox.onLate((message) => {
          entry.arrived = toLateReply(message);
          for (const wake of entry.waiters.splice(0)) wake();
        });
      },
      close: () => inbox.close(),
    };
  }

  /** The late reply of the op, once it arrived; `undefined` while none has (or none is awaited here). */
  read(opId: string): LateReply | undefined {
    return this.entries.get(opId)?.arrived;
  }

  /**
   * Waits up to `ms` for the op's late reply when one is still awaited here. A worker that finished
   * installing shows the new build in `backend.list` about when it replies, so verification that
   * found the upgrade applied gives the reply a moment to arrive.
   */
  async wait(opId: string, ms: number): Promise<LateReply | undefined> {
    const entry = this.entries.get(opId);
    if (entry === undefined || entry.arrived !== undefined) return entry?.arrived;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      entry.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return entry.arrived;
  }

  /** Stops listening for the op. */
  drop(opId: string): void {
    const entry = this.entries.get(opId);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    entry.inbox.close();
    this.entries.delete(opId);
  }
}
