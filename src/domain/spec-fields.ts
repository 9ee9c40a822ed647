/**
 * The rollout flags, one row per spec field: the flag's name, the kind of value it takes, its help
 * sentence and its section of the help. Defaults, bounds and choices are not written here: they
 * are read from {@link RolloutSpecSchema}, so a new policy field is the schema's field plus one row.
 * `start`, `plan` and `schedule create` derive their flag options, help lines and the mapping of
 * spec problems back to flags from this table (`src/cli/spec-flags.ts`).
 */
import { z } from 'zod';
import { RolloutSpecSchema, type RolloutSpecInput } from './spec.js';

/** How a flag's value is written and becomes the field's value. */
export const SpecFlagKind = {
  /** Kept as written. */
  Text: 'text',
  /** Galleries as on the wire (a JSON list), checked for the shape the workers decode. */
  Galleries: 'galleries',
  /** Node ids, comma-separated; repeatable. */
  Ids: 'ids',
  /** `key=value` labels, comma-separated; repeatable. */
  Labels: 'labels',
  /** A YAML or JSON file of inventory nodes. */
  InventoryFile: 'inventory-file',
  /** A whole number within the schema's bounds. */
  Count: 'count',
  /** A count (3) or a percentage (25%). */
  CountOrPercent: 'count-or-percent',
  /** Counts or percentages, comma-separated. */
  CountOrPercentList: 'count-or-percent-list',
  /** A Go-style duration, or a bare number of milliseconds; kept as written. */
  Duration: 'duration',
  /** `manual` or a duration. */
  ManualOrDuration: 'manual-or-duration',
  /** One of the schema's choices. */
  Choice: 'choice',
  /** Present or absent: a boolean flag that can only turn the field on. */
  Switch: 'switch',
  /** `true` or `false`, for a field that is on by default. */
  TrueFalse: 'true-false',
  /** A maintenance window, `"[DAYS ]HH:MM-HH:MM[ ZONE]"`. */
  Window: 'window',
} as const;
export type SpecFlagKind = (typeof SpecFlagKind)[keyof typeof SpecFlagKind];

/** The sections of the rollout flags' help, in order. */
export const SpecFlagGroup = { What: 'What to upgrade', Where: 'Where', Policy: 'Policy', Audit: 'Audit' } as const;
export type SpecFlagGroup = (typeof SpecFlagGroup)[keyof typeof SpecFlagGroup];

/** One rollout flag. */
export interface SpecFlag {
  /** The spec field it sets. */
  field: keyof RolloutSpecInput;
  /** The key inside `field` it sets, for a field that is an object (`canary` → `promote`). */
  sub?: string;
  kind: SpecFlagKind;
  /** The value's placeholder in the help; derived from the kind or the choices when absent. */
  arg?: string;
  group: SpecFlagGroup;
  /** What it does, in a few words; a line break continues the help on the next line. */
  help: string;
  /** The flag (by name) without which this one does not apply (`promote` needs `canary`). */
  requires?: string;
  /** How a problem of this field names the flags, when more than this one cause it. */
  errorLabel?: string;
  /** A default the client supplies when the schema has none, as the help prints it. */
  clientDefault?: string;
}

