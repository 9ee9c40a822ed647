/**
 * Strict flag parsing shared by the operator commands: unknown flags, missing values and
 * surplus arguments are a {@link UsageError} naming the flag and pointing at `--help`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../domain/duration.js';
import { UsageError } from './exit.js';
import { HELP_FLAG_OPTIONS } from './nats-flags.js';

/** The `options` of a `util.parseArgs` config. */
export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** Turns a `util.parseArgs` error into one line that names the flag. */
export function usageFromParseError(command: string, err: unknown): UsageError {
  const text = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(text);
  const missing = /Option '(--[\w-]+)(?: <value>)?' argument missing/.exec(text);
  const ambiguous = /Option '(--[\w-]+)' argument is ambiguous/.exec(text);
  const noValue = /Option '(--[\w-]+)' does not take an argument/.exec(text);
  let reason = text.split('\n')[0] ?? text;
  if (unknown !== null) reason = `unknown flag ${unknown[1]}`;
  else if (missing !== null) reason = `${missing[1]} needs a value`;
  else if (ambiguous !== null)
    reason = `${ambiguous[1]} needs a value (write ${ambiguous[1]}=VALUE for a value starting with -)`;
  else if (noValue !== null) reason = `${noValue[1]} takes no value`;
  return new UsageError(`${reason}; run 'fleet-rollout ${command} --help' for the flags`);
}

/** What {@link parseCommandArgs} returns: typed flag values and the positionals. */
export type ParsedFlags<O extends FlagOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP_FLAG_OPTIONS; strict: true; allowPositionals: true }>
>;

/** Parses `args` strictly against `options` plus `--help`; positionals are returned for the command to check. */
export function parseCommandArgs<O extends FlagOptions>(command: string, args: string[], options: O): ParsedFlags<O> {
  try {
    return parseArgs({ args, options: { ...options, ...HELP_FLAG_OPTIONS }, strict: true, allowPositionals: true });
  } catch (err) {
    throw usageFromParseError(command, err);
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

/** Splits a comma-separated flag value, dropping empty items. */
export function listFlag(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Parses a positive duration with a unit (`90s`, `30m`, `1h30m`); a bare number is refused, so
 * `--timeout 30` cannot silently mean 30 milliseconds.
 * @throws UsageError naming `label` and the expected form.
 */
export function durationFlag(label: string, value: string): number {
  if (/^\s*\d+(\.\d+)?\s*$/.test(value))
    throw new UsageError(`${label}: "${value}" has no unit; write it like 90s, 30m or 2h (units ms, s, m, h)`);
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${label}: "${value}" is not a positive duration; write it like 90s, 30m or 2h`);
  return ms;
}
