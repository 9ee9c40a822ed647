/**
 * Strict flag parsing shared by the operator commands: unknown flags, missing values and
 * surplus arguments are a {@link UsageError} naming the flag and pointing at `--help`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatDuration, parseDuration } from '../domain/duration.js';
import { UsageError } from './exit.js';

/** `--help` / `-h`, taken by every command. */
export const HELP_FLAG_OPTIONS = { help: { type: 'boolean', short: 'h' } } as const;

/** Writes a warning line to stderr. */
export function warnOnStderr(line: string): void {
  process.stderr.write(`fleet-rollout: warning: ${line}\n`);
}

/** The `options` of a `util.parseArgs` config. */
export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * What is wrong with `args`, found from `util.parseArgs`'s own tokens (not from its error text):
 * an unknown flag, a flag that needs a value and has none (or one starting with `-`, which strict
 * parsing refuses as ambiguous), or a value given to a boolean flag.
 */
function flagProblem(args: string[], options: FlagOptions): string | undefined {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const flag = token.rawName;
    const option = options[token.name];
    if (option === undefined) return `unknown flag ${flag}`;
    if (option.type === 'string' && token.value === undefined) return `${flag} needs a value`;
    if (option.type === 'string' && token.inlineValue === false && token.value?.startsWith('-') === true)
      return `${flag} needs a value (write ${flag}=VALUE for a value starting with -)`;
    if (option.type === 'boolean' && token.inlineValue === true) return `${flag} takes no value`;
  }
  return undefined;
}

/** Turns a `util.parseArgs` error on `args` into one line that names the flag. */
function usageFromParseError(command: string, err: unknown, args: string[], options: FlagOptions): UsageError {
  const text = err instanceof Error ? err.message : String(err);
  const reason = flagProblem(args, options) ?? text.split('\n')[0] ?? text;
  return new UsageError(`${reason}; run 'fleet-rollout ${command} --help' for the flags`);
}

/** What {@link parseCommandArgs} returns: typed flag values and the positionals. */
export type ParsedFlags<O extends FlagOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP_FLAG_OPTIONS; strict: true; allowPositionals: true }>
>;

/** Parses `args` strictly against `options` plus `--help`; positionals are returned for the command to check. */
export function parseCommandArgs<O extends FlagOptions>(command: string, args: string[], options: O): ParsedFlags<O> {
  const all = { ...options, ...HELP_FLAG_OPTIONS };
  try {
    return parseArgs({ args, options: all, strict: true, allowPositionals: true });
  } catch (err) {
    throw usageFromParseError(command, err, args, all);
  }
}

/**
 * Checks the positional arguments against their names (`['BACKEND', 'NODE']`).
 * @throws UsageError naming the missing or surplus argument.
 */
export function expectPositionals(command: string, positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(
      `missing ${names.slice(positionals.length).join(' ')}: usage 'fleet-rollout ${command} ${names.join(' ')}'; see --help`,
    );
  }
  if (positionals.length > names.length) {
    const usage =
      names.length === 0
        ? `'fleet-rollout ${command}' takes flags only`
        : `usage 'fleet-rollout ${command} ${names.join(' ')}'`;
    throw new UsageError(`unexpected argument "${positionals[names.length] ?? ''}": ${usage}; see --help`);
  }
  return [...positionals];
}

/**
 * Parses a whole number within `[min, max]`; `label` names the flag (`--max-parallel`) or argument (`N`).
 * @throws UsageError naming it and the expected form.
 */
export function intFlag(label: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${label}: "${value}" is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

/**
 * The value of string flag `--NAME`, or of its other accepted spelling `--ALIAS`.
 * @throws UsageError when both are given.
 */
export function flagOrAlias(
  values: Readonly<Record<string, unknown>>,
  name: string,
  alias: string,
): string | undefined {
  const value = values[name];
  const other = values[alias];
  if (typeof value === 'string' && typeof other === 'string')
    throw new UsageError(`--${name} and --${alias}: give one of them, not both (--${alias} is the short spelling)`);
  if (typeof value === 'string') return value;
  return typeof other === 'string' ? other : undefined;
}

/** Splits a comma-separated flag value, dropping empty items. */
export function listFlag(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Which durations a flag takes besides positive ones. */
export interface DurationFlagOptions {
  /** `0` (no unit needed) is accepted and means none. @default false */
  zero?: boolean;
}

/**
 * Parses a duration with a unit (`90s`, `30m`, `1h30m`, `500ms`); a bare number is refused, so
 * `--timeout 30` cannot silently mean 30 milliseconds. Only `0` needs no unit, and only where
 * `options.zero` allows it (as in Go's `time.ParseDuration`).
 * @throws UsageError naming `label` and the expected form.
 */
export function durationFlag(label: string, value: string, options: DurationFlagOptions = {}): number {
  const zero = options.zero === true;
  const ms = parseDuration(value);
  if (zero && ms === 0) return 0;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value) && !/^\s*0+\s*$/.test(value))
    throw new UsageError(`${label}: "${value}" has no unit; write it like 90s, 30m or 2h (units ms, s, m, h)`);
  if (ms === undefined || ms <= 0)
    throw new UsageError(
      `${label}: "${value}" is not a ${zero ? '' : 'positive '}duration; write it like 90s, 30m or 2h${zero ? ' (0: none)' : ''}`,
    );
  return ms;
}

