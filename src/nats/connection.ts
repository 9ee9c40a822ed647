/**
 * Opens a NATS connection from validated options. Failures are rewritten into messages that say
 * what to check, and never carry a token, password, seed or key.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { connect, credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';
import { describeNatsOptions, NatsOptionsSchema, type NatsOptions, type NatsOptionsInput } from './options.js';

/** NATS could not be reached or refused us; the message is safe to print. */
export class NatsConnectError extends Error {
  override readonly name = 'NatsConnectError';
}

function toConnectionOptions(o: NatsOptions): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: o.servers,
    name: o.name ?? 'fleet-rollout',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    timeout: 5_000,
    // LocalAI workers may only publish replies to _INBOX.>; keep the default inbox prefix.
  };
  if (o.token !== undefined) opts.token = o.token;
  if (o.user !== undefined) {
    opts.user = o.user;
    opts.pass = o.password ?? '';
  }
  if (o.nkeySeed !== undefined) opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(o.nkeySeed));
  if (o.credsFile !== undefined) {
    const file = o.credsFile;
    opts.authenticator = credsAuthenticator(() => readFileSync(file));
  }
  if (o.tls !== undefined) {
    opts.tls = {};
    if (o.tls.caFile !== undefined) opts.tls.caFile = o.tls.caFile;
    if (o.tls.certFile !== undefined) opts.tls.certFile = o.tls.certFile;
    if (o.tls.keyFile !== undefined) opts.tls.keyFile = o.tls.keyFile;
    // nats.js passes its TLS options through to Node's tls.connect, which takes this one too.
    Object.assign(opts.tls, { checkServerIdentity: serverIdentityCheck(o.servers) });
  }
  return opts;
}

/**
 * Node's server identity check, made to work for servers addressed by IP. nats.js sends no server
 * name for an IP address (SNI cannot carry one), so Node checks the certificate against
 * "localhost" and refuses one that names only `IP:127.0.0.1`. Then the certificate must name one
 * of the IP addresses we were told to connect to (its chain is verified against the CA as usual).
 */
export function serverIdentityCheck(
  servers: readonly string[],
): (host: string, cert: PeerCertificate) => Error | undefined {
  const ips = servers
    .map((url) => /^(?:[a-z]+:\/\/)?(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(url)?.[1]?.replace(/^\[|\]$/g, '') ?? '')
    .filter((host) => isIP(host) !== 0);
  return (host, cert) => {
    const error = checkServerIdentity(host, cert);
    if (error === undefined || host !== 'localhost') return error;
    return ips.some((ip) => checkServerIdentity(ip, cert) === undefined) ? undefined : error;
  };
}

/** Validates the options and connects; throws {@link NatsConnectError} with a readable, secret-free message. */
export async function connectNats(input: NatsOptionsInput): Promise<NatsConnection> {
  const parsed = NatsOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new NatsConnectError(
      `invalid NATS settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`,
    );
  }
  const options = parsed.data;
  const where = describeNatsOptions(options).servers.join(', ');
  try {
    return await connect(toConnectionOptions(options));
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const auth = describeNatsOptions(options).auth;
    if (
      code === 'AUTHORIZATION_VIOLATION' ||
      code === 'BAD_AUTHENTICATION' ||
      /authoriz|authenticat/i.test(String((err as Error).message))
    ) {
      throw new NatsConnectError(
        `NATS at ${where} refused our credentials (auth: ${auth}); check NATS_TOKEN, NATS_USER/NATS_PASSWORD, NATS_NKEY_SEED or NATS_CREDS`,
      );
    }
    if (
      code === 'CONNECTION_REFUSED' ||
      code === 'CONNECTION_TIMEOUT' ||
      /ECONNREFUSED|timeout/i.test(String((err as Error).message))
    ) {
      throw new NatsConnectError(
        `cannot reach NATS at ${where}: is nats-server running? Start one with 'nats-server -p 4222' or set NATS_URL`,
      );
    }
    throw new NatsConnectError(
      `cannot connect to NATS at ${where} (auth: ${auth}): ${redact(String((err as Error).message), options)}`,
    );
  }
}

/** Replaces any secret of `o` that appears in `text` with `***`. */
export function redact(text: string, o: NatsOptions): string {
  let out = text;
  for (const secret of [o.token, o.password, o.nkeySeed]) {
    if (secret !== undefined && secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}
