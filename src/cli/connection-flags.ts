/**
 * Where to reach Temporal (and NATS): flags, then the environment, then a `--config FILE` (JSON or
 * YAML), then defaults, each validated with zod. The config file is read as if its values were
 * environment variables underneath the real ones, so one precedence rule covers all three.
 * Secret values never appear in a message.
 */
import { parseTemporalSettings } from '../client/connect.js';
import { InvalidSettingsError } from '../client/errors.js';
import { TEMPORAL_ENV, temporalSettingsFromEnv, type TemporalSettings } from '../client/settings.js';
import { defaultConfigFile } from './default-config.js';
import { UsageError } from './exit.js';
import { flagOrAlias, warnOnStderr } from './args.js';
import { NATS_FLAG_OPTIONS, secretFlag } from './nats-flags.js';

import { DEFAULT_TASK_QUEUE } from '../addressing.js';

/** Environment variable of the task queue. */
export const TASK_QUEUE_ENV = 'TEMPORAL_TASK_QUEUE';

/** `util.parseArgs` options of the Temporal connection flags. */
export const TEMPORAL_FLAG_OPTIONS = {
  'temporal-address': { type: 'string' },
  'temporal-namespace': { type: 'string' },
  namespace: { type: 'string' },
  'temporal-api-key': { type: 'string' },
  'temporal-api-key-file': { type: 'string' },
  'temporal-tls-cert': { type: 'string' },
  'temporal-tls-key': { type: 'string' },
  'temporal-tls-ca': { type: 'string' },
  'temporal-ui-url': { type: 'string' },
  config: { type: 'string' },
} as const;

/** Help lines of the Temporal connection flags. */
export const TEMPORAL_FLAGS_HELP = `Temporal flags (each defaults from the environment variable in brackets, then --config):
  --temporal-address HOST:PORT  frontend (${TEMPORAL_ENV.address}; default 127.0.0.1:7233)
  --temporal-namespace NAME     (${TEMPORAL_ENV.namespace}; default "default"); also --namespace NAME
  --temporal-api-key-file FILE  API key read from FILE, implies TLS (${TEMPORAL_ENV.apiKey}); --temporal-api-key KEY
                                also works but shows the key in the process list
  --temporal-tls-cert FILE      mTLS client certificate, with --temporal-tls-key (${TEMPORAL_ENV.tlsCert}, ${TEMPORAL_ENV.tlsKey})
  --temporal-tls-ca FILE        CA bundle to verify the server (${TEMPORAL_ENV.tlsCa})
  --temporal-ui-url URL         Web UI base for links (${TEMPORAL_ENV.uiUrl}; default: the address's port + 1000)
  --config FILE                 (default: $XDG_CONFIG_HOME/fleet-rollout/config.yaml when it exists)
                                JSON or YAML, keys named as the flags: { temporal: { address, namespace, taskQueue,
                                apiKey, tlsCert, tlsKey, tlsCa, uiUrl }, nats: { url, token, user, password, creds,
                                nkeySeed, tlsCa, tlsCert, tlsKey }, localai: { url, apiKey, apiKeyFile } }
`;

/** Values of the Temporal flags as `util.parseArgs` returns them. */
export type TemporalFlagValues = { [K in keyof typeof TEMPORAL_FLAG_OPTIONS]?: string | undefined };

/** The config file module, and zod and YAML with it, loaded only when a config file is read. */
function configFileModule(): typeof import('./config-file.js') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
  return require('./config-file.js') as typeof import('./config-file.js');
}

/** The environment with the `--config` file underneath it (set, non-empty variables win). */
export function effectiveEnv(configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const file = configFile ?? defaultConfigFile(env);
  if (file === undefined) return env;
  const { configAsEnv, loadConfigFile } = configFileModule();
  const merged: NodeJS.ProcessEnv = { ...configAsEnv(loadConfigFile(file)) };
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') merged[key] = value;
  return merged;
}

const FLAG_OF_SETTING: Readonly<Record<string, string>> = {
  address: '--temporal-address',
  namespace: '--temporal-namespace',
  apiKey: '--temporal-api-key(-file)',
  tlsCert: '--temporal-tls-cert/--temporal-tls-key',
  tlsKey: '--temporal-tls-key',
  tlsCa: '--temporal-tls-ca',
  uiUrl: '--temporal-ui-url',
};

/**
 * Temporal settings from flags over `env` (see {@link effectiveEnv}).
 * @throws UsageError naming the flag (and its environment variable) and the expected form.
 */
export function temporalSettingsFromFlags(
  values: TemporalFlagValues,
  env: NodeJS.ProcessEnv,
  warn: (line: string) => void = warnOnStderr,
): TemporalSettings {
  const input: Record<string, string> = { ...(temporalSettingsFromEnv(env) as Record<string, string>) };
  const flags: Record<string, string | undefined> = {
    address: values['temporal-address'],
    namespace: flagOrAlias(values, 'temporal-namespace', 'namespace'),
    apiKey: secretFlag(values, 'temporal-api-key', TEMPORAL_ENV.apiKey, warn),
    tlsCert: values['temporal-tls-cert'],
    tlsKey: values['temporal-tls-key'],
    tlsCa: values['temporal-tls-ca'],
    uiUrl: values['temporal-ui-url'],
  };
  for (const [field, value] of Object.entries(flags)) if (value !== undefined) input[field] = value;
  try {
    return parseTemporalSettings(input);
  } catch (err) {
    if (!(err instanceof InvalidSettingsError)) throw err;
    const flag = FLAG_OF_SETTING[err.field ?? ''];
    const envName = TEMPORAL_ENV[err.field as keyof typeof TEMPORAL_ENV] as string | undefined;
    throw new UsageError(
      flag === undefined
        ? err.message
        : `${flag}${envName !== undefined ? ` (${envName})` : ''}: ${err.detail ?? err.message}`,
    );
  }
}

/**
 * The task queue: `--temporal-task-queue` (or `--task-queue`), else TEMPORAL_TASK_QUEUE, else the
 * config file's, else {@link DEFAULT_TASK_QUEUE}.
 */
export function taskQueueFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const value = flag ?? env[TASK_QUEUE_ENV] ?? DEFAULT_TASK_QUEUE;
  if (value.trim() === '')
    throw new UsageError('--temporal-task-queue: expected a task queue name such as fleet-rollout');
  return value;
}

/** The task queue flag, with its short spelling. */
const TASK_QUEUE_FLAG_OPTIONS = {
  'temporal-task-queue': { type: 'string' },
  'task-queue': { type: 'string' },
} as const;

/** The value of the task queue flag or its short spelling. */
export function taskQueueFlag(values: { [K in keyof typeof TASK_QUEUE_FLAG_OPTIONS]?: string | undefined }) {
  return flagOrAlias(values, 'temporal-task-queue', 'task-queue');
}

/** The Temporal flags with the task queue: what commands that start work on the orchestrator take. */
export const TEMPORAL_QUEUE_FLAG_OPTIONS = { ...TEMPORAL_FLAG_OPTIONS, ...TASK_QUEUE_FLAG_OPTIONS } as const;

/** The Temporal, NATS and `--task-queue` flags together (the worker's). */
export const CONNECTION_FLAG_OPTIONS = { ...TEMPORAL_QUEUE_FLAG_OPTIONS, ...NATS_FLAG_OPTIONS } as const;

/** Help line of `--task-queue`. */
export const TASK_QUEUE_HELP = `  --temporal-task-queue NAME  the orchestrator worker's task queue (${TASK_QUEUE_ENV}; default ${DEFAULT_TASK_QUEUE});
                              also --task-queue NAME
`;
