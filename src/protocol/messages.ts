/**
 * The messages of LocalAI's distributed-mode node protocol (PROTOCOL.md §3), as zod schemas with
 * their wire layout.
 *
 * Each message is declared once, as a table of fields in Go struct order: the camelCase key used
 * in TypeScript, the snake_case JSON key, the wire kind and whether Go tags it `omitempty`. The
 * zod schema (and so the TypeScript type) is derived from that table, and the codec walks the
 * same table, so key order, names and omission rules cannot drift apart.
 */
import { z } from 'zod';

/** Names of every message on the wire, as LocalAI's Go structs name them. */
export const MessageType = {
  BackendUpgradeRequest: 'BackendUpgradeRequest',
  BackendUpgradeReply: 'BackendUpgradeReply',
  BackendInstallRequest: 'BackendInstallRequest',
  BackendInstallReply: 'BackendInstallReply',
  BackendInstallProgressEvent: 'BackendInstallProgressEvent',
  BackendListRequest: 'BackendListRequest',
  BackendListReply: 'BackendListReply',
  BackendStopRequest: 'BackendStopRequest',
  BackendDeleteRequest: 'BackendDeleteRequest',
  BackendDeleteReply: 'BackendDeleteReply',
  ModelsRunningRequest: 'ModelsRunningRequest',
  ModelsRunningReply: 'ModelsRunningReply',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Go types a field can have on the wire. `strings` is `[]string`; `objects` is a slice of structs. */
export const FieldKind = {
  String: 'string',
  Bool: 'bool',
  Int32: 'int32',
  Float64: 'float64',
  Strings: 'strings',
  Objects: 'objects',
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/** How Go writes an empty list that is not `omitempty`: a nil slice as `null`, an allocated one as `[]`. */
export type EmptyList = 'null' | 'array';

/** One field of a wire struct. The key it is stored under is the camelCase TypeScript name. */
export interface WireField<S extends z.ZodType = z.ZodType> {
  /** The JSON key, exactly as the Go `json` tag spells it. */
  readonly wire: string;
  readonly kind: FieldKind;
  /** Go `omitempty`: the key is dropped when the value is `""`, `0`, `false` or an empty list. */
  readonly omitEmpty: boolean;
  /** For lists that are not `omitempty`: how an empty one is written. */
  readonly emptyList?: EmptyList;
  /** For `objects`: the layout of each element. */
  readonly item?: WireShape;
  readonly schema: S;
}

/** A wire struct: its fields in Go declaration order (JavaScript keeps string-key insertion order). */
export type WireShape = Readonly<Record<string, WireField>>;

/** The zod object schema derived from a wire shape. */
export type ShapeSchema<S extends WireShape> = z.ZodObject<{ -readonly [K in keyof S]: S[K]['schema'] }>;

const scalarSchemas = {
  string: () => z.string(),
  bool: () => z.boolean(),
  int32: () => z.int32(),
  float64: () => z.number(),
  strings: () => z.array(z.string()),
} as const;
type ScalarKind = keyof typeof scalarSchemas;
type ScalarSchema<K extends ScalarKind> = ReturnType<(typeof scalarSchemas)[K]>;

/** A field without `omitempty`: always written, and its Go zero value when absent on decode. */
function always<K extends Exclude<ScalarKind, 'strings'>>(wire: string, kind: K): WireField<ScalarSchema<K>> {
  return { wire, kind, omitEmpty: false, schema: scalarSchemas[kind]() as ScalarSchema<K> };
}

/** An `omitempty` field: optional in TypeScript, absent (never zero-valued) after decoding. */
function omitted<K extends ScalarKind>(wire: string, kind: K): WireField<z.ZodOptional<ScalarSchema<K>>> {
  return { wire, kind, omitEmpty: true, schema: z.optional(scalarSchemas[kind]() as ScalarSchema<K>) };
}

/** An `omitempty` field that decoded values always carry, filled with its zero value. */
function defaulted<K extends 'strings' | 'bool'>(wire: string, kind: K): WireField<z.ZodDefault<ScalarSchema<K>>> {
  type Zero = z.core.util.NoUndefined<z.output<ScalarSchema<K>>>;
  const zero = (): Zero => (kind === 'bool' ? false : []) as Zero;
  return { wire, kind, omitEmpty: true, schema: z._default(scalarSchemas[kind]() as ScalarSchema<K>, zero) };
}

/** A slice of structs without `omitempty`. */
function objects<S extends WireShape>(
  wire: string,
  item: S,
  emptyList: EmptyList,
): WireField<z.ZodArray<ShapeSchema<S>>> {
  return { wire, kind: 'objects', omitEmpty: false, emptyList, item, schema: z.array(schemaOf(item)) };
}

/** Builds the zod object schema of a wire shape. */
function schemaOf<S extends WireShape>(shape: S): ShapeSchema<S> {
  const entries = Object.entries(shape).map(([key, field]) => [key, field.schema] as const);
  // Object.fromEntries loses the per-key types that the mapped ShapeSchema type restores.
  return z.object(Object.fromEntries(entries)) as unknown as ShapeSchema<S>;
}

/** One installed backend in a `backend.list` reply (Go `NodeBackendInfo`). */
const backendInfoFields = {
  name: always('name', 'string'),
  isSystem: always('is_system', 'bool'),
  isMeta: always('is_meta', 'bool'),
  installedAt: omitted('installed_at', 'string'),
  galleryUrl: omitted('gallery_url', 'string'),
  version: omitted('version', 'string'),
  uri: omitted('uri', 'string'),
  digest: omitted('digest', 'string'),
} satisfies WireShape;

/** One live backend process in a `models.running` reply (Go `RunningModelInfo`). */
const runningModelFields = {
  modelId: always('model_id', 'string'),
  replicaIndex: always('replica_index', 'int32'),
  address: omitted('address', 'string'),
} satisfies WireShape;

/** Upgrade and delete replies share this layout. */
const stoppedProcessesReplyFields = {
  success: always('success', 'bool'),
  error: omitted('error', 'string'),
  stoppedProcessKeys: defaulted('stopped_process_keys', 'strings'),
  reportsStoppedProcesses: defaulted('reports_stopped_processes', 'bool'),
} satisfies WireShape;

/**
 * The wire layout of every message, keyed by message type: fields in Go struct order with their
 * JSON keys and omission rules. The codec's single source of truth.
 */
export const wireFields = {
  BackendUpgradeRequest: {
    backend: always('backend', 'string'),
    backendGalleries: omitted('backend_galleries', 'string'),
    uri: omitted('uri', 'string'),
    name: omitted('name', 'string'),
    alias: omitted('alias', 'string'),
    replicaIndex: omitted('replica_index', 'int32'),
    opId: omitted('op_id', 'string'),
  },
  BackendUpgradeReply: stoppedProcessesReplyFields,
  BackendInstallRequest: {
    backend: always('backend', 'string'),
    modelId: omitted('model_id', 'string'),
    backendGalleries: omitted('backend_galleries', 'string'),
    uri: omitted('uri', 'string'),
    name: omitted('name', 'string'),
    alias: omitted('alias', 'string'),
    replicaIndex: omitted('replica_index', 'int32'),
    force: omitted('force', 'bool'),
    opId: omitted('op_id', 'string'),
  },
  BackendInstallReply: {
    success: always('success', 'bool'),
    address: omitted('address', 'string'),
    error: omitted('error', 'string'),
  },
  BackendInstallProgressEvent: {
    opId: always('op_id', 'string'),
    nodeId: always('node_id', 'string'),
    backend: always('backend', 'string'),
    fileName: omitted('file_name', 'string'),
    current: omitted('current', 'string'),
    total: omitted('total', 'string'),
    percentage: always('percentage', 'float64'),
    phase: omitted('phase', 'string'),
  },
  BackendListRequest: {},
  BackendListReply: {
    backends: objects('backends', backendInfoFields, 'null'),
    error: omitted('error', 'string'),
  },
  BackendStopRequest: {
    backend: always('backend', 'string'),
    force: omitted('force', 'bool'),
  },
  BackendDeleteRequest: {
    backend: always('backend', 'string'),
  },
  BackendDeleteReply: stoppedProcessesReplyFields,
  ModelsRunningRequest: {},
  ModelsRunningReply: {
    // LocalAI workers always allocate this slice, so an empty one is `[]`, not `null`.
    models: objects('models', runningModelFields, 'array'),
    error: omitted('error', 'string'),
  },
} as const satisfies Record<MessageType, WireShape>;

type WireFields = typeof wireFields;
type MessageSchemas = { readonly [T in MessageType]: ShapeSchema<WireFields[T]> };

/** The zod schema of every message, keyed by message type (camelCase keys, decoded form). */
export const messageSchemas: MessageSchemas = Object.fromEntries(
  Object.entries(wireFields).map(([type, shape]) => [type, schemaOf(shape)]),
) as unknown as MessageSchemas;

/** The decoded form of a message: what `decodeMessage` returns. */
export type MessageValue<T extends MessageType> = z.output<MessageSchemas[T]>;
/** What `encodeMessage` accepts: fields that decode with a default may be left out. */
export type MessageInput<T extends MessageType> = z.input<MessageSchemas[T]>;

/** One installed backend as `backend.list` reports it (Go `NodeBackendInfo`). */
export type BackendInfo = BackendListReply['backends'][number];
/** One live backend process as `models.running` reports it (Go `RunningModelInfo`). */
export type RunningModel = ModelsRunningReply['models'][number];

/** `nodes.<node>.backend.upgrade` request: force-reinstall a backend (the subject means force). */
export type BackendUpgradeRequest = MessageValue<'BackendUpgradeRequest'>;
/** Upgrade reply. Trust `stoppedProcessKeys` only when `reportsStoppedProcesses` is true. */
export type BackendUpgradeReply = MessageValue<'BackendUpgradeReply'>;
/** `nodes.<node>.backend.install` request; `force` is the legacy upgrade fallback. */
export type BackendInstallRequest = MessageValue<'BackendInstallRequest'>;
/** Install reply; `address` is the started process's `host:port`. */
export type BackendInstallReply = MessageValue<'BackendInstallReply'>;
/** Best-effort progress tick on `nodes.<node>.backend.install.<op>.progress`. */
export type BackendInstallProgressEvent = MessageValue<'BackendInstallProgressEvent'>;
/** `backend.list` request: always `{}`. */
export type BackendListRequest = MessageValue<'BackendListRequest'>;
/** `backend.list` reply; decoded `backends` is always a list, even when the worker sent `null`. */
export type BackendListReply = MessageValue<'BackendListReply'>;
/** `backend.stop` publish: a backend name, a model name or a `modelID#replica` key. */
export type BackendStopRequest = MessageValue<'BackendStopRequest'>;
/** `backend.delete` request. */
export type BackendDeleteRequest = MessageValue<'BackendDeleteRequest'>;
/** `backend.delete` reply: same layout and semantics as the upgrade reply. */
export type BackendDeleteReply = MessageValue<'BackendDeleteReply'>;
/** `models.running` request: always `{}`. */
export type ModelsRunningRequest = MessageValue<'ModelsRunningRequest'>;
/** `models.running` reply: the worker's authoritative list of live processes. */
export type ModelsRunningReply = MessageValue<'ModelsRunningReply'>;

/**
 * Known `phase` values of progress events. LocalAI workers only ever send `downloading`; the
 * others come from our own agent, so the schema accepts any string rather than refusing a tick.
 */
export const InstallPhase = {
  Resolving: 'resolving',
  Downloading: 'downloading',
  Extracting: 'extracting',
  Starting: 'starting',
} as const;
export type InstallPhase = (typeof InstallPhase)[keyof typeof InstallPhase];
