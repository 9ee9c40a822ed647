/**
 * The environment variables of the NATS connection settings, apart from their zod schema so flag
 * help and config files can name them without loading it. Keyed by the setting's one name: its
 * key under `nats` in a config file, and kebab-cased after `--nats-` its flag (`tlsCa`:
 * `NATS_TLS_CA`, `nats.tlsCa`, `--nats-tls-ca`).
 */
export const NATS_ENV = {
  url: 'NATS_URL',
  token: 'NATS_TOKEN',
  user: 'NATS_USER',
  password: 'NATS_PASSWORD',
  nkeySeed: 'NATS_NKEY_SEED',
  creds: 'NATS_CREDS',
  tlsCa: 'NATS_TLS_CA',
  tlsCert: 'NATS_TLS_CERT',
  tlsKey: 'NATS_TLS_KEY',
} as const;
