/**
 * Reads nats-server's protocol trace (`-V`) back into the messages that crossed the bus: every
 * published message with its time, subject, reply subject and payload. Requests to a node are
 * then paired with their replies by reply inbox. Pure text processing: no connection, no clock.
 */

/** One message a client published. */
export interface TracedMessage {
  /** Milliseconds since the epoch (the server's local clock, microsecond log resolution). */
  at: number;
  subject: string;
  reply: string | undefined;
  payload: string;
  /**
   * A request (a message with a reply inbox) that no subscriber received: nats-server answered it
   * with no responders, so it cannot have reached a node.
   */
  undelivered?: true;
}

/** What a node was asked, with the reply if one was published. */
export interface NodeRequest {
  at: number;
  nodeToken: string;
  /** `backend.upgrade` → `upgrade`, `backend.install` → `install`, `backend.list` → `list`, `models.running` → `modelsRunning`, … */
  kind: string;
  body: Record<string, unknown>;
  reply?: { at: number; body: Record<string, unknown> };
  /** No subscriber received it (no responders): it cannot have reached the node. */
  undelivered?: true;
}

const PUB =
  /^\[\d+\] (\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d\.\d+) \[TRC\] .* - cid:(\d+) - .*<<- \[H?PUB (\S+)(?: (\S+))? \d+(?: \d+)?\]$/;
const PAYLOAD = /^\[\d+\] \S+ \S+ \[TRC\] .* - cid:(\d+) - .*<<- MSG_PAYLOAD: (\[.*\])$/;
/** The server delivering a message with a reply inbox to a subscriber. */
const DELIVERY = /->> \[H?MSG \S+ \S+ (\S+) \d+(?: \d+)?\]$/;
const NODE_SUBJECT = /^nodes\.([^.]+)\.(backend\.(?:upgrade|install|list|stop|delete)|models\.running)$/;

/** Every message published in `trace` (the text of a trace log, or a part of it starting at a line). */
export function parseTrace(trace: string): TracedMessage[] {
  const pending = new Map<string, Omit<TracedMessage, 'payload'>>();
  const out: TracedMessage[] = [];
  const lines = trace.split('\n');
  const delivered = new Set(lines.map((line) => DELIVERY.exec(line)?.[1]).filter((r) => r !== undefined));
  for (const line of lines) {
    const pub = PUB.exec(line);
    if (pub !== null) {
      const [, y, mo, d, time, cid = '', subject = '', reply] = pub;
      pending.set(cid, { at: new Date(`${y}-${mo}-${d}T${time?.slice(0, 12)}`).getTime(), subject, reply });
      continue;
    }
    const payload = PAYLOAD.exec(line);
    if (payload === null) continue;
    const head = pending.get(payload[1] ?? '');
    if (head === undefined) continue;
    pending.delete(payload[1] ?? '');
    let text = '';
    try {
      text = (JSON.parse(payload[2] ?? '[]') as string[])[0] ?? '';
    } catch {
      text = '';
    }
    const headerEnd = text.indexOf('\r\n\r\n');
    const message: TracedMessage = {
      ...head,
      payload: text.startsWith('NATS/1.0') && headerEnd >= 0 ? text.slice(headerEnd + 4) : text,
    };
    if (head.reply !== undefined && !delivered.has(head.reply)) message.undelivered = true;
    out.push(message);
  }
  return out;
}

function json(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The requests to nodes among `messages`, each with its reply when one went out. */
export function nodeRequests(messages: readonly TracedMessage[]): NodeRequest[] {
  const byInbox = new Map<string, NodeRequest>();
  const out: NodeRequest[] = [];
  for (const m of messages) {
    const node = NODE_SUBJECT.exec(m.subject);
    if (node !== null) {
      const kind = (node[2] ?? '').replace(/^backend\./, '').replace('models.running', 'modelsRunning');
      const request: NodeRequest = { at: m.at, nodeToken: node[1] ?? '', kind, body: json(m.payload) };
      if (m.undelivered === true) request.undelivered = true;
      out.push(request);
      if (m.reply !== undefined) byInbox.set(m.reply, request);
      continue;
    }
    const request = byInbox.get(m.subject);
    if (request !== undefined && request.reply === undefined) request.reply = { at: m.at, body: json(m.payload) };
  }
  return out;
}
