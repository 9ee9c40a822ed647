/**
 * The text of `invalid request: …` replies. LocalAI's worker puts Go's `json.Unmarshal` error
 * there; we reproduce its common forms (empty or truncated input, a bad first character, a field
 * of the wrong type) and fall back to the codec's own readable reason.
 */
import { agentMetrics } from '../../metrics/agent-metrics.js';
import {
  MAX_ID_LENGTH,
  wireFields,
  type MessageType,
  type ProtocolDecodeError,
  type WireShape,
} from '../../protocol/index.js';

/**
 * The `invalid request: …` text for an op id too long to be a subject token (its progress subject
 * would overflow nats-server's control line and get this node disconnected); undefined when fine.
 */
export function opIdTooLong(opId: string | undefined): string | undefined {
  if (opId === undefined || opId.length <= MAX_ID_LENGTH) return undefined;
  return `invalid request: op_id too long: ${opId.length} characters, at most ${MAX_ID_LENGTH}`;
}

const GO_TYPES: Readonly<Record<string, string>> = {
  string: 'string',
  bool: 'bool',
  int32: 'int32',
  float64: 'float64',
  strings: '[]string',
  objects: '[]struct',
};

/** The Go type of a top-level field of `type`, by its wire name. */
function goTypeOf(type: MessageType, wire: string): string | undefined {
  const shape: WireShape = wireFields[type];
  const field = Object.values(shape).find((f) => f.wire === wire);
  return field === undefined ? undefined : GO_TYPES[field.kind];
}

const GO_VALUE_KINDS: Readonly<Record<string, string>> = { boolean: 'bool' };

const VALUE_START = /^[{["\-0-9tfn]/;

/** The reason part of an `invalid request: <reason>` reply for a payload that did not decode (counted as invalid). */
export function invalidRequestReason(type: MessageType, payload: Uint8Array, error: ProtocolDecodeError): string {
  agentMetrics.undecodableRequest(type);
  const raw = Buffer.from(payload).toString('utf8');
  const text = raw.trim();
  if (text === '') return 'unexpected end of JSON input';
  if (error.field === '(payload)' && error.detail.startsWith('invalid JSON')) {
    const first = text[0] ?? '';
    if (!VALUE_START.test(first)) return `invalid character ${quoteRune(first)} looking for beginning of value`;
    const at = /at position (\d+)/.exec(error.detail);
    const position = at === null ? raw.length : Number(at[1]);
    if (/end of JSON input/i.test(error.detail) || position >= raw.trimEnd().length)
      return 'unexpected end of JSON input';
    return `invalid character ${quoteRune(raw[position] ?? '')} at offset ${position}`;
  }
  const mismatch = /^expected (\S+), got (.+)$/.exec(error.detail);
  if (mismatch !== null) {
    const [, expected = '', got = ''] = mismatch;
    const goType = goTypeOf(type, error.field) ?? expected;
    const kind = GO_VALUE_KINDS[got] ?? got;
    if (error.field === '(payload)') return `json: cannot unmarshal ${kind} into Go value of type messaging.${type}`;
    return `json: cannot unmarshal ${kind} into Go struct field ${type}.${error.field} of type ${goType}`;
  }
  return `field "${error.field}": ${error.detail}`;
}

function quoteRune(char: string): string {
  if (char === "'") return "'\\''";
  return `'${char}'`;
}
