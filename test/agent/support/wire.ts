/** Raw-bytes request helpers for driving nodes exactly as a LocalAI frontend would. */
import { connect, type NatsConnection } from 'nats';
import { createLogger, type Logger } from '../../../src/log.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Sends `payload` (text) and returns the reply as text. Throws nats.js errors unchanged. */
export async function ask(
  nc: NatsConnection,
  subject: string,
  payload: string | Uint8Array,
  timeoutMs = 5_000,
): Promise<string> {
  const data = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const reply = await nc.request(subject, data, { timeout: timeoutMs });
  return decoder.decode(reply.data);
}

/** The nats.js error code of a failed request (`'503'` no responders, `'TIMEOUT'`), or `'ok'`. */
export async function failureCode(
  nc: NatsConnection,
  subject: string,
  payload: string,
  timeoutMs = 2_000,
): Promise<string> {
  try {
    await ask(nc, subject, payload, timeoutMs);
    return 'ok';
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
}

/** Collects decoded progress events on `subject`; call `stop()` when done. Flushed before it resolves. */
export async function collect(
  nc: NatsConnection,
  subject: string,
): Promise<{ events: { at: number; json: string }[]; stop(): void }> {
  const events: { at: number; json: string }[] = [];
  const sub = nc.subscribe(subject, {
    callback: (_err, msg) => events.push({ at: Date.now(), json: decoder.decode(msg.data) }),
  });
  await nc.flush();
  return { events, stop: () => sub.unsubscribe() };
}

/** The agent's logger for tests: silent unless LOG_LEVEL is set. */
export function testLogger(): Logger {
  return createLogger({ level: process.env['LOG_LEVEL'] ?? 'silent' });
}

/** Polls `probe` every 20 ms until it is true or `timeoutMs` passes. */
export async function eventually(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what}: not true within ${timeoutMs} ms`);
}

/**
 * A NATS connection opened on first use. Top-level `before` hooks run concurrently on Node 20,
 * so a test file cannot rely on the server being up inside its own `before`; tests call this instead.
 */
export function lazyConnection(url: () => string): { get(): Promise<NatsConnection>; close(): Promise<void> } {
  let pending: Promise<NatsConnection> | undefined;
  return {
    get: () => (pending ??= connect({ servers: url() })),
    close: async () => {
      if (pending !== undefined) await (await pending).close();
    },
  };
}
