/** The environment variables of the NATS connection settings, apart from their zod schema so flag help and config files can name them without loading it. */
export const NATS_ENV = {
  url: 'NATS_URL',
  token: 'NATS_TOKEN',
  user: 'NATS_USER',
  password: 'NATS_PASSWORD',
  nkeySeed: 'NATS_NKEY_SEED',
  credsFile: 'NATS_CREDS',
  caFile: 'NATS_TLS_CA',
  certFile: 'NATS_TLS_CERT',
  keyFile: 'NATS_TLS_KEY',
} as const;
