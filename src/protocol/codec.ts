/**
 * The wire codec: byte-exact Go `encoding/json` output, and a decoder as tolerant as Go's
 * `json.Unmarshal` and as strict as the zod schemas.
 *
 * Encoding follows the message's wire table (see `messages.ts`): keys in struct order, `omitempty`
 * applied, Go's string escaping and float formatting. Decoding matches keys case-insensitively,
 * ignores unknown keys, treats `null` as "not set" (an empty list for lists), fills the Go zero
 * value of every non-`omitempty` field and drops zero values of `omitempty` ones, so a decoded
 * value never carries a key its sender would not have written. Failures are data
 * (`DecodeResult`), each naming the offending field by its wire path.
 */
import type { z } from 'zod';
import {
  messageSchemas,
  wireFields,
  type MessageInput,
  type MessageType,
  type MessageValue,
  type WireField,
  type WireShape,
} from './messages.js';
import { formatGoFloat, quoteGoString } from './go-json.js';
import { describeValue, isZero, unmarshalShape } from './unmarshal.js';

/** The `backend.stop` payload for "stop every backend", exactly as LocalAI's frontend publishes it. */
export const STOP_ALL_PAYLOAD = 'null';

/** A payload that does not decode as the expected message. `field` is the wire path, e.g. `backends.0.installed_at`. */
export class ProtocolDecodeError extends Error {
  override readonly name = 'ProtocolDecodeError';

  constructor(
    readonly messageType: MessageType,
    /** Dotted path with snake_case wire names, or `(payload)` when the bytes are not a JSON object. */
    readonly field: string,
    /** What was wrong, e.g. `expected boolean, got string`. */
    readonly detail: string,
  ) {
    super(`malformed ${messageType}: field "${field}": ${detail}`);
  }
}

/** A value that cannot be encoded as the message it claims to be (a programming error: check the caller). */
export class ProtocolEncodeError extends Error {
  override readonly name = 'ProtocolEncodeError';

  constructor(
    readonly messageType: MessageType,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`cannot encode ${messageType}: field "${field}": ${detail}`);
  }
}

/** Outcome of `decodeMessage`: the decoded value, or the reason it was refused. */
export type DecodeResult<T extends MessageType> =
  { readonly ok: true; readonly value: MessageValue<T> } | { readonly ok: false; readonly error: ProtocolDecodeError };

/**
 * Encodes a message exactly as Go's `json.Marshal` writes the LocalAI struct. The value is
 * validated first (an int32 that is fractional or out of range, a non-finite float).
 * @throws ProtocolEncodeError when the value does not fit the message.
 */
export function encodeMessage<T extends MessageType>(type: T, value: MessageInput<T>): string {
  const parsed = messageSchemas[type].safeParse(value);
  if (!parsed.success) {
    const { field, detail } = describeIssue(wireFields[type], value, parsed.error);
    throw new ProtocolEncodeError(type, field, detail);
  }
  return writeObject(wireFields[type], parsed.data);
}

const utf8Encoder = new TextEncoder();

/** `encodeMessage` as UTF-8 bytes, ready to publish. */
export function encodeMessageBytes<T extends MessageType>(type: T, value: MessageInput<T>): Uint8Array {
  return utf8Encoder.encode(encodeMessage(type, value));
}

// Invalid UTF-8 becomes U+FFFD as in Go; a byte-order mark is kept so that JSON.parse refuses it, as Go does.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Decodes a payload (bytes from NATS, or text) as `type`. Never throws. */
export function decodeMessage<T extends MessageType>(type: T, payload: Uint8Array | string): DecodeResult<T> {
  const text = typeof payload === 'string' ? payload : utf8Decoder.decode(payload);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, error: new ProtocolDecodeError(type, '(payload)', `invalid JSON: ${reason}`) };
  }
  const shape = wireFields[type];
  const normalised = unmarshalShape(shape, raw);
  if ('error' in normalised) {
    const field = normalised.path.length === 0 ? '(payload)' : normalised.path.join('.');
    return { ok: false, error: new ProtocolDecodeError(type, field, normalised.error) };
  }
  const parsed = messageSchemas[type].safeParse(normalised.value);
  if (!parsed.success) {
    const { field, detail } = describeIssue(shape, normalised.value, parsed.error);
    return { ok: false, error: new ProtocolDecodeError(type, field, detail) };
  }
  return { ok: true, value: parsed.data };
}

/**
 * `decodeMessage` for callers that prefer exceptions.
 * @throws ProtocolDecodeError when the payload does not decode.
 */
export function decodeOrThrow<T extends MessageType>(type: T, payload: Uint8Array | string): MessageValue<T> {
  const result = decodeMessage(type, payload);
  if (!result.ok) throw result.error;
  return result.value;
}

function writeObject(shape: WireShape, value: Record<string, unknown>): string {
  const members: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    const item = value[key];
    if (field.omitEmpty && isZero(field, item)) continue;
    members.push(`${quoteGoString(field.wire)}:${writeValue(field, item)}`);
  }
  return `{${members.join(',')}}`;
}

function writeValue(field: WireField, value: unknown): string {
  switch (field.kind) {
    case 'string':
      return quoteGoString(typeof value === 'string' ? value : '');
    case 'bool':
      return value === true ? 'true' : 'false';
    case 'int32':
      return String(typeof value === 'number' ? value + 0 : 0);
    case 'float64':
      return formatGoFloat(typeof value === 'number' ? value : 0);
    case 'strings':
    case 'objects': {
      const list = Array.isArray(value) ? (value as unknown[]) : [];
      if (list.length === 0) return field.emptyList === 'array' ? '[]' : 'null';
      const item = field.item;
      const parts = list.map((entry) =>
        item === undefined ? quoteGoString(String(entry)) : writeObject(item, entry as Record<string, unknown>),
      );
      return `[${parts.join(',')}]`;
    }
  }
}

/** Turns the first zod issue into a wire path and a readable reason. */
function describeIssue(shape: WireShape, input: unknown, error: z.ZodError): { field: string; detail: string } {
  const issue = error.issues[0];
  if (issue === undefined) return { field: '(payload)', detail: 'invalid' };
  const wirePath: string[] = [];
  let current: WireShape | undefined = shape;
  let value: unknown = input;
  for (const segment of issue.path) {
    const field: WireField | undefined = typeof segment === 'string' ? current?.[segment] : undefined;
    wirePath.push(field?.wire ?? String(segment));
    if (field !== undefined) current = field.item;
    value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  const field = wirePath.length === 0 ? '(payload)' : wirePath.join('.');
  switch (issue.code) {
    case 'invalid_type': {
      const expected = issue.expected === 'int' ? 'int32' : issue.expected;
      return { field, detail: `expected ${expected}, got ${describeValue(value)}` };
    }
    case 'too_big':
    case 'too_small':
      return { field, detail: `expected int32 (-2147483648 to 2147483647), got ${String(value)}` };
    default:
      return { field, detail: issue.message };
  }
}
