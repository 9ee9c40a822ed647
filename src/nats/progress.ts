/**
 * Listens to a node's progress subject for one operation. The subscription is flushed to the
 * server before this resolves, so a request sent afterwards cannot outrun it (early events would
 * otherwise be lost). An event whose `node_id` is not the subject's node is dropped and counted:
 * with a shared credential any client may publish there, and it must not speak for that node.
 */
import type { NatsConnection, Subscription } from 'nats';
import { decodeMessage, MessageType, sanitizeToken, type MessageValue } from '../protocol/index.js';

export type ProgressEvent = MessageValue<typeof MessageType.BackendInstallProgressEvent>;

/** An active progress subscription. */
export interface ProgressListener {
  /** The most recent well-formed event, if any arrived. */
  latest(): ProgressEvent | undefined;
  /** Number of events received (malformed and foreign ones included). */
  readonly received: number;
  /** Events dropped because their `node_id` names another node than the subject's. */
  readonly foreign: number;
  stop(): void;
}

/**
 * Subscribes to `subject`, flushes, and calls `onEvent` for each well-formed event. Malformed
 * events are counted and dropped: progress is best effort and never fails an operation.
 */
export async function listenProgress(
  nc: NatsConnection,
  subject: string,
  onEvent: (event: ProgressEvent) => void = () => undefined,
): Promise<ProgressListener> {
  let latest: ProgressEvent | undefined;
  let received = 0;
  let foreign = 0;
  // nodes.<node>.backend.install.<op>.progress
  const subjectNode = subject.split('.')[1] ?? '';
  const sub: Subscription = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err !== null) return;
      received += 1;
      const decoded = decodeMessage(MessageType.BackendInstallProgressEvent, msg.data);
      if (decoded.ok && sanitizeToken(decoded.value.nodeId) !== subjectNode) {
        foreign += 1;
        return;
      }
      if (decoded.ok) {
        latest = decoded.value;
        try {
          onEvent(decoded.value);
        } catch {
          // A throwing listener must not tear down the connection's reader.
        }
      }
    },
  });
  await nc.flush();
  return {
    latest: () => latest,
    get received() {
      return received;
    },
    get foreign() {
      return foreign;
    },
    stop: () => sub.unsubscribe(),
  };
}
