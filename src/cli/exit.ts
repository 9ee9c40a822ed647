/** Process exit codes of the CLI, and the mapping from errors to them. */
import type { NatsConnectError } from '../nats/connection.js';

export const ExitCode = { Ok: 0, RolloutFailed: 1, Usage: 2, Unreachable: 3, Timeout: 4 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad flags, files or arguments (exit 2). The message names the field and the expected form. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Temporal or NATS cannot be reached (exit 3). The message names the address and what to do. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

/** A command's `--timeout` passed before what it waited for happened (exit 4). */
export class CommandTimeoutError extends Error {
  override readonly name = 'CommandTimeoutError';
}

/** Maps an error thrown by a command to its exit code and a one-line message. */
export function exitCodeFor(err: unknown): { code: ExitCode; message: string } {
  if (err instanceof UsageError) return { code: ExitCode.Usage, message: err.message };
  if (err instanceof CommandTimeoutError) return { code: ExitCode.Timeout, message: err.message };
  // By name: importing the NATS module here would load the NATS client into every command.
  const natsUnreachable = err instanceof Error && (err as Partial<NatsConnectError>).name === 'NatsConnectError';
  if (err instanceof UnreachableError || natsUnreachable) return { code: ExitCode.Unreachable, message: err.message };
  return { code: ExitCode.RolloutFailed, message: err instanceof Error ? err.message : String(err) };
}
