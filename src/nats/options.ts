/**
 * How to reach NATS: servers, authentication and TLS, validated with zod, read from flags or the
 * environment. Secrets are kept out of every rendering of these options.
 */
import { z } from 'zod';
import { NATS_ENV } from './env.js';

export const NatsOptionsSchema = z
  .object({
    /** One or more `nats://host:port` URLs. @default ["nats://127.0.0.1:4222"] */
    servers: z
      .array(
        z
          .string()
          .regex(/^(nats|tls|ws|wss):\/\/[^\s]+$|^[\w.-]+:\d+$/, 'expected a URL such as nats://127.0.0.1:4222'),
      )
      .min(1)
      .default(['nats://127.0.0.1:4222']),
    token: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    /** An nkey seed (`SU…`). */
    nkeySeed: z
      .string()
      .regex(/^S[A-Z0-9]+$/, 'an nkey seed starts with S, e.g. SUA…')
      .optional(),
    /** Path of a `.creds` file (JWT + nkey seed). */
    credsFile: z.string().min(1).optional(),
    tls: z
      .object({
        caFile: z.string().min(1).optional(),
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
      })
      .optional(),
    /** Client name shown by the server's monitoring. */
    name: z.string().optional(),
  })
  .superRefine((o, ctx) => {
    const methods = [o.token, o.user, o.nkeySeed, o.credsFile].filter((m) => m !== undefined).length;
    if (methods > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'choose one of token, user/password, nkey seed or creds file',
      });
    }
    if (o.password !== undefined && o.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'a password needs a user (NATS_USER / --nats-user)' });
    }
    if ((o.tls?.certFile === undefined) !== (o.tls?.keyFile === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: 'a TLS client certificate needs both certFile and keyFile',
      });
    }
  })
  .transform((o, ctx) => {
    const inUrls = o.servers.map(urlCredentials).filter((c) => c !== undefined);
    const first = inUrls[0];
    if (first === undefined) return o;
    if (first.user === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['servers'],
        message: 'a URL with credentials needs a user or token before @',
      });
      return z.NEVER;
    }
    if (inUrls.some((c) => c.user !== first.user || c.password !== first.password)) {
      ctx.addIssue({
        code: 'custom',
        path: ['servers'],
        message: 'the URLs carry different credentials: give one set',
      });
      return z.NEVER;
    }
    if ([o.token, o.user, o.nkeySeed, o.credsFile].some((m) => m !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['servers'],
        message: 'credentials in the URL and in the auth settings: give them once (preferably not in the URL)',
      });
      return z.NEVER;
    }
    const servers = o.servers.map(stripUrlCredentials);
    // nats://TOKEN@host is a token; nats://user:pass@host a user and password.
    return first.password === undefined
      ? { ...o, servers, token: first.user }
      : { ...o, servers, user: first.user, password: first.password };
  });

/** The `user[:password]@` of a URL, percent-decoded; undefined when it has none. */
function urlCredentials(url: string): { user: string; password?: string } | undefined {
  const match = /^[a-z]+:\/\/([^/@]*)@/i.exec(url);
  if (match === null) return undefined;
  const [user = '', ...rest] = (match[1] ?? '').split(':');
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return rest.length === 0 ? { user: decode(user) } : { user: decode(user), password: decode(rest.join(':')) };
}
export type NatsOptionsInput = z.input<typeof NatsOptionsSchema>;
export type NatsOptions = z.output<typeof NatsOptionsSchema>;

/** The environment variables read by {@link natsOptionsFromEnv}. */
export { NATS_ENV };

/** Reads NATS settings from the environment (`NATS_URL` may hold several comma-separated URLs). */
export function natsOptionsFromEnv(env: NodeJS.ProcessEnv): NatsOptionsInput {
  const get = (key: string): string | undefined => (env[key] === undefined || env[key] === '' ? undefined : env[key]);
  const url = get(NATS_ENV.url);
  const tls = { caFile: get(NATS_ENV.tlsCa), certFile: get(NATS_ENV.tlsCert), keyFile: get(NATS_ENV.tlsKey) };
  return dropUndefined({
    servers: url?.split(',').map((s) => s.trim()),
    token: get(NATS_ENV.token),
    user: get(NATS_ENV.user),
    password: get(NATS_ENV.password),
    nkeySeed: get(NATS_ENV.nkeySeed),
    credsFile: get(NATS_ENV.creds),
    tls: Object.values(tls).some((v) => v !== undefined) ? dropUndefined(tls) : undefined,
  });
}

/** Removes keys whose value is undefined (for exactOptionalPropertyTypes). */
export function dropUndefined<T extends Record<string, unknown>>(
  obj: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** A loggable description of the options: servers and which auth method, never a secret. */
export function describeNatsOptions(o: NatsOptions): { servers: string[]; auth: string; tls: boolean } {
  const auth =
    o.token !== undefined
      ? 'token'
      : o.user !== undefined
        ? `user ${o.user}`
        : o.nkeySeed !== undefined
          ? 'nkey'
          : o.credsFile !== undefined
            ? `creds ${o.credsFile}`
            : 'none';
  return { servers: o.servers.map(stripUrlCredentials), auth, tls: o.tls !== undefined };
}

/** Removes `user:pass@` from a URL so it can be shown. */
export function stripUrlCredentials(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//');
}
