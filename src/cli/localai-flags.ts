/**
 * `--localai-url`, `--localai-api-key`, `--localai-api-key-file` (env `LOCALAI_URL`,
 * `LOCALAI_API_KEY`, `LOCALAI_API_KEY_FILE`): where a LocalAI frontend is and its admin key.
 * The key is never printed or logged; errors name the flag, not the value.
 */
import { readFileSync } from 'node:fs';
import type { FrontendConfig } from '../frontend/index.js';
import { UsageError } from './exit.js';

/** Environment variables of the LocalAI flags. */
export const LOCALAI_ENV = {
  url: 'LOCALAI_URL',
  apiKey: 'LOCALAI_API_KEY',
  apiKeyFile: 'LOCALAI_API_KEY_FILE',
} as const;

/** `util.parseArgs` options. */
export const LOCALAI_FLAG_OPTIONS = {
  'localai-url': { type: 'string' },
  'localai-api-key': { type: 'string' },
  'localai-api-key-file': { type: 'string' },
} as const;

/** Help lines. */
export const LOCALAI_FLAGS_HELP = `LocalAI frontend flags (each defaults from the environment variable in brackets, then --config):
  --localai-url URL           the frontend (${LOCALAI_ENV.url}), e.g. http://localai:8080: its node registry
                              (GET /api/nodes) becomes the inventory; only healthy nodes are targets;
                              start drains each node there before its upgrade and resumes it after
                              (the worker needs the same --localai-url)
  --localai-api-key KEY       an admin key of the frontend (${LOCALAI_ENV.apiKey}): one of its LOCALAI_API_KEY
                              values or an admin user's key; never printed
  --localai-api-key-file F    read the key from a file instead (${LOCALAI_ENV.apiKeyFile})
`;

/** Raw flag values. */
export type LocalAiFlagValues = { [K in keyof typeof LOCALAI_FLAG_OPTIONS]?: string | undefined };

/**
 * The frontend config from flags over `env`, or `undefined` when no URL is given.
 * @throws UsageError naming the flag and the expected form.
 */
export function frontendConfigFromFlags(
  values: LocalAiFlagValues,
  env: NodeJS.ProcessEnv = process.env,
): FrontendConfig | undefined {
  const url = values['localai-url'] ?? env[LOCALAI_ENV.url];
  const keyFlag = values['localai-api-key'];
  const fileFlag = values['localai-api-key-file'];
  if (keyFlag !== undefined && fileFlag !== undefined)
    throw new UsageError('--localai-api-key and --localai-api-key-file: give one of them, not both');
  if (url === undefined || url === '') {
    if (keyFlag !== undefined || fileFlag !== undefined)
      throw new UsageError(`--localai-api-key needs --localai-url (or ${LOCALAI_ENV.url}), e.g. http://localai:8080`);
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--localai-url "${url}": expected an http(s) URL such as http://localai:8080`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--localai-url "${url}": expected an http(s) URL such as http://localai:8080`);
  if (parsed.username !== '' || parsed.password !== '')
    throw new UsageError(
      '--localai-url: put no credentials in the URL; use --localai-api-key or --localai-api-key-file',
    );
  const file = fileFlag ?? (keyFlag === undefined ? env[LOCALAI_ENV.apiKeyFile] : undefined);
  const flagName = fileFlag !== undefined ? '--localai-api-key-file' : LOCALAI_ENV.apiKeyFile;
  let apiKey = keyFlag ?? (file === undefined || file === '' ? env[LOCALAI_ENV.apiKey] : undefined);
  if (apiKey === undefined && file !== undefined && file !== '') {
    try {
      apiKey = readFileSync(file, 'utf8').trim();
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new UsageError(`${flagName}: cannot read ${file}: ${reason}`);
    }
    if (apiKey === '') throw new UsageError(`${flagName}: ${file} is empty; it must hold the frontend's admin key`);
  }
  return { url: parsed.toString().replace(/\/+$/, ''), ...(apiKey === undefined || apiKey === '' ? {} : { apiKey }) };
}
