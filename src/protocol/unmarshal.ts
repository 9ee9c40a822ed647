/**
 * Go `json.Unmarshal` rules applied to a parsed JSON value, producing the camelCase object that a
 * message's zod schema then validates.
 *
 * - Keys match the wire name exactly, else case-insensitively (Go's name folding); unknown keys
 *   are ignored.
 * - `null` leaves a value unset, except that it resets a list to empty (a nil slice); a `null`
 *   list element or struct becomes its zero value.
 * - Missing non-`omitempty` fields get their Go zero value; zero values of `omitempty` fields are
 *   dropped, so a decoded value never carries a key its sender would not have written.
 * - Lone surrogates in strings become U+FFFD, as Go does with invalid `\u` escapes.
 *
 * Type mismatches are left in place for zod to report; only a non-object where a struct belongs
 * is refused here, with its wire path.
 */
import { foldGoKey, replaceLoneSurrogates } from './go-json.js';
import type { WireField, WireShape } from './messages.js';

/** Go's "empty value" for `omitempty`, for a value of the field's kind; `undefined` counts as empty. */
export function isZero(field: WireField, value: unknown): boolean {
  switch (field.kind) {
    case 'string':
      return value === undefined || value === '';
    case 'bool':
      return value === undefined || value === false;
    case 'int32':
    case 'float64':
      return value === undefined || value === 0;
    case 'strings':
    case 'objects':
      return value === undefined || (Array.isArray(value) && value.length === 0);
  }
}

const ZERO: Readonly<Record<WireField['kind'], () => unknown>> = {
  string: () => '',
  bool: () => false,
  int32: () => 0,
  float64: () => 0,
  strings: () => [],
  objects: () => [],
};

/** A short name for the JSON type of a value, for error messages (`string`, `array`, `null`, …). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'number' && !Number.isInteger(value)) return `number ${value}`;
  return typeof value;
}

/** The outcome of unmarshalling: the object for zod, or the wire path of a value that is not a struct. */
export type Unmarshalled =
  { readonly value: Record<string, unknown> } | { readonly error: string; readonly path: readonly string[] };

/** Applies Go's unmarshalling rules for the struct `shape` to a parsed JSON value. */
export function unmarshalShape(shape: WireShape, raw: unknown, path: readonly string[] = []): Unmarshalled {
  // Go leaves a struct untouched when it unmarshals `null` into it.
  const source = raw === null ? {} : raw;
  if (typeof source !== 'object' || Array.isArray(source)) {
    return { error: `expected object, got ${describeValue(source)}`, path };
  }
  const lookup = keyLookup(shape);
  const value: Record<string, unknown> = {};
  for (const [wireKey, entry] of Object.entries(source as Record<string, unknown>)) {
    const key = lookup.exact.get(wireKey) ?? lookup.folded.get(foldGoKey(wireKey));
    const field = key === undefined ? undefined : shape[key];
    if (key === undefined || field === undefined) continue;
    if (entry === null) {
      if (field.kind === 'strings' || field.kind === 'objects') value[key] = [];
      continue;
    }
    const converted = unmarshalValue(field, entry, [...path, field.wire]);
    if ('error' in converted) return converted;
    value[key] = converted.value;
  }
  for (const [key, field] of Object.entries(shape)) {
    if (!(key in value)) {
      if (!field.omitEmpty) value[key] = ZERO[field.kind]();
    } else if (field.omitEmpty && isZero(field, value[key])) {
      delete value[key];
    }
  }
  return { value };
}

function unmarshalValue(
  field: WireField,
  entry: unknown,
  path: readonly string[],
): { readonly value: unknown } | Extract<Unmarshalled, { error: string }> {
  if (typeof entry === 'string') return { value: replaceLoneSurrogates(entry) };
  // Go has a single integer zero; JSON.parse keeps `-0`.
  if (field.kind === 'int32' && entry === 0) return { value: 0 };
  if (!Array.isArray(entry) || (field.kind !== 'strings' && field.kind !== 'objects')) return { value: entry };
  const item = field.item;
  const list: unknown[] = [];
  for (const [index, element] of entry.entries()) {
    if (item !== undefined) {
      const converted = unmarshalShape(item, element, [...path, String(index)]);
      if ('error' in converted) return converted;
      list.push(converted.value);
    } else if (element === null) {
      list.push('');
    } else {
      list.push(typeof element === 'string' ? replaceLoneSurrogates(element) : element);
    }
  }
  return { value: list };
}

interface KeyLookup {
  readonly exact: ReadonlyMap<string, string>;
  readonly folded: ReadonlyMap<string, string>;
}

const lookups = new WeakMap<WireShape, KeyLookup>();

/** Wire key to camelCase key, exact and case-folded, built once per shape. */
function keyLookup(shape: WireShape): KeyLookup {
  let lookup = lookups.get(shape);
  if (lookup === undefined) {
    const entries = Object.entries(shape);
    lookup = {
      exact: new Map(entries.map(([key, field]) => [field.wire, key])),
      folded: new Map(entries.map(([key, field]) => [foldGoKey(field.wire), key])),
    };
    lookups.set(shape, lookup);
  }
  return lookup;
}
