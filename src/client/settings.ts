/**
 * How to reach Temporal: address, namespace, API key and TLS files, validated with zod and read
 * from the environment (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
 * `TEMPORAL_TLS_CERT`/`_KEY`/`_CA`). Secrets never appear in {@link describeTemporalSettings}.
 */
import { z } from 'zod';

/** Address of a local dev server (`temporal server start-dev`). */
export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

/** Temporal connection settings; every default is documented per field. */
export const TemporalSettingsSchema = z
  .object({
    /** `host:port` of the Temporal frontend. @default "127.0.0.1:7233" */
    address: z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$/, 'expected host:port such as 127.0.0.1:7233')
      .default(DEFAULT_TEMPORAL_ADDRESS),
    /** @default "default" */
    namespace: z.string().min(1, 'a namespace name such as default').default('default'),
    /** API key (Temporal Cloud); implies TLS. */
    apiKey: z.string().min(1).optional(),
    /** mTLS client certificate file (PEM), with `tlsKey`. */
    tlsCert: z.string().min(1).optional(),
    /** mTLS client key file (PEM), with `tlsCert`. */
    tlsKey: z.string().min(1).optional(),
    /** CA bundle (PEM) to verify the server; implies TLS. */
    tlsCa: z.string().min(1).optional(),
    /** Base URL of the Temporal Web UI. @default derived from the address, see {@link webUiBase} */
    uiUrl: z.url('expected a URL such as http://127.0.0.1:8233').optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.tlsCert === undefined) !== (s.tlsKey === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tlsCert'],
        message: 'a TLS client certificate needs both the cert and the key file',
      });
    }
  });
/** Settings as callers give them (defaults optional). */
export type TemporalSettingsInput = z.input<typeof TemporalSettingsSchema>;
/** Settings after validation, defaults applied. */
export type TemporalSettings = z.output<typeof TemporalSettingsSchema>;

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
