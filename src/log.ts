/**
 * The one root logger. Child loggers carry context (`rollout`, `nodeId`); credentials are
 * redacted by key wherever they appear. Output is JSON lines on stderr; set LOG_LEVEL to change
 * the level (default `info`, `silent` turns logging off).
 */
import pino, { type Logger } from 'pino';

/** Keys whose values are never written to a log. */
export const REDACTED_KEYS = [
  'token',
  'password',
  'pass',
  'nkeySeed',
  'seed',
  'apiKey',
  'key',
  'keyFile',
  'credsFile',
  'authorization',
  '*.token',
  '*.password',
  '*.pass',
  '*.nkeySeed',
  '*.apiKey',
  '*.key',
  '*.authorization',
];

/** Creates the root logger (tests and the demo pass their own level or destination). */
export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: pino.DestinationStream,
): Logger {
  const level = options.level ?? process.env['LOG_LEVEL'] ?? 'info';
  return pino(
    { name: options.name ?? 'fleet-rollout', level, redact: { paths: REDACTED_KEYS, censor: '[redacted]' } },
    destination ?? pino.destination(2),
  );
}

export type { Logger };
