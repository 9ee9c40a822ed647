/**
 * A request's own reply inbox that outlives the request. `nc.request` unsubscribes its inbox at the
 * timeout, so a reply that comes later is dropped; a worker that finished installing minutes after
 * the timeout still replies, and its reply carries facts nothing else reports (the process keys it
 * killed). Only one subscription may listen on the inbox: nats-server sends its no-responders
 * status to a single subscription of the requesting connection.
 */
import { createInbox, type Msg, type NatsConnection } from 'nats';

/** The status code nats-server sends to the reply inbox when nobody serves the subject. */
const NO_RESPONDERS = 503;

/** What came to the inbox: a reply, or the server's no-responders status. */
export type InboxMessage = { kind: 'reply'; data: Uint8Array } | { kind: 'no-responders' };

export interface ReplyInbox {
  readonly subject: string;
  /** The first message, or `undefined` after `timeoutMs`; later messages go to the late handler. */
  next(timeoutMs: number): Promise<InboxMessage | undefined>;
  /** Handles messages that arrive when nobody waits in `next` (the first such message only). */
  onLate(handler: (message: InboxMessage) => void): void;
  close(): void;
}

function toMessage(msg: Msg): InboxMessage {
  if (msg.data.length === 0 && msg.headers?.code === NO_RESPONDERS) return { kind: 'no-responders' };
  return { kind: 'reply', data: msg.data };
}

/** Subscribes a fresh inbox on `nc`; the caller publishes with it as the reply subject. */
export function openReplyInbox(nc: NatsConnection): ReplyInbox {
  const subject = createInbox();
  let waiter: ((message: InboxMessage | undefined) => void) | undefined;
  let late: ((message: InboxMessage) => void) | undefined;
  let pendingLate: InboxMessage | undefined;
  const sub = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err !== null) return;
      const message = toMessage(msg);
      if (waiter !== undefined) {
        const wake = waiter;
        waiter = undefined;
        wake(message);
      } else if (late !== undefined) {
        late(message);
        sub.unsubscribe();
      } else pendingLate ??= message;
    },
  });
  return {
    subject,
    next: (timeoutMs) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          resolve(undefined);
        }, timeoutMs);
        waiter = (message) => {
          clearTimeout(timer);
          resolve(message);
        };
      }),
    onLate: (handler) => {
      if (pendingLate !== undefined) {
        handler(pendingLate);
        sub.unsubscribe();
      } else late = handler;
    },
    close: () => sub.unsubscribe(),
  };
}
