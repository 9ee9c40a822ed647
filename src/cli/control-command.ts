/**
 * The shape shared by the control commands (`pause`, `resume`, `abort`, `promote`, `skip`,
 * `retry`, `set-max-parallel`): positionals, an optional `--reason`, one update, one line out.
 */
import type { Client } from '@temporalio/client';
import type { RolloutStatus } from '../workflows/status.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { TEMPORAL_FLAG_OPTIONS, TEMPORAL_FLAGS_HELP } from './connection-flags.js';
import { ExitCode } from './exit.js';
import { resolveConnection, withClient } from './session.js';

/** One control command. */
export interface ControlCommand {
  name: string;
  /** Positional argument names, BACKEND first. */
  positionals: readonly string[];
  /** What it does, for `--help`. */
  description: string;
  /** Whether it takes `--reason TEXT`. */
  reason?: boolean;
  examples: readonly string[];
  /** Sends the update; `args` are the positionals after BACKEND. */
  send: (client: Client, backend: string, args: string[], reason: string | undefined) => Promise<RolloutStatus>;
  /** Past tense for the confirmation, e.g. `paused`. */
  done: string;
}

function help(command: ControlCommand): string {
  return `Usage: fleet-rollout ${command.name} ${command.positionals.join(' ')}${command.reason === true ? ' [--reason TEXT]' : ''}

${command.description}
A refusal (the rollout ended, or the change does not apply now) is printed with the reason and exits 1.

Flags:
${command.reason === true ? '  --reason TEXT               why (kept in the rollout history)\n' : ''}  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
Examples:
${command.examples.map((e) => `  ${e}`).join('\n')}
`;
}

/** Parses the arguments of `command`, sends its update, prints one confirmation line. */
export async function runControl(command: ControlCommand, args: string[]): Promise<number> {
  const options =
    command.reason === true
      ? ({ ...TEMPORAL_FLAG_OPTIONS, reason: { type: 'string' } } as const)
      : TEMPORAL_FLAG_OPTIONS;
  const { values, positionals } = parseCommandArgs(command.name, args, options);
  if (values.help === true) {
    process.stdout.write(help(command));
    return ExitCode.Ok;
  }
  const [backend = '', ...rest] = expectPositionals(command.name, positionals, command.positionals);
  const reason = 'reason' in values && typeof values.reason === 'string' ? values.reason : undefined;
  return await withClient(resolveConnection(values), async (client) => {
    const status = await command.send(client, backend, rest, reason);
    process.stdout.write(`${command.done} ${[backend, ...rest].join(' ')}; ${status.message}\n`);
    return ExitCode.Ok;
  });
}
