/**
 * Typed request-reply over NATS: encode with the wire codec, request with a timeout, decode the
 * reply with zod. Each way it can fail is a distinct {@link NatsRequestError} kind, because each
 * means something different to a rollout (no responders: old worker or gone; timeout: outcome
 * unknown; malformed reply: a broken worker; connection lost: our side).
 */
import type { NatsConnection } from 'nats';
import {
  decodeMessage,
  encodeMessageBytes,
  MessageType,
  subjects,
  type MessageInput,
  type MessageValue,
  type RunningModel,
} from '../protocol/index.js';
import { onReconnect } from './reconnects.js';
import type { ReplyInbox } from './reply-inbox.js';
import { reportRequest } from './request-observer.js';

export const RequestFailure = {
  NoResponders: 'no-responders',
  Timeout: 'timeout',
  MalformedReply: 'malformed-reply',
  ConnectionLost: 'connection-lost',
} as const;
export type RequestFailure = (typeof RequestFailure)[keyof typeof RequestFailure];

/** A failed request; `kind` says which way it failed, `field` names the bad field of a malformed reply. */
export class NatsRequestError extends Error {
  override readonly name = 'NatsRequestError';
  constructor(
    readonly kind: RequestFailure,
    readonly subject: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const NO_RESPONDERS = '503';
const TIMEOUT = 'TIMEOUT';

/** True when a nats.js error (or its `cause`, where nats.js sometimes hides it) is "no responders". */
export function isNoResponders(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  const causeCode = ((err as { cause?: { code?: unknown } } | undefined)?.cause as { code?: unknown } | undefined)
    ?.code;
  return code === NO_RESPONDERS || causeCode === NO_RESPONDERS;
}

function classify(nc: NatsConnection, subject: string, err: unknown, timeoutMs: number): NatsRequestError {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (isNoResponders(err))
    return new NatsRequestError(
      RequestFailure.NoResponders,
      subject,
      `no responders on ${subject}: nobody serves this subject`,
    );
  if (
    nc.isClosed() ||
    nc.isDraining() ||
    code === 'CONNECTION_CLOSED' ||
    code === 'DISCONNECT' ||
    code === 'CONNECTION_DRAINING'
  ) {
    return new NatsRequestError(
      RequestFailure.ConnectionLost,
      subject,
      `connection to NATS lost during request on ${subject}`,
    );
  }
  if (code === TIMEOUT)
    return new NatsRequestError(RequestFailure.Timeout, subject, `no reply on ${subject} within ${timeoutMs} ms`);
  return new NatsRequestError(
    RequestFailure.ConnectionLost,
    subject,
    `request on ${subject} failed: ${(err as Error).message}`,
  );
}

/** How a request treats a reconnect while it waits for its reply. */
export interface RequestOptions {
  /**
   * Fail at once with `ConnectionLost` when the connection reconnects before the reply arrives,
   * instead of waiting out the timeout for a request the restart may have lost. Only for requests
   * the caller can safely send again.
   */
  failOnReconnect?: boolean;
  /**
   * Wait for the reply on this inbox instead of the connection's shared one, so the caller can
   * still hear a reply that arrives after the timeout.
   */
  inbox?: ReplyInbox;
}

async function requestOnInbox(
  nc: NatsConnection,
  subject: string,
  payload: Uint8Array,
  timeoutMs: number,
  inbox: ReplyInbox,
): Promise<Uint8Array> {
  const reply = inbox.next(timeoutMs);
  nc.publish(subject, payload, { reply: inbox.subject });
  const message = await reply;
  if (message === undefined)
    throw new NatsRequestError(RequestFailure.Timeout, subject, `no reply on ${subject} within ${timeoutMs} ms`);
  if (message.kind === 'no-responders')
    throw new NatsRequestError(
      RequestFailure.NoResponders,
      subject,
      `no responders on ${subject}: nobody serves this subject`,
    );
  return message.data;
}

/** Sends raw bytes and returns the raw reply, with failures classified. */
export async function requestBytes(
  nc: NatsConnection,
  subject: string,
  payload: Uint8Array,
  timeoutMs: number,
  options: RequestOptions = {},
): Promise<Uint8Array> {
  let stop = (): void => undefined;
  try {
    if (options.inbox !== undefined) return await requestOnInbox(nc, subject, payload, timeoutMs, options.inbox);
    const request = nc.request(subject, payload, { timeout: timeoutMs });
    if (options.failOnReconnect !== true) return (await request).data;
    // The request goes on until its own timeout; its late outcome is of no use once we gave up on it.
    request.catch(() => undefined);
    const reconnected = new Promise<never>((_, reject) => {
      stop = onReconnect(nc, () =>
        reject(
          new NatsRequestError(
            RequestFailure.ConnectionLost,
            subject,
            `NATS reconnected while waiting for the reply on ${subject}; the request may be lost`,
          ),
        ),
      );
    });
    return (await Promise.race([request, reconnected])).data;
  } catch (err) {
    if (err instanceof NatsRequestError) throw err;
    throw classify(nc, subject, err, timeoutMs);
  } finally {
    stop();
  }
}

/**
 * Encodes `value` as `requestType`, sends it to `subject`, and decodes the reply as `replyType`.
 * Every request is reported to the observers of `observeRequests` (metrics).
 * @throws NatsRequestError
 */
export async function requestMessage<Q extends MessageType, R extends MessageType>(
  nc: NatsConnection,
  subject: string,
  requestType: Q,
  value: MessageInput<Q>,
  replyType: R,
  timeoutMs: number,
  options: RequestOptions = {},
): Promise<MessageValue<R>> {
  const startedAt = performance.now();
  const report = (result: RequestFailure | 'ok') =>
    reportRequest({ subject, result, durationMs: performance.now() - startedAt });
  try {
    const reply = await sendAndDecode(nc, subject, requestType, value, replyType, timeoutMs, options);
    report('ok');
    return reply;
  } catch (err) {
    report(err instanceof NatsRequestError ? err.kind : RequestFailure.ConnectionLost);
    throw err;
  }
}

async function sendAndDecode<Q extends MessageType, R extends MessageType>(
  nc: NatsConnection,
  subject: string,
  requestType: Q,
  value: MessageInput<Q>,
  replyType: R,
  timeoutMs: number,
  options: RequestOptions,
): Promise<MessageValue<R>> {
  const data = await requestBytes(nc, subject, encodeMessageBytes(requestType, value), timeoutMs, options);
  const decoded = decodeMessage(replyType, data);
  if (!decoded.ok) {
    throw new NatsRequestError(
      RequestFailure.MalformedReply,
      subject,
      `malformed reply on ${subject}: ${decoded.error.message}`,
      decoded.error.field,
    );
  }
  return decoded.value;
}

/**
 * The processes `nodeId` runs, asked with `models.running`.
 * @throws NatsRequestError (no responders: a worker that predates the request)
 */
export async function requestRunningModels(
  nc: NatsConnection,
  nodeId: string,
  timeoutMs: number,
): Promise<RunningModel[]> {
  const reply = await requestMessage(
    nc,
    subjects.modelsRunning(nodeId),
    MessageType.ModelsRunningRequest,
    {},
    MessageType.ModelsRunningReply,
    timeoutMs,
  );
  return reply.models;
}