/** The rollout flags by name (without `--`), in the order of the help. */
export const SPEC_FLAGS = {
  backend: {
    field: 'backend',
    kind: 'text',
    arg: 'NAME',
    group: 'What to upgrade',
    help: 'backend to upgrade, e.g. llama-cpp',
  },
  'target-version': {
    field: 'targetVersion',
    kind: 'text',
    arg: 'V',
    group: 'What to upgrade',
    help: 'the version nodes must end up with (not with --uri: LocalAI records none)',
  },
  'target-digest': {
    field: 'targetDigest',
    kind: 'text',
    arg: 'sha256:…',
    group: 'What to upgrade',
    help: 'the image digest nodes must end up with',
  },
  index: {
    field: 'index',
    kind: 'text',
    arg: 'URL',
    group: 'What to upgrade',
    help: 'gallery index (file:// or http(s)://) to resolve the target from',
  },
  galleries: {
    field: 'galleries',
    kind: 'galleries',
    arg: 'JSON',
    group: 'What to upgrade',
    help: `galleries as on the wire, e.g. '[{"name":"localai","url":"…"}]'`,
  },
  uri: {
    field: 'uri',
    kind: 'text',
    arg: 'URI',
    group: 'What to upgrade',
    help: 'install from this URI instead of a gallery',
  },
  name: {
    field: 'name',
    kind: 'text',
    arg: 'N',
    group: 'What to upgrade',
    help: 'with --uri: the name to install it as',
    errorLabel: '--name/--alias (with --uri)',
  },
  alias: { field: 'alias', kind: 'text', arg: 'A', group: 'What to upgrade', help: 'with --uri: an alias for it' },
  force: {
    field: 'force',
    kind: 'switch',
    group: 'What to upgrade',
    help: 'also reinstall nodes that already run the target',
  },
  nodes: { field: 'nodes', kind: 'ids', arg: 'a,b,c', group: 'Where', help: 'node ids (repeatable)' },
  inventory: {
    field: 'inventory',
    kind: 'inventory-file',
    arg: 'FILE',
    group: 'Where',
    help: 'YAML or JSON list of { id, name?, labels?, replicas? }',
  },
  selector: {
    field: 'selector',
    kind: 'labels',
    arg: 'k=v[,k=v]',
    group: 'Where',
    help: 'label selector over the inventory (repeatable)',
  },
  exclude: { field: 'exclude', kind: 'ids', arg: 'a,b', group: 'Where', help: 'node ids never to touch (repeatable)' },
  'max-parallel': { field: 'maxParallel', kind: 'count', group: 'Policy', help: 'nodes upgrading at once' },
  'max-unavailable': {
    field: 'maxUnavailable',
    kind: 'count-or-percent',
    group: 'Policy',
    help: 'replicas down at once',
  },
  batches: {
    field: 'batches',
    kind: 'count-or-percent-list',
    arg: '1,10%,50%',
    group: 'Policy',
    help: 'wave sizes; the last repeats',
  },
  canary: { field: 'canary', sub: 'nodes', kind: 'count', group: 'Policy', help: 'canary wave of N nodes first' },
  promote: {
    field: 'canary',
    sub: 'promote',
    kind: 'manual-or-duration',
    group: 'Policy',
    help: 'how the canary is promoted',
    requires: 'canary',
  },
  'max-failures': {
    field: 'maxFailures',
    kind: 'count-or-percent',
    group: 'Policy',
    help: 'failures tolerated before --on-failure acts',
  },
  'on-failure': { field: 'onFailure', kind: 'choice', group: 'Policy', help: 'what failures beyond --max-failures do' },
  'upgrade-timeout': { field: 'upgradeTimeout', kind: 'duration', group: 'Policy', help: 'NATS request timeout' },
  'healthy-deadline': { field: 'healthyDeadline', kind: 'duration', group: 'Policy', help: 'per node, until verified' },
  'unreachable-grace': {
    field: 'unreachableGrace',
    kind: 'duration',
    group: 'Policy',
    help: 'retry a node with no responders this long before it fails',
  },
  'min-healthy-time': { field: 'minHealthyTime', kind: 'duration', group: 'Policy', help: 'soak after verification' },
  'progress-deadline': {
    field: 'progressDeadline',
    kind: 'duration',
    group: 'Policy',
    help: 'halt when no node finished for this long',
  },
  'max-attempts': { field: 'maxAttempts', kind: 'count', group: 'Policy', help: 'upgrade requests per node' },
  'start-check': {
    field: 'startCheck',
    kind: 'true-false',
    group: 'Policy',
    help: 'start a probe process from the new build, then stop it',
  },
  'replica-ready-timeout': {
    field: 'replicaReadyTimeout',
    kind: 'duration',
    group: 'Policy',
    help: 'per replica, until it serves again',
  },
  'drain-grace': {
    field: 'drainGrace',
    kind: 'duration',
    group: 'Policy',
    help: "with --localai-url: after a node's drain, how long requests already\nrunning may finish; waited only if some were in flight",
  },
  window: {
    field: 'window',
    kind: 'window',
    arg: '"[DAYS ]HH:MM-HH:MM[ ZONE]"',
    group: 'Policy',
    help: 'start nodes only inside, e.g. "sat,sun 02:00-06:00 Europe/Berlin"',
  },
  reason: { field: 'reason', kind: 'text', arg: 'TEXT', group: 'Audit', help: 'why (kept in the memo and history)' },
  'requested-by': {
    field: 'requestedBy',
    kind: 'text',
    arg: 'WHO',
    group: 'Audit',
    help: 'who',
    clientDefault: '$USER@hostname',
  },
} as const satisfies Record<string, SpecFlag>;
export type SpecFlagName = keyof typeof SPEC_FLAGS;

