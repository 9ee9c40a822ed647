/**
 * The rollout flags shared by `start`, `plan` and `schedule create`, derived from the table of spec
 * fields (`domain/spec-fields.ts`): their `util.parseArgs` options, their help lines with the
 * schema's defaults, the mapping onto the spec and the mapping of spec problems back to flags.
 * Each flag is checked on its own first, so a mistake names the flag and its expected form; the
 * whole spec is then checked once by the client (schema, target collisions) with fields mapped back.
 */
import { CheckedRolloutSpec, InvalidSpecError, checkRolloutSpec, type SpecProblem } from '../client/index.js';
import { formatCountOrPercent, formatDuration, type CountOrPercent } from '../domain/duration.js';
import {
  FIELDS_WITHOUT_FLAG,
  SPEC_FLAGS,
  SpecFlagGroup,
  specFlagBounds,
  specFlagChoices,
  specFlagDefault,
  specFlagRequired,
  specFlags,
  specFlagSchema,
  type SpecFlag,
  type SpecFlagName,
} from '../domain/spec-fields.js';
import type { RolloutSpecInput } from '../domain/spec.js';
import { intFlag, listFlag } from './args.js';
import { UsageError } from './exit.js';
import { checkGalleriesFlag } from './galleries-flag.js';
import { loadInventory } from './inventory-file.js';
import { parseWindowFlag } from './time-flags.js';

type FlagRow = (typeof SPEC_FLAGS)[SpecFlagName];
type OptionOf<R extends FlagRow> = R['kind'] extends 'switch'
  ? { readonly type: 'boolean' }
  : R['kind'] extends 'ids' | 'labels'
    ? { readonly type: 'string'; readonly multiple: true }
    : { readonly type: 'string' };

function optionOf(flag: SpecFlag): { type: 'boolean' } | { type: 'string'; multiple?: true } {
  if (flag.kind === 'switch') return { type: 'boolean' };
  return flag.kind === 'ids' || flag.kind === 'labels' ? { type: 'string', multiple: true } : { type: 'string' };
}

/** `util.parseArgs` options of the rollout flags. */
export const ROLLOUT_FLAG_OPTIONS = Object.fromEntries(specFlags().map(([name, flag]) => [name, optionOf(flag)])) as {
  readonly [K in SpecFlagName]: OptionOf<(typeof SPEC_FLAGS)[K]>;
};

/** Values of the rollout flags as `util.parseArgs` returns them. */
export type RolloutFlagValues = {
  [K in SpecFlagName]?: (typeof ROLLOUT_FLAG_OPTIONS)[K] extends { multiple: true }
    ? string[] | undefined
    : (typeof ROLLOUT_FLAG_OPTIONS)[K] extends { type: 'boolean' }
      ? boolean | undefined
      : string | undefined;
};

/** The value's placeholder in the help. */
function argOf(flag: SpecFlag): string | undefined {
  switch (flag.kind) {
    case 'count':
      return 'N';
    case 'count-or-percent':
      return 'N|P%';
    case 'duration':
      return 'D';
    case 'manual-or-duration':
      return 'manual|D';
    case 'choice':
      return specFlagChoices(flag).join('|');
    case 'true-false':
      return 'true|false';
    default:
      return flag.arg;
  }
}

