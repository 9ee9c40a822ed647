/**
 * The shape shared by the control commands (`pause`, `resume`, `abort`, `promote`, `skip`,
 * `retry`, `set-max-parallel`): positionals, an optional `--reason`, one update, one reply.
 * Controls go out as one light gRPC call (no Temporal SDK load), so a control takes a few
 * hundred milliseconds from process start.
 */
import type { ControlCall } from '../client/control-calls.js';
import { queryStatusRpc, sendControlRpc } from '../client/control-rpc.js';
import { InvalidSettingsError, TemporalUnreachableError } from '../client/errors.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { TEMPORAL_FLAG_OPTIONS, TEMPORAL_FLAGS_HELP } from './connection-flags.js';
import { controlReply } from './control-reply.js';
import { ExitCode, UnreachableError, UsageError } from './exit.js';
import { printLines, resolveConnection } from './session.js';

/** One control command. */
export interface ControlCommand {
  name: string;
  /** Positional argument names, BACKEND first. */
  positionals: readonly string[];
  /** What it does, for `--help`. */
  description: string;
  /** Whether it takes `--reason TEXT`. */
  reason?: boolean;
  /** Boolean flags of its own (`--full`), with their help text. */
  switches?: readonly { name: string; help: string }[];
  examples: readonly string[];
  /** The update to send; `args` are the positionals after BACKEND, `switches` the boolean flags given. */
  call: (backend: string, args: string[], reason: string | undefined, switches: ReadonlySet<string>) => ControlCall;
}

function usageLine(command: ControlCommand): string {
  const switches = (command.switches ?? []).map((s) => ` [--${s.name}]`).join('');
  return `fleet-rollout ${command.name} ${command.positionals.join(' ')}${command.reason === true ? ' [--reason TEXT]' : ''}${switches}`;
}

function flagsHelp(command: ControlCommand): string {
  const lines =
    command.reason === true ? ['  --reason TEXT               why (kept in the rollout history, shown by status)'] : [];
  for (const s of command.switches ?? []) lines.push(`  ${`--${s.name}`.padEnd(28)}${s.help}`);
  return lines.map((l) => `${l}\n`).join('');
}

function help(command: ControlCommand): string {
  return `Usage: ${usageLine(command)}

${command.description}
A refusal (the rollout ended, or the change does not apply now) is printed with the reason and exits 1.

Flags:
${flagsHelp(command)}  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
Examples:
${command.examples.map((e) => `  ${e}`).join('\n')}
`;
}

/** Parses the arguments of `command`, sends its update, prints the reply. */
export async function runControl(command: ControlCommand, args: string[]): Promise<number> {
  const switchOptions = Object.fromEntries((command.switches ?? []).map((s) => [s.name, { type: 'boolean' } as const]));
  const options =
    command.reason === true
      ? ({ ...TEMPORAL_FLAG_OPTIONS, ...switchOptions, reason: { type: 'string' } } as const)
      : { ...TEMPORAL_FLAG_OPTIONS, ...switchOptions };
  const { values, positionals } = parseCommandArgs(command.name, args, options);
  if (values.help === true) {
    process.stdout.write(help(command));
    return ExitCode.Ok;
  }
  const [backend = '', ...rest] = expectPositionals(command.name, positionals, command.positionals);
  const reason = 'reason' in values && typeof values.reason === 'string' ? values.reason : undefined;
  const given = new Set(
    (command.switches ?? []).map((s) => s.name).filter((name) => (values as Record<string, unknown>)[name] === true),
  );
  const call = command.call(backend, rest, reason, given);
  const { settings } = resolveConnection(values);
  try {
    let status = await sendControlRpc(settings, call);
    if (call.update === 'abort') {
      // The update answers with counts only; the nodes caught mid-upgrade are asked for right after.
      const active = await queryStatusRpc(settings, call, { nodes: 'active' }).catch(() => undefined);
      if (active !== undefined) status = { ...status, nodes: active.nodes };
    }
    printLines(controlReply(call, status));
  } catch (err) {
    if (err instanceof TemporalUnreachableError) throw new UnreachableError(err.message);
    if (err instanceof InvalidSettingsError) throw new UsageError(err.message);
    throw err;
  }
  return ExitCode.Ok;
}