/** Spec fields no rollout flag sets, why, and which flag their problems are reported under. */
export const FIELDS_WITHOUT_FLAG = {
  target: { reason: 'resolved by the rollout (and by plan) from the index, the galleries or the explicit target' },
  frontend: { reason: 'read from the LocalAI frontend given with --localai-url', errorLabel: '--localai-url' },
} as const satisfies Partial<Record<keyof RolloutSpecInput, { reason: string; errorLabel?: string }>>;

type FieldsWithoutRow = Exclude<
  keyof RolloutSpecInput,
  (typeof SPEC_FLAGS)[SpecFlagName]['field'] | keyof typeof FIELDS_WITHOUT_FLAG
>;
/** Compiles only while every spec field has a flag or a reason not to: the error names the fields without. */
export const EVERY_FIELD_HAS_A_ROW: [FieldsWithoutRow] extends [never] ? true : FieldsWithoutRow = true;

/** Every rollout flag with its name. */
export function specFlags(): [SpecFlagName, SpecFlag][] {
  return Object.entries(SPEC_FLAGS) as [SpecFlagName, SpecFlag][];
}

function unwrap(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) return unwrap(schema.unwrap() as z.ZodType);
  return schema;
}

/** The schema of the value a flag sets: the field's, or the key's inside it. */
export function specFlagSchema(flag: SpecFlag): z.ZodType {
  const field: z.ZodType = RolloutSpecSchema.shape[flag.field];
  if (flag.sub === undefined) return field;
  const object = unwrap(field);
  const inner = object instanceof z.ZodObject ? (object.shape as Record<string, z.ZodType>)[flag.sub] : undefined;
  if (inner === undefined) throw new Error(`spec field ${flag.field} has no key ${flag.sub}`);
  return inner;
}

/** The value the schema gives the flag's field (or key) when it is left out; `undefined` when it has none. */
export function specFlagDefault(flag: SpecFlag): unknown {
  const parsed = specFlagSchema(flag).safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}

/** True when the spec cannot leave the field out (and the schema has no default for it). */
export function specFlagRequired(flag: SpecFlag): boolean {
  return flag.sub === undefined && !specFlagSchema(flag).safeParse(undefined).success;
}

/** The schema's bounds of a whole-number field. */
export function specFlagBounds(flag: SpecFlag): { min: number; max: number } {
  const number = unwrap(specFlagSchema(flag));
  if (!(number instanceof z.ZodNumber)) throw new Error(`spec field ${flag.field} is not a number`);
  return {
    min: number.minValue ?? Number.MIN_SAFE_INTEGER,
    max: number.maxValue ?? Number.MAX_SAFE_INTEGER,
  };
}

/** The schema's choices of an enum field. */
export function specFlagChoices(flag: SpecFlag): string[] {
  const choices = unwrap(specFlagSchema(flag));
  if (!(choices instanceof z.ZodEnum)) throw new Error(`spec field ${flag.field} is not a choice`);
  return choices.options.map(String);
}
