/**
 * The two credential families of a LocalAI frontend: admin identities on `/api/nodes/*` (static
 * API keys are admins; user keys get 403; the registration token is not an admin key) and the
 * registration token on the self-service `/api/node/*` routes (exact `Authorization: Bearer`).
 */
import type { IncomingMessage } from 'node:http';
import { AUTH_BODIES } from './bodies.js';

/** Credentials the simulated frontend accepts. With no `apiKeys`, the admin routes are open. */
export interface FrontendAuth {
  /** Static admin keys (`LOCALAI_API_KEY`). */
  apiKeys: readonly string[];
  /** Keys of non-admin users: authenticated, but `403` on the admin routes. */
  userKeys: readonly string[];
  /** `LOCALAI_REGISTRATION_TOKEN`; empty leaves the self-service routes open, as LocalAI does. */
  registrationToken: string;
}

/** A refusal: status and body. */
export interface AuthRefusal {
  status: 401 | 403;
  body: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The key a request presents, from any header LocalAI reads it from. */
export function presentedKey(req: IncomingMessage): string | undefined {
  const authorization = header(req, 'authorization');
  if (authorization !== undefined && authorization !== '') {
    return authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : authorization;
  }
  const direct = header(req, 'x-api-key') ?? header(req, 'xi-api-key');
  if (direct !== undefined && direct !== '') return direct;
  const cookie = header(req, 'cookie') ?? '';
  const token = cookie
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith('token='));
  return token?.slice('token='.length);
}

/** Checks an admin route; `undefined` means allowed. */
export function checkAdmin(auth: FrontendAuth, req: IncomingMessage): AuthRefusal | undefined {
  if (auth.apiKeys.length === 0 && auth.userKeys.length === 0) return undefined;
  const key = presentedKey(req);
  if (key !== undefined && auth.apiKeys.includes(key)) return undefined;
  if (key !== undefined && auth.userKeys.includes(key)) return { status: 403, body: AUTH_BODIES.forbidden };
  return { status: 401, body: AUTH_BODIES.unauthorized };
}

/** Checks a self-service route; `undefined` means allowed. */
export function checkRegistrationToken(auth: FrontendAuth, req: IncomingMessage): AuthRefusal | undefined {
  if (auth.registrationToken === '') return undefined;
  const authorization = header(req, 'authorization');
  if (authorization === undefined || !authorization.startsWith('Bearer '))
    return { status: 401, body: AUTH_BODIES.missingToken };
  if (authorization.slice('Bearer '.length) !== auth.registrationToken)
    return { status: 401, body: AUTH_BODIES.wrongToken };
  return undefined;
}
