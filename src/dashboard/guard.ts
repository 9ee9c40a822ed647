/**
 * Who may use the dashboard: every request passes {@link checkRequest}. With a token, a request
 * carries it as `Authorization: Bearer TOKEN` or in the cookie set by opening `/?token=TOKEN`
 * once; without one (loopback only), the `Host` header must name a loopback address, so a web
 * page elsewhere cannot reach the server through DNS rebinding. Controls (POST) additionally
 * need the `X-Fleet-Rollout-Control` header and, when the browser sends one, a same-origin
 * `Origin`: a cross-site form cannot set the header and a cross-site fetch with it is stopped by
 * the browser's CORS preflight, which this server never approves. Tokens are compared in
 * constant time and never logged.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopback } from '../metrics/listen-address.js';

/** The cookie that carries the token after `/?token=…`. */
export const TOKEN_COOKIE = 'fleet_rollout_dashboard';
/** The header every control request must carry. */
export const CONTROL_HEADER = 'x-fleet-rollout-control';

/** What {@link checkRequest} decided. */
export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** Constant-time string comparison. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Parses a `Cookie` header. */
export function cookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A malformed cookie value is no credential.
    }
  }
  return out;
}

/** The token a request presents, from the Authorization header or the cookie. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined && /^Bearer /i.test(auth)) return auth.slice(7).trim();
  return cookies(req.headers.cookie)[TOKEN_COOKIE];
}

/** The host part of a `Host` header (`[::1]:8080` → `::1`). */
export function hostOf(hostHeader: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(hostHeader);
  if (v6 !== null) return v6[1] ?? '';
  return hostHeader.replace(/:\d+$/, '');
}

/** Decides whether `req` may proceed; `token` is the dashboard's token, if any. */
export function checkRequest(req: IncomingMessage, token: string | undefined): GuardVerdict {
  const host = req.headers.host ?? '';
  if (token === undefined) {
    if (!isLoopback(hostOf(host)))
      return { ok: false, status: 403, message: 'this dashboard answers loopback addresses only' };
  } else {
    const given = presentedToken(req);
    if (given === undefined || !sameSecret(given, token))
      return {
        ok: false,
        status: 401,
        message: 'a token is required: open /?token=TOKEN once, or send Authorization: Bearer TOKEN',
      };
  }
  if (req.method === 'POST') {
    if (req.headers[CONTROL_HEADER] === undefined)
      return { ok: false, status: 403, message: `controls need the ${CONTROL_HEADER} header` };
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`)
      return { ok: false, status: 403, message: 'cross-origin control refused' };
  }
  return { ok: true };
}
