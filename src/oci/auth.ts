/**
 * The registry token flow of the Distribution spec: a 401 carries
 * `WWW-Authenticate: Bearer realm="…",service="…",scope="…"`; the client asks the realm for a
 * token (anonymously, or with basic credentials when it has them) and retries with it.
 */
import { readBody, send, type TransportOptions } from './transport.js';

/** A parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="https://auth",service="x",scope="repository:a/b:pull"` (quoted or bare values). */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (match === null) return undefined;
  const params: Record<string, string> = {};
  const paramPattern = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const m of (match[2] ?? '').matchAll(paramPattern)) {
    params[(m[1] ?? '').toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: (match[1] ?? '').toLowerCase(), params };
}

/** Credentials for one registry. Never logged, never put into error messages. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** Asks the challenge's realm for a token; returns the token or a reason it could not get one. */
export async function fetchToken(
  challenge: Challenge,
  defaultScope: string,
  credentials: RegistryCredentials | undefined,
  options: TransportOptions,
): Promise<{ token: string; expiresInS: number } | { error: string }> {
  const realm = challenge.params['realm'];
  if (realm === undefined || realm === '') return { error: 'the registry sent a Bearer challenge without a realm' };
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return { error: `the token realm "${realm}" is not a URL` };
  }
  if (challenge.params['service'] !== undefined) url.searchParams.set('service', challenge.params['service']);
  url.searchParams.set('scope', challenge.params['scope'] ?? defaultScope);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (credentials !== undefined) {
    headers['authorization'] =
      `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }
  let res;
  try {
    res = await send(url, 'GET', headers, options);
  } catch (err) {
    return { error: `token endpoint ${url.origin} unreachable: ${(err as Error).message}` };
  }
  const body = await readBody(res, 1024 * 1024);
  if (res.statusCode !== 200) return { error: `token endpoint ${url.origin} answered ${res.statusCode}` };
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      token?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
    };
    const token = typeof parsed.token === 'string' ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || token === '') return { error: `token endpoint ${url.origin} sent no token` };
    const expiresInS = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 60;
    return { token, expiresInS };
  } catch {
    return { error: `token endpoint ${url.origin} sent a body that is not JSON` };
  }
}
