/**
 * The NATS flags every command that talks to nodes takes (`--nats-url`, auth, TLS), each
 * defaulting from the environment (`NATS_URL`, `NATS_TOKEN`, …), validated into connection options.
 */
import { readFileSync } from 'node:fs';
import { NATS_ENV } from '../nats/env.js';
import type { NatsOptions, NatsOptionsInput } from '../nats/options.js';
import { warnOnStderr } from './args.js';
import { UsageError } from './exit.js';

/** The NATS options module, and zod with it, loaded only by commands that build NATS options. */
function natsOptionsModule(): typeof import('../nats/options.js') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
  return require('../nats/options.js') as typeof import('../nats/options.js');
}

/** `util.parseArgs` options of the NATS flags. */
export const NATS_FLAG_OPTIONS = {
  'nats-url': { type: 'string' },
  'nats-token': { type: 'string' },
  'nats-token-file': { type: 'string' },
  'nats-user': { type: 'string' },
  'nats-password': { type: 'string' },
  'nats-password-file': { type: 'string' },
  'nats-creds': { type: 'string' },
  'nats-nkey-seed': { type: 'string' },
  'nats-nkey-seed-file': { type: 'string' },
  'nats-tls-ca': { type: 'string' },
  'nats-tls-cert': { type: 'string' },
  'nats-tls-key': { type: 'string' },
} as const;

/** Help lines of the NATS flags. */
export const NATS_FLAGS_HELP = `NATS flags (each defaults from the environment variable in brackets):
  --nats-url URL[,URL…]     servers (${NATS_ENV.url}; default nats://127.0.0.1:4222); nats://user:pass@host
                            and nats://token@host are honoured like the flags below
  --nats-token-file FILE    token auth, the token read from FILE (${NATS_ENV.token})
  --nats-user USER          user/password auth (${NATS_ENV.user}), with --nats-password-file FILE (${NATS_ENV.password})
  --nats-creds FILE         JWT .creds file (${NATS_ENV.creds})
  --nats-nkey-seed-file F   nkey seed, SU…, read from F (${NATS_ENV.nkeySeed})
  --nats-token, --nats-password, --nats-nkey-seed take the secret itself: other users can read it
                            in the process list, so prefer the environment or the -file flags
  --nats-tls-ca FILE        CA bundle to verify the server (${NATS_ENV.tlsCa})
  --nats-tls-cert FILE      client certificate, with --nats-tls-key (${NATS_ENV.tlsCert}, ${NATS_ENV.tlsKey})
`;

/** Raw values of the NATS flags as `util.parseArgs` returns them. */
export type NatsFlagValues = { [K in keyof typeof NATS_FLAG_OPTIONS]?: string | undefined };

const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  servers: '--nats-url',
  token: '--nats-token (or --nats-user, --nats-creds, --nats-nkey-seed: choose one)',
  user: '--nats-user',
  password: '--nats-password(-file)',
  nkeySeed: '--nats-nkey-seed(-file)',
  credsFile: '--nats-creds',
  tls: '--nats-tls-cert/--nats-tls-key',
};

/**
 * Merges the NATS flags over the environment and validates the result. Any auth flag replaces
 * every auth setting from the environment, so flags never combine with a stray `NATS_TOKEN`.
 * @throws UsageError naming the flag and what it expects.
 */
export function natsOptionsFromFlags(
  values: NatsFlagValues,
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = warnOnStderr,
): NatsOptions {
  const { natsOptionsFromEnv, NatsOptionsSchema } = natsOptionsModule();
  const fromEnv = natsOptionsFromEnv(env);
  const token = secretFlag(values, 'nats-token', NATS_ENV.token, warn);
  const password = secretFlag(values, 'nats-password', NATS_ENV.password, warn);
  const nkeySeed = secretFlag(values, 'nats-nkey-seed', NATS_ENV.nkeySeed, warn);
  const authFlags = [token, values['nats-user'], password, values['nats-creds'], nkeySeed];
  const input: NatsOptionsInput = { ...fromEnv };
  if (authFlags.some((v) => v !== undefined)) {
    delete input.token;
    delete input.user;
    delete input.password;
    delete input.credsFile;
    delete input.nkeySeed;
  }
  const url = values['nats-url'];
  if (url !== undefined)
    input.servers = url
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (token !== undefined) input.token = token;
  if (values['nats-user'] !== undefined) input.user = values['nats-user'];
  if (password !== undefined) input.password = password;
  if (values['nats-creds'] !== undefined) input.credsFile = values['nats-creds'];
  if (nkeySeed !== undefined) input.nkeySeed = nkeySeed;
  const tls = { ...(input.tls ?? {}) };
  if (values['nats-tls-ca'] !== undefined) tls.caFile = values['nats-tls-ca'];
  if (values['nats-tls-cert'] !== undefined) tls.certFile = values['nats-tls-cert'];
  if (values['nats-tls-key'] !== undefined) tls.keyFile = values['nats-tls-key'];
  if (Object.keys(tls).length > 0) input.tls = tls;
  const parsed = NatsOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'servers');
    throw new UsageError(`${FLAG_OF_FIELD[field] ?? `--nats-${field}`}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Reads a secret file: its content without the trailing line break.
 * @throws UsageError naming `flag` when it cannot be read or is empty.
 */
export function readSecretFile(flag: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UsageError(`--${flag}: cannot read ${file}: ${reason}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new UsageError(`--${flag}: ${file} is empty`);
  return secret;
}

/**
 * The value of a secret flag `--NAME VALUE` or `--NAME-file FILE` (not both). The plain form is
 * visible to every user in the process list, so it is accepted with a warning (never the value).
 * @throws UsageError when both forms are given or the file cannot be read.
 */
export function secretFlag<K extends string>(
  values: { [key: string]: string | boolean | string[] | undefined },
  name: K,
  envName: string,
  warn: (line: string) => void = warnOnStderr,
): string | undefined {
  const plain = values[name];
  const file = values[`${name}-file`];
  if (typeof plain === 'string' && typeof file === 'string')
    throw new UsageError(`--${name} and --${name}-file: give one of them, not both`);
  if (typeof file === 'string') return readSecretFile(`${name}-file`, file);
  if (typeof plain !== 'string') return undefined;
  warn(`--${name} shows the secret in the process list; prefer ${envName} or --${name}-file FILE`);
  return plain;
}

/** The servers of `options`, credentials stripped, for a "serving on …" line. */
export function describeServers(options: NatsOptions): string {
  return natsOptionsModule().describeNatsOptions(options).servers.join(', ');
}
