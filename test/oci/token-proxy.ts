/**
 * A loopback front for a test registry that demands a bearer token the way Docker Hub, quay.io
 * and ghcr.io do: 401 with a `WWW-Authenticate: Bearer realm,service,scope` challenge, a token
 * endpoint that hands out anonymous pull tokens, and the real registry behind it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenProxy {
  host: string;
  /** Query strings the token endpoint received, in order. */
  tokenRequests: URLSearchParams[];
  close(): Promise<void>;
}

/** Starts the proxy in front of `upstreamHost` (e.g. `127.0.0.1:5000`). */
export async function startTokenProxy(upstreamHost: string): Promise<TokenProxy> {
  const token = `t-${Math.random().toString(36).slice(2)}`;
  const tokenRequests: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const self = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/token') {
      tokenRequests.push(url.searchParams);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      const repo = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${self}/token",service="test-registry",scope="repository:${repo}:pull"`,
      });
      res.end();
      return;
    }
    const upstream = http.request(
      `http://${upstreamHost}${req.url ?? '/'}`,
      { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.once('error', () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokenRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