/** The schema's default as the flag would be written, or the client's when the schema has none. */
function defaultText(flag: SpecFlag): string | undefined {
  if (flag.clientDefault !== undefined) return flag.clientDefault;
  const value = specFlagDefault(flag);
  if (value === undefined) return undefined;
  switch (flag.kind) {
    case 'duration':
      return formatDuration(value as number);
    case 'manual-or-duration':
      return value === 'manual' ? value : formatDuration(value as number);
    case 'count-or-percent':
      return formatCountOrPercent(value as CountOrPercent);
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

const HELP_COLUMN = 28;

function helpLines(name: string, flag: SpecFlag): string[] {
  const arg = argOf(flag);
  const left = `--${name}${arg === undefined ? '' : ` ${arg}`}`;
  const notes = [specFlagRequired(flag) ? 'required' : undefined, defaultText(flag)]
    .map((note, i) => (note === undefined ? undefined : i === 0 ? note : `default ${note}`))
    .filter((note) => note !== undefined);
  const text = `${flag.help}${notes.length === 0 ? '' : ` (${notes.join(', ')})`}`;
  const [first = '', ...rest] = text.split('\n');
  return [
    `  ${left.length < HELP_COLUMN ? left.padEnd(HELP_COLUMN) : `${left}   `}${first}`,
    ...rest.map((line) => `  ${''.padEnd(HELP_COLUMN)}${line}`),
  ];
}

/** Help lines of the rollout flags, by section, with the schema's defaults. */
export const ROLLOUT_FLAGS_HELP = `${Object.values(SpecFlagGroup)
  .flatMap((group) => [
    `${group}:`,
    ...specFlags()
      .filter(([, flag]) => flag.group === group)
      .flatMap(([name, flag]) => helpLines(name, flag)),
  ])
  .join('\n')}
Durations: 500ms, 30s, 15m, 1h30m; a bare number means milliseconds (--min-healthy-time 0 is none).
`;

function selector(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values.flatMap(listFlag)) {
    const match = /^([^=\s]+)=(.*)$/.exec(item);
    if (match === null)
      throw new UsageError(`--selector: "${item}" is not a label; expected key=value such as zone=eu`);
    out[match[1] ?? ''] = match[2] ?? '';
  }
  return out;
}

/** `value` if the field's schema accepts it (it is kept as written), else a usage error with the schema's sentence. */
function acceptedBySchema<T>(name: string, flag: SpecFlag, value: T): T {
  const parsed = specFlagSchema(flag).safeParse(value);
  if (!parsed.success) throw new UsageError(`--${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return value;
}

/** The spec value of one flag as given (`undefined`: it sets nothing). */
function valueOf(name: string, flag: SpecFlag, raw: string | string[] | boolean, windowZone: string): unknown {
  const text = typeof raw === 'string' ? raw : '';
  switch (flag.kind) {
    case 'text':
      return text;
    case 'galleries':
      return checkGalleriesFlag(text);
    case 'ids':
      return (raw as string[]).flatMap(listFlag);
    case 'labels':
      return selector(raw as string[]);
    case 'inventory-file':
      return loadInventory(text);
    case 'count': {
      const { min, max } = specFlagBounds(flag);
      return intFlag(`--${name}`, text, min, max);
    }
    case 'count-or-percent':
    case 'duration':
    case 'manual-or-duration':
      return acceptedBySchema(name, flag, text);
    case 'count-or-percent-list':
      return acceptedBySchema(name, flag, listFlag(text));
    case 'choice': {
      const choices = specFlagChoices(flag);
      if (!choices.includes(text)) throw new UsageError(`--${name}: "${text}" is not one of ${choices.join(', ')}`);
      return text;
    }
    case 'switch':
      return raw === true ? true : undefined;
    case 'true-false':
      if (text !== 'true' && text !== 'false')
        throw new UsageError(`--${name}: "${text}" is neither true nor false; write --${name}=false or --${name}=true`);
      return text === 'true';
    case 'window':
      return parseWindowFlag(text, windowZone);
  }
}

/**
 * Maps the rollout flags onto a spec (durations and percentages kept as written). A field set
 * through one of its keys (`--canary`) gets the schema's default for the keys left out.
 * @param windowZone time zone of a `--window` that names none. @default "UTC"
 * @throws UsageError naming the flag and its expected form.
 */
export function specFromFlags(v: RolloutFlagValues, windowZone = 'UTC'): RolloutSpecInput {
  // Filled by field name from the table; the client checks the whole spec against the schema.
  const spec: Record<string, unknown> = {};
  const objectOf = (field: string): Record<string, unknown> => (spec[field] ??= {}) as Record<string, unknown>;
  for (const [name, flag] of specFlags()) {
    const raw = v[name];
    if (raw === undefined) {
      if (specFlagRequired(flag)) {
        const arg = argOf(flag);
        throw new UsageError(`--${name}: required; give --${name}${arg === undefined ? '' : ` ${arg}`} (${flag.help})`);
      }
      continue;
    }
    const needed = flag.requires === undefined ? undefined : SPEC_FLAGS[flag.requires as SpecFlagName];
    if (needed !== undefined && v[flag.requires as SpecFlagName] === undefined)
      throw new UsageError(`--${name}: only applies with --${flag.requires} ${argOf(needed) ?? ''}`.trimEnd());
    const value = valueOf(name, flag, raw, windowZone);
    if (value === undefined) continue;
    if (flag.sub === undefined) spec[flag.field] = value;
    else objectOf(flag.field)[flag.sub] = value;
  }
  for (const [, flag] of specFlags()) {
    if (flag.sub === undefined || spec[flag.field] === undefined) continue;
    objectOf(flag.field)[flag.sub] ??= specFlagDefault(flag);
  }
  return spec as RolloutSpecInput;
}

function isUnder(path: string, key: string): boolean {
  return path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`);
}

/** The flag (or flags) to name for a problem at `path` of `spec`; `undefined` when no flag sets it. */
function flagOfPath(path: string, spec: RolloutSpecInput): string | undefined {
  const rows = specFlags().filter(([, flag]) => isUnder(path, flag.field));
  const row = rows.find(([, flag]) => flag.sub !== undefined && isUnder(path, `${flag.field}.${flag.sub}`)) ?? rows[0];
  if (row !== undefined) {
    const [name, flag] = row;
    // Targets read from an inventory file: their problems are the file's.
    if (flag.field === 'nodes' && spec.nodes === undefined && spec.inventory !== undefined) return '--inventory';
    return flag.errorLabel ?? `--${name}`;
  }
  for (const [field, entry] of Object.entries(FIELDS_WITHOUT_FLAG) as [string, { errorLabel?: string }][]) {
    if (isUnder(path, field)) return entry.errorLabel;
  }
  return undefined;
}

/** One usage error naming, for every problem, the flag that causes it (or the field when no flag does). */
export function usageFromSpecProblems(problems: readonly SpecProblem[], spec: RolloutSpecInput): UsageError {
  return new UsageError(
    problems
      .map((p) => {
        const flag = flagOfPath(p.path, spec);
        return flag !== undefined ? `${flag}: ${p.message}` : p.path === '' ? p.message : `${p.path}: ${p.message}`;
      })
      .join('; '),
  );
}

/**
 * Checks a spec made from the flags, once and whole (schema, targets, colliding ids), before anything is sent.
 * @throws UsageError whose problems name flags instead of spec fields.
 */
export function checkSpecOfFlags(spec: RolloutSpecInput): CheckedRolloutSpec {
  try {
    return checkRolloutSpec(spec);
  } catch (err) {
    if (err instanceof InvalidSpecError && err.problems.length > 0) throw usageFromSpecProblems(err.problems, spec);
    if (err instanceof InvalidSpecError) throw new UsageError(err.message);
    throw err;
  }
}

/** Maps the flags to a spec and checks it whole (see {@link checkSpecOfFlags}). */
export function checkedSpecFromFlags(v: RolloutFlagValues, windowZone?: string): CheckedRolloutSpec {
  return checkSpecOfFlags(specFromFlags(v, windowZone));
}
