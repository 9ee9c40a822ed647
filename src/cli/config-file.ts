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
import { LOCALAI_ENV } from './localai-flags.js';

/**
 * Each section of the file, its keys and the environment variable each stands for. A key is the
 * setting's one name: the variable is its upper snake case after the section's prefix, the flag
 * its kebab case (`temporal.tlsCa`, `TEMPORAL_TLS_CA`, `--temporal-tls-ca`).
 */
export const CONFIG_ENV = {
  temporal: { ...TEMPORAL_ENV, taskQueue: TASK_QUEUE_ENV },
  nats: NATS_ENV,
  localai: LOCALAI_ENV,
} as const;

const text = z.string().min(1);
const section = (keys: readonly string[], special: Record<string, z.ZodType> = {}) =>
  z
    .object(Object.fromEntries(keys.map((key) => [key, special[key] ?? text])))
    .partial()
    .strict()
    .optional();

/** The `--config` file. */
export const ConfigFileSchema = z
  .object({
    temporal: section(Object.keys(CONFIG_ENV.temporal)),
    nats: section(Object.keys(CONFIG_ENV.nats), { url: z.union([text, z.array(text).min(1)]), password: z.string() }),
    localai: section(Object.keys(CONFIG_ENV.localai)),
    /** Where files written before `temporal.taskQueue` keep the task queue. */
    taskQueue: text.optional(),
  })
  .strict()
  .refine((c) => c.taskQueue === undefined || c.temporal?.['taskQueue'] === undefined, {
    path: ['taskQueue'],
    message: 'give the task queue once, as temporal.taskQueue',
  });
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
  for (const [name, keys] of Object.entries(CONFIG_ENV)) {
    const values: Record<string, unknown> = config[name as keyof typeof CONFIG_ENV] ?? {};
    for (const [key, variable] of Object.entries(keys)) {
      const value = values[key];
      if (typeof value === 'string') env[variable] = value;
      else if (Array.isArray(value)) env[variable] = value.join(',');
    }
  }
  if (config.taskQueue !== undefined) env[TASK_QUEUE_ENV] = config.taskQueue;
  return env;
}