/** A fixed duration or a uniformly sampled range, in milliseconds. */
export interface DurationRange {
  min: number;
  max: number;
}

/**
 * Parses a duration or a range of them, `2s` or `500ms-3s`; `0` means none.
 * @throws UsageError naming `label` and the expected form.
 */
export function durationRangeFlag(label: string, value: string): DurationRange {
  const [from = '', to, extra] = value.split('-');
  if (extra !== undefined) throw new UsageError(`${label}: "${value}" is not a duration or a range such as 500ms-3s`);
  const min = durationFlag(label, from, { zero: true });
  const max = to === undefined ? min : durationFlag(label, to, { zero: true });
  if (max < min) throw new UsageError(`${label}: "${value}" ends before it starts; write it low-high, e.g. 500ms-3s`);
  return { min, max };
}

/** Flag values as `util.parseArgs` returns them. */
type FlagValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/**
 * The text of duration flag `--NAME`, or of its deprecated spelling `--OLD` (a whole number of
 * milliseconds, or a MIN-MAX range of them with `range`), rewritten with units after a warning.
 */
function durationText(
  values: FlagValues,
  name: string,
  old: string | undefined,
  range: boolean,
  warn: (line: string) => void,
): { label: string; text: string } | undefined {
  const text = values[name];
  const legacy = old === undefined ? undefined : values[old];
  if (typeof legacy !== 'string') return typeof text === 'string' ? { label: `--${name}`, text } : undefined;
  if (typeof text === 'string') throw new UsageError(`--${name} and --${old ?? ''}: give one of them, not both`);
  const form = range ? /^\s*\d+\s*(-\s*\d+\s*)?$/ : /^\s*\d+\s*$/;
  if (!form.test(legacy))
    throw new UsageError(
      `--${old ?? ''} "${legacy}": expected whole milliseconds; better, write --${name} with a unit, e.g. --${name} 2s`,
    );
  const parts = legacy.split('-').map((n) => Number(n.trim()));
  const rewritten = parts.map((n) => (n === 0 ? '0' : formatDuration(n))).join('-');
  warn(`--${old ?? ''} is deprecated and will be removed: write --${name} ${rewritten}`);
  return { label: `--${old ?? ''}`, text: parts.map((n) => `${n}ms`).join('-') };
}

/** Options of {@link durationFlagValue}. */
export interface DurationFlagValueOptions extends DurationFlagOptions {
  /** The deprecated `-ms` spelling still accepted, as whole milliseconds with a warning. */
  old?: string;
  warn?: (line: string) => void;
}

/**
 * The duration flag `--NAME` (see {@link durationFlag}) from `values`, or its deprecated spelling;
 * `undefined` when neither is given.
 * @throws UsageError naming the flag given.
 */
export function durationFlagValue(
  values: FlagValues,
  name: string,
  options: DurationFlagValueOptions = {},
): number | undefined {
  const given = durationText(values, name, options.old, false, options.warn ?? warnOnStderr);
  return given === undefined ? undefined : durationFlag(given.label, given.text, options);
}

/** The duration-range flag `--NAME` (see {@link durationRangeFlag}) or its deprecated spelling. */
export function durationRangeFlagValue(
  values: FlagValues,
  name: string,
  options: Omit<DurationFlagValueOptions, 'zero'> = {},
): DurationRange | undefined {
  const given = durationText(values, name, options.old, true, options.warn ?? warnOnStderr);
  return given === undefined ? undefined : durationRangeFlag(given.label, given.text);
}

/** The help line on the deprecated `-ms` spellings of duration flags. */
export const MS_ALIASES_HELP = `Durations take a unit: 500ms, 30s, 2m, 1h30m; 0 needs none. The old -ms spellings (e.g.
--shutdown-grace-ms 30000) still work in this release, as whole milliseconds, with a warning.
`;
