/**
 * The connection part of every Temporal-facing command: settings from flags, environment and
 * `--config`; a client that is always closed; client errors mapped to exit codes (bad input 2,
 * unreachable 3).
 */
import type { Client } from '@temporalio/client';
import { connectTemporal, unreachableMessage } from '../client/connect.js';
import { InvalidSettingsError, InvalidSpecError, TemporalUnreachableError } from '../client/errors.js';
import type { TemporalSettings } from '../client/settings.js';
import {
  effectiveEnv,
  taskQueueFlag,
  taskQueueFrom,
  temporalSettingsFromFlags,
  type TemporalFlagValues,
} from './connection-flags.js';
import { UnreachableError, UsageError } from './exit.js';

/** Resolved connection settings of a command. */
export interface CommandConnection {
  settings: TemporalSettings;
  /** The environment with the `--config` file underneath it. */
  env: NodeJS.ProcessEnv;
  taskQueue: string;
}

/** Resolves the Temporal settings and task queue from flags, environment and `--config`. */
export function resolveConnection(
  values: TemporalFlagValues & { 'temporal-task-queue'?: string | undefined; 'task-queue'?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): CommandConnection {
  const merged = effectiveEnv(values.config, env);
  return {
    settings: temporalSettingsFromFlags(values, merged),
    env: merged,
    taskQueue: taskQueueFrom(taskQueueFlag(values), merged),
  };
}

/** gRPC UNAVAILABLE (14) or a deadline while talking to the server: it went away mid-command. */
function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code ?? (err as { cause?: { code?: unknown } }).cause?.code;
  return code === 14;
}

/** Connects, runs `work`, closes; maps client errors to the CLI's exit codes. */
export async function withClient<T>(connection: CommandConnection, work: (client: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = await connectTemporal(connection.settings);
  } catch (err) {
    if (err instanceof TemporalUnreachableError) throw new UnreachableError(err.message);
    if (err instanceof InvalidSettingsError) throw new UsageError(err.message);
    throw err;
  }
  try {
    return await work(client);
  } catch (err) {
    if (err instanceof InvalidSpecError || err instanceof InvalidSettingsError) throw new UsageError(err.message);
    if (isUnavailable(err)) throw new UnreachableError(unreachableMessage(connection.settings, (err as Error).message));
    throw err;
  } finally {
    await client.connection.close();
  }
}

/** Writes `value` as indented JSON and a newline. */
export function printJson(value: unknown, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes lines to stdout. */
export function printLines(lines: readonly string[], out: NodeJS.WritableStream = process.stdout): void {
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
}
