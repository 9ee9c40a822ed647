/**
 * The HTTP side of the simulated frontend: admin routes, the worker self-service routes, `/readyz`,
 * and one route of its own, `GET /sim/traffic`, with the traffic generator's counts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../../log.js';
import { adminRoute, type RouteContext, type RouteResponse } from './admin-routes.js';
import { checkAdmin, checkRegistrationToken, type FrontendAuth } from './auth.js';
import { AUTH_BODIES, goJsonBody, nodeError, registeredObject, rowObject } from './bodies.js';
import type { FrontendRegistry } from './registry.js';
import type { TrafficStats } from './traffic.js';

/** What the server serves from. */
export interface HttpServerOptions extends RouteContext {
  auth: FrontendAuth;
  log: Logger;
  /** New registrations start `healthy` instead of `pending`. */
  autoApprove: boolean;
  traffic: () => TrafficStats | undefined;
}

const MAX_BODY_BYTES = 1 << 20;
const NOT_FOUND: RouteResponse = { status: 404, body: goJsonBody({ message: 'Not Found' }) };

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

function selfService(
  registry: FrontendRegistry,
  autoApprove: boolean,
  method: string,
  parts: readonly string[],
  body: unknown,
): RouteResponse | undefined {
  const json = (status: number, value: unknown): RouteResponse => ({ status, body: goJsonBody(value) });
  const [id, action] = parts;
  if (id === 'register' && action === undefined && method === 'POST') {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const name = typeof b['name'] === 'string' ? b['name'] : '';
    if (name === '') return { status: 400, body: nodeError(400, 'name is required') };
    const labels =
      typeof b['labels'] === 'object' && b['labels'] !== null ? (b['labels'] as Record<string, string>) : {};
    const node = registry.register({
      name,
      address: typeof b['address'] === 'string' ? b['address'] : '',
      ...(typeof b['http_address'] === 'string' ? { httpAddress: b['http_address'] } : {}),
      labels,
      pending: !autoApprove,
    });
    return json(201, registeredObject(node));
  }
  if (id === undefined) return undefined;
  switch (`${method} ${action ?? ''}`) {
    case 'GET models':
      return json(200, registry.rows(id).map(rowObject));
    case 'POST drain':
      return registry.drain(id)
        ? json(200, { message: 'node set to draining' })
        : { status: 500, body: nodeError(500, 'failed to drain node') };
    case 'POST resume':
      return registry.resume(id)
        ? json(200, { message: 'node resumed' })
        : { status: 500, body: nodeError(500, 'failed to resume node') };
    case 'POST heartbeat':
      return registry.heartbeat(id)
        ? json(200, { message: 'heartbeat received' })
        : { status: 404, body: nodeError(404, 'node not found') };
    case 'POST deregister':
    case 'DELETE ':
      registry.setStatus(id, 'offline');
      return json(200, { message: 'node set to offline' });
    default:
      return undefined;
  }
}

async function respond(options: HttpServerOptions, req: IncomingMessage): Promise<RouteResponse> {
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://frontend').pathname;
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  if (path === '/readyz' || path === '/healthz') return { status: 200, body: 'OK' };
  if (path === '/sim/traffic' && method === 'GET') {
    const stats = options.traffic();
    return stats === undefined ? NOT_FOUND : { status: 200, body: goJsonBody(stats) };
  }
  if (parts[0] !== 'api' || (parts[1] !== 'nodes' && parts[1] !== 'node')) return NOT_FOUND;
  const admin = parts[1] === 'nodes';
  const refusal = admin ? checkAdmin(options.auth, req) : checkRegistrationToken(options.auth, req);
  if (refusal !== undefined) return refusal;
  let body: unknown;
  try {
    body = await readBody(req);
  } catch {
    return { status: 400, body: nodeError(400, 'invalid request body') };
  }
  const rest = parts.slice(2);
  const routed = admin
    ? await adminRoute(options, method, rest, body)
    : selfService(options.registry, options.autoApprove, method, rest, body);
  return routed ?? NOT_FOUND;
}

/** Starts listening on `host:port` (port 0: any free port); resolves once bound. */
export async function listenHttp(
  options: HttpServerOptions,
  host: string,
  port: number,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    respond(options, req)
      .then((out) => {
        const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(out.body) };
        if (out.body !== '' && out.body !== 'OK') headers['Content-Type'] = 'application/json';
        if (out.body === AUTH_BODIES.unauthorized) headers['WWW-Authenticate'] = 'Bearer';
        res.writeHead(out.status, headers).end(out.body);
      })
      .catch((err: unknown) => {
        options.log.warn({ err: (err as Error).message }, 'frontend: request failed');
        res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shownHost}:${address.port}` };
}
