/**
 * The NATS flags every command that talks to nodes takes (`--nats-url`, auth, TLS), each
 * defaulting from the environment (`NATS_URL`, `NATS_TOKEN`, …), validated into connection options.
 */
import {
  describeNatsOptions,
  NATS_ENV,
  NatsOptionsSchema,
  natsOptionsFromEnv,
  type NatsOptions,
  type NatsOptionsInput,
} from '../nats/options.js';
import { UsageError } from './exit.js';

/** `util.parseArgs` options of the NATS flags. */
export const NATS_FLAG_OPTIONS = {
  'nats-url': { type: 'string' },
  'nats-token': { type: 'string' },
  'nats-user': { type: 'string' },
  'nats-password': { type: 'string' },
  'nats-creds': { type: 'string' },
  'nats-nkey-seed': { type: 'string' },
  'nats-tls-ca': { type: 'string' },
  'nats-tls-cert': { type: 'string' },
  'nats-tls-key': { type: 'string' },
} as const;

/** Help lines of the NATS flags. */
export const NATS_FLAGS_HELP = `NATS flags (each defaults from the environment variable in brackets):
  --nats-url URL[,URL…]     servers (${NATS_ENV.url}; default nats://127.0.0.1:4222)
  --nats-token TOKEN        token auth (${NATS_ENV.token})
  --nats-user USER          user/password auth (${NATS_ENV.user}), with --nats-password (${NATS_ENV.password})
  --nats-creds FILE         JWT .creds file (${NATS_ENV.credsFile})
  --nats-nkey-seed SEED     nkey seed, SU… (${NATS_ENV.nkeySeed})
  --nats-tls-ca FILE        CA bundle to verify the server (${NATS_ENV.caFile})
  --nats-tls-cert FILE      client certificate, with --nats-tls-key (${NATS_ENV.certFile}, ${NATS_ENV.keyFile})
`;

/** Raw values of the NATS flags as `util.parseArgs` returns them. */
export type NatsFlagValues = { [K in keyof typeof NATS_FLAG_OPTIONS]?: string | undefined };

const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  servers: '--nats-url',
  token: '--nats-token (or --nats-user, --nats-creds, --nats-nkey-seed: choose one)',
  user: '--nats-user',
  password: '--nats-password',
  nkeySeed: '--nats-nkey-seed',
  credsFile: '--nats-creds',
  tls: '--nats-tls-cert/--nats-tls-key',
};

/**
 * Merges the NATS flags over the environment and validates the result. Any auth flag replaces
 * every auth setting from the environment, so flags never combine with a stray `NATS_TOKEN`.
 * @throws UsageError naming the flag and what it expects.
 */
export function natsOptionsFromFlags(values: NatsFlagValues, env: NodeJS.ProcessEnv = process.env): NatsOptions {
  const fromEnv = natsOptionsFromEnv(env);
  const authFlags = [
    values['nats-token'],
    values['nats-user'],
    values['nats-password'],
    values['nats-creds'],
    values['nats-nkey-seed'],
  ];
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
  if (values['nats-token'] !== undefined) input.token = values['nats-token'];
  if (values['nats-user'] !== undefined) input.user = values['nats-user'];
  if (values['nats-password'] !== undefined) input.password = values['nats-password'];
  if (values['nats-creds'] !== undefined) input.credsFile = values['nats-creds'];
  if (values['nats-nkey-seed'] !== undefined) input.nkeySeed = values['nats-nkey-seed'];
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

/** The servers of `options`, credentials stripped, for a "serving on …" line. */
export function describeServers(options: NatsOptions): string {
  return describeNatsOptions(options).servers.join(', ');
}

/** `--help` / `-h`, taken by every command. */
export const HELP_FLAG_OPTIONS = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Runs a `util.parseArgs` call (strict, no positionals) and turns its errors into a
 * {@link UsageError} that names the flag and points at `--help`.
 */
export function parseFlagsOrUsage<R>(command: string, parse: () => R): R {
  try {
    return parse();
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const unknown = /Unknown option '([^']+)'/.exec(text);
    const positional = /Unexpected argument '([^']+)'/.exec(text);
    const reason =
      unknown !== null
        ? `unknown flag ${unknown[1]}`
        : positional !== null
          ? `unexpected argument "${positional[1]}"`
          : text.split('. ')[0];
    throw new UsageError(`${reason}; run 'fleet-rollout ${command} --help' for the flags`);
  }
}
