/**
 * Opening a Temporal client from validated settings. Every failure to reach the server becomes a
 * {@link TemporalUnreachableError} naming the address and how to start a local server; secrets
 * (the API key, TLS key) never appear in a message.
 */
import { readFileSync } from 'node:fs';
import type { Client, Connection, TLSConfig } from '@temporalio/client';
import { InvalidSettingsError, TemporalUnreachableError } from './errors.js';
import {
  checkTemporalSettings,
  describeTemporalSettings,
  type TemporalSettings,
  type TemporalSettingsInput,
} from './settings.js';

/** What both `Connection.connect` (client) and `NativeConnection.connect` (worker) take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

function readPem(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new InvalidSettingsError(`${setting}: cannot read ${file}: ${reason}`);
  }
}

/** Validates settings; a problem becomes an {@link InvalidSettingsError} naming the setting. */
export function parseTemporalSettings(input: TemporalSettingsInput): TemporalSettings {
  const checked = checkTemporalSettings(input);
  if (checked.ok) return checked.settings;
  const { field, detail } = checked;
  throw new InvalidSettingsError(`Temporal setting ${field === '' ? '(settings)' : field}: ${detail}`, field, detail);
}

/**
 * Connection options for the client or a worker: TLS from the CA and client certificate files,
 * and TLS implied by an API key (Temporal Cloud).
 * @throws InvalidSettingsError when a TLS file cannot be read.
 */
export function temporalConnectionOptions(settings: TemporalSettings): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: settings.address };
  if (settings.tlsCa !== undefined || settings.tlsCert !== undefined) {
    const tls: TLSConfig = {};
    if (settings.tlsCa !== undefined) tls.serverRootCACertificate = readPem(settings.tlsCa, 'TLS CA file');
    if (settings.tlsCert !== undefined && settings.tlsKey !== undefined) {
      tls.clientCertPair = {
        crt: readPem(settings.tlsCert, 'TLS cert file'),
        key: readPem(settings.tlsKey, 'TLS key file'),
      };
    }
    options.tls = tls;
  } else if (settings.apiKey !== undefined) {
    options.tls = true;
  }
  if (settings.apiKey !== undefined) options.apiKey = settings.apiKey;
  return options;
}

/** The message of an unreachable server: names the address and says how to get one running. */
export function unreachableMessage(settings: TemporalSettings, detail: string): string {
  return (
    `cannot reach Temporal at ${describeTemporalSettings(settings)}: ${detail}. ` +
    `Start a local server with 'temporal server start-dev' (or 'npm start -- --keep'), ` +
    `or point --temporal-address / TEMPORAL_ADDRESS at yours`
  );
}

/** Options of {@link connectTemporal}. */
export interface ConnectTemporalOptions {
  /** How long to wait for the server to answer. @default 5000 */
  connectTimeoutMs?: number;
}

/**
 * Connects to Temporal and returns a client bound to the settings' namespace. Close it with
 * `client.connection.close()`.
 * @throws InvalidSettingsError for invalid settings or unreadable TLS files.
 * @throws TemporalUnreachableError when the server does not answer in time or refuses the connection.
 */
export async function connectTemporal(
  input: TemporalSettingsInput,
  options: ConnectTemporalOptions = {},
): Promise<Client> {
  const settings = parseTemporalSettings(input);
  const connectionOptions = temporalConnectionOptions(settings);
  // Loaded here, not at the top: short-lived commands that never connect skip its ~0.4 s load.
  const { Client, Connection } = await import('@temporalio/client');
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions, connectTimeout: options.connectTimeoutMs ?? 5_000 });
  } catch (err) {
    const detail = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
    const safe = settings.apiKey === undefined ? detail : detail.split(settings.apiKey).join('***');
    throw new TemporalUnreachableError(unreachableMessage(settings, safe.replace(/\s+/g, ' ').trim()));
  }
  return new Client({ connection, namespace: settings.namespace });
}
