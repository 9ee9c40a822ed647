/**
 * How to reach Temporal: address, namespace, API key and TLS files, validated and read
 * from the environment (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
 * `TEMPORAL_TLS_CERT`/`_KEY`/`_CA`). Secrets never appear in {@link describeTemporalSettings}.
 */
/** Address of a local dev server (`temporal server start-dev`). */
export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

/** Temporal connection settings as callers give them; every default is documented per field. */
export interface TemporalSettingsInput {
  /** `host:port` of the Temporal frontend. @default "127.0.0.1:7233" */
  address?: string | undefined;
  /** @default "default" */
  namespace?: string | undefined;
  /** API key (Temporal Cloud); implies TLS. */
  apiKey?: string | undefined;
  /** mTLS client certificate file (PEM), with `tlsKey`. */
  tlsCert?: string | undefined;
  /** mTLS client key file (PEM), with `tlsCert`. */
  tlsKey?: string | undefined;
  /** CA bundle (PEM) to verify the server; implies TLS. */
  tlsCa?: string | undefined;
  /** Base URL of the Temporal Web UI. @default derived from the address, see {@link webUiBase} */
  uiUrl?: string | undefined;
}

/** Settings after validation, defaults applied. */
export interface TemporalSettings extends TemporalSettingsInput {
  address: string;
  namespace: string;
}

/** Either valid settings or the field at fault and what is wrong with it. */
export type TemporalSettingsCheck =
  { ok: true; settings: TemporalSettings } | { ok: false; field: string; detail: string };

const ADDRESS_RE = /^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$/;
const OPTIONAL_TEXT = ['apiKey', 'tlsCert', 'tlsKey', 'tlsCa', 'uiUrl'] as const;
const FIELDS: readonly string[] = ['address', 'namespace', ...OPTIONAL_TEXT];

/**
 * Validates settings (unknown keys refused, defaults applied). Plain code rather than a zod
 * schema: the control commands read these settings first thing, and loading zod would be most of
 * their start-up time.
 */
export function checkTemporalSettings(input: unknown): TemporalSettingsCheck {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, field: '', detail: 'expected an object of settings' };
  const given = input as Record<string, unknown>;
  const unknown = Object.keys(given).find((key) => !FIELDS.includes(key));
  if (unknown !== undefined) return { ok: false, field: unknown, detail: `unknown setting "${unknown}"` };
  for (const field of FIELDS) {
    const value = given[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') return { ok: false, field, detail: `expected a string, got ${typeof value}` };
    if (value === '') return { ok: false, field, detail: 'must not be empty' };
  }
  const settings: TemporalSettings = {
    address: (given['address'] as string | undefined) ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: (given['namespace'] as string | undefined) ?? 'default',
  };
  if (!ADDRESS_RE.test(settings.address))
    return { ok: false, field: 'address', detail: 'expected host:port such as 127.0.0.1:7233' };
  for (const field of OPTIONAL_TEXT) {
    const value = given[field] as string | undefined;
    if (value !== undefined) settings[field] = value;
  }
  if (settings.uiUrl !== undefined && !URL.canParse(settings.uiUrl))
    return { ok: false, field: 'uiUrl', detail: 'expected a URL such as http://127.0.0.1:8233' };
  if ((settings.tlsCert === undefined) !== (settings.tlsKey === undefined))
    return { ok: false, field: 'tlsCert', detail: 'a TLS client certificate needs both the cert and the key file' };
  return { ok: true, settings };
}

/** The environment variables read by {@link temporalSettingsFromEnv}, by settings field. */
export const TEMPORAL_ENV = {
  address: 'TEMPORAL_ADDRESS',
  namespace: 'TEMPORAL_NAMESPACE',
  apiKey: 'TEMPORAL_API_KEY',
  tlsCert: 'TEMPORAL_TLS_CERT',
  tlsKey: 'TEMPORAL_TLS_KEY',
  tlsCa: 'TEMPORAL_TLS_CA',
  uiUrl: 'TEMPORAL_UI_URL',
} as const;

/** Reads Temporal settings from the environment; empty variables count as unset. Not validated yet. */
export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv): TemporalSettingsInput {
  const out: Record<string, string> = {};
  for (const [field, key] of Object.entries(TEMPORAL_ENV)) {
    const value = env[key];
    if (value !== undefined && value !== '') out[field] = value;
  }
  return out;
}

/** A printable description: address, namespace and which auth is used, never a key. */
export function describeTemporalSettings(s: TemporalSettings): string {
  const auth =
    s.apiKey !== undefined ? 'API key' : s.tlsCert !== undefined ? 'mTLS' : s.tlsCa !== undefined ? 'TLS' : 'plaintext';
  return `${s.address} (namespace ${s.namespace}, ${auth})`;
}

/**
 * The Web UI base URL: `uiUrl` when given; Temporal Cloud's UI for `*.tmprl.cloud` addresses;
 * otherwise the dev server's convention, the same host on the gRPC port + 1000 (7233 → 8233).
 */
export function webUiBase(s: TemporalSettings): string {
  if (s.uiUrl !== undefined) return s.uiUrl.replace(/\/+$/, '');
  if (/\.tmprl\.cloud:\d+$/.test(s.address)) return 'https://cloud.temporal.io';
  const match = /^(.*):(\d+)$/.exec(s.address);
  const host = match?.[1] ?? '127.0.0.1';
  const port = Number(match?.[2] ?? 7233) + 1000;
  return `http://${host}:${port}`;
}

/** Web UI link of one workflow execution (of its latest run when `runId` is absent). */
export function workflowUiUrl(s: TemporalSettings, workflowId: string, runId?: string): string {
  const base = `${webUiBase(s)}/namespaces/${encodeURIComponent(s.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId === undefined ? base : `${base}/${encodeURIComponent(runId)}/history`;
}
