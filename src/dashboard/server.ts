/**
 * The live web view of rollouts (`fleet-rollout dashboard`): Node's `http`, one HTML page with no
 * build step, a JSON API over the same client as the CLI (`src/client`), and server-sent events
 * that poll the rollout's status query and push every change (at most `pollMs` behind).
 *
 *   GET  /                               the page: running and recent rollouts
 *   GET  /rollouts/BACKEND               the page: one rollout
 *   GET  /api/rollouts                   running and recent rollouts (visibility)
 *   GET  /api/rollouts/BACKEND           `status --json` of the rollout
 *   GET  /api/rollouts/BACKEND/events    the same document as server-sent events, on every change
 *   POST /api/rollouts/BACKEND/CONTROL   pause | resume | promote | abort, body `{"reason": "…"}`
 *
 * Every request passes the guard (token, loopback host, CSRF header and origin for controls).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import {
  abort,
  ControlRejectedError,
  getStatus,
  listRollouts,
  pause,
  promote,
  resume,
  RolloutNotFoundError,
  RolloutUnavailableError,
  toStatusJson,
} from '../client/index.js';
import type { Logger } from '../log.js';
import { formatListenAddress, type ListenAddress } from '../metrics/listen-address.js';
import { checkRequest, sameSecret, TOKEN_COOKIE } from './guard.js';
import { dashboardPage } from './page.js';

/** What {@link startDashboard} needs. */
export interface DashboardOptions {
  client: Client;
  listen: ListenAddress;
  /** Required on every request when set (and for any non-loopback address). */
  token?: string;
  log: Logger;
  /** How often an open page's rollout status is polled. @default 500 */
  pollMs?: number;
  /** Link of a run in the Temporal Web UI, shown on the page. */
  webUrl?: (workflowId: string, runId: string) => string;
}

/** A running dashboard. */
export interface Dashboard {
  /** `http://HOST:PORT/` */
  readonly url: string;
  close(): Promise<void>;
}

const CONTROLS = { pause, resume, promote, abort } as const;
type ControlName = keyof typeof CONTROLS;
const BACKEND = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$/;
const MAX_BODY = 16 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (err instanceof RolloutNotFoundError) return 404;
  if (err instanceof ControlRejectedError) return 409;
  if (err instanceof RolloutUnavailableError) return 503;
  return 500;
}

function backendOf(raw: string): string {
  let backend: string;
  try {
    backend = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'backend: not a valid URL component');
  }
  if (!BACKEND.test(backend)) throw new HttpError(400, `backend "${backend}": letters, digits and . _ @ + - only`);
  return backend;
}

async function readReason(req: IncomingMessage): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body: expected JSON such as {"reason": "error rate up"}');
  }
  const reason = (body as { reason?: unknown } | null)?.reason;
  if (reason === undefined || reason === null || reason === '') return undefined;
  if (typeof reason !== 'string') throw new HttpError(400, 'reason: expected a string');
  return reason.slice(0, 500);
}

/** Starts serving; resolves once listening. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { client, log, token } = options;
  const pollMs = options.pollMs ?? 500;
  const streams = new Set<() => void>();

  const snapshotJson = async (backend: string) => {
    const snapshot = await getStatus(client, backend);
    return toStatusJson(snapshot, options.webUrl?.(snapshot.workflowId, snapshot.runId));
  };

  const events = (req: IncomingMessage, res: ServerResponse, backend: string): void => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    let last = '';
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      closed = true;
      clearTimeout(timer);
      streams.delete(stop);
      res.end();
    };
    streams.add(stop);
    req.on('close', stop);
    const tick = async (): Promise<void> => {
      let event: string;
      try {
        event = `event: status\ndata: ${JSON.stringify(await snapshotJson(backend))}\n\n`;
      } catch (err) {
        event = `event: problem\ndata: ${JSON.stringify({ status: statusOf(err), message: (err as Error).message })}\n\n`;
      }
      if (closed) return;
      if (event !== last) res.write(event);
      else res.write(': still here\n\n');
      last = event;
      timer = setTimeout(() => void tick(), pollMs);
    };
    void tick();
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const loginToken = url.searchParams.get('token');
    if (req.method === 'GET' && loginToken !== null && token !== undefined && sameSecret(loginToken, token)) {
      url.searchParams.delete('token');
      res.writeHead(303, {
        location: `${url.pathname}${url.search}`,
        'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end();
      return;
    }
    const verdict = checkRequest(req, token);
    if (!verdict.ok) throw new HttpError(verdict.status, verdict.message);
    const parts = url.pathname.split('/').filter((p) => p !== '');
    if (req.method === 'GET' && (parts.length === 0 || (parts.length === 2 && parts[0] === 'rollouts'))) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
        'x-frame-options': 'DENY',
      });
      res.end(dashboardPage());
      return;
    }
    if (parts[0] !== 'api' || parts[1] !== 'rollouts') throw new HttpError(404, `not found: ${url.pathname}`);
    if (req.method === 'GET' && parts.length === 2) {
      const runs = await listRollouts(client, { limit: 50 });
      sendJson(res, 200, runs);
      return;
    }
    const backend = backendOf(parts[2] ?? '');
    if (req.method === 'GET' && parts.length === 3) {
      sendJson(res, 200, await snapshotJson(backend));
      return;
    }
    if (req.method === 'GET' && parts.length === 4 && parts[3] === 'events') {
      events(req, res, backend);
      return;
    }
    const control = parts[3] ?? '';
    if (req.method === 'POST' && parts.length === 4 && Object.hasOwn(CONTROLS, control)) {
      const reason = await readReason(req);
      const name = control as ControlName;
      log.info({ backend, control: name }, 'dashboard control');
      await CONTROLS[name](client, backend, reason === undefined ? {} : { reason });
      sendJson(res, 200, await snapshotJson(backend));
      return;
    }
    throw new HttpError(404, `not found: ${req.method ?? ''} ${url.pathname}`);
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = statusOf(err);
      if (status >= 500)
        log.warn({ err: (err as Error).message, path: req.url?.split('?')[0] }, 'dashboard request failed');
      if (res.headersSent) res.end();
      else sendJson(res, status, { error: (err as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : options.listen.port;
  return {
    url: `http://${formatListenAddress({ host: options.listen.host, port })}/`,
    close: async () => {
      for (const stop of [...streams]) stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
