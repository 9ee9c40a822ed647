/**
 * The `--config` file (JSON or YAML): its zod schema, reading it, and its values as the
 * environment variables they stand for. Loaded only when a config file is read, so commands
 * without one (the control commands above all) skip zod and YAML.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TEMPORAL_ENV } from '../client/settings.js';
import { NATS_ENV } from '../nats/env.js';
import { TASK_QUEUE_ENV } from './connection-flags.js';
import { UsageError } from './exit.js';

const text = z.string().min(1);
/** The `--config` file. */
export const ConfigFileSchema = z
  .object({
    temporal: z
      .object({ address: text, namespace: text, apiKey: text, tlsCert: text, tlsKey: text, tlsCa: text, uiUrl: text })
      .partial()
      .strict()
      .optional(),
    nats: z
      .object({
        url: z.union([text, z.array(text).min(1)]),
        token: text,
        user: text,
        password: z.string(),
        creds: text,
        nkeySeed: text,
        tlsCa: text,
        tlsCert: text,
        tlsKey: text,
      })
      .partial()
      .strict()
      .optional(),
    taskQueue: text.optional(),
  })
  .strict();
/** A validated `--config` file. */
export type ConfigFile = z.output<typeof ConfigFileSchema>;

/** YAML is loaded only when a config file is read: commands without one skip its load. */
function parseYaml(raw: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
  return (require('yaml') as typeof import('yaml')).parse(raw);
}

/** Reads and validates a config file. @throws UsageError naming `--config`, the file and the field. */
export function loadConfigFile(file: string): ConfigFile {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UsageError(`--config: cannot read ${file}: ${reason}`);
  }
  let data: unknown;
  try {
    data = parseYaml(raw);
  } catch (err) {
    throw new UsageError(`--config: ${file} is neither JSON nor YAML: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  const parsed = ConfigFileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `--config: ${file}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** The config file's values as environment variables. */
export function configAsEnv(config: ConfigFile): Record<string, string> {
  const env: Record<string, string> = {};
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined) env[key] = value;
  };
  const t = config.temporal ?? {};
  for (const [field, key] of Object.entries(TEMPORAL_ENV)) put(key, t[field as keyof typeof t]);
  const n = config.nats ?? {};
  put(NATS_ENV.url, Array.isArray(n.url) ? n.url.join(',') : n.url);
  put(NATS_ENV.token, n.token);
  put(NATS_ENV.user, n.user);
  put(NATS_ENV.password, n.password);
  put(NATS_ENV.credsFile, n.creds);
  put(NATS_ENV.nkeySeed, n.nkeySeed);
  put(NATS_ENV.caFile, n.tlsCa);
  put(NATS_ENV.certFile, n.tlsCert);
  put(NATS_ENV.keyFile, n.tlsKey);
  put(TASK_QUEUE_ENV, config.taskQueue);
  return env;
}
