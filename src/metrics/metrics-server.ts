/**
 * A minimal HTTP server for Prometheus scrapes: `GET /metrics` answers the registry's text,
 * everything else 404. Used by the agent; the worker's endpoint is the Temporal runtime's own.
 */
import http from 'node:http';
import type { Registry } from 'prom-client';
import { formatListenAddress, type ListenAddress } from './listen-address.js';

/** A running metrics endpoint. */
export interface MetricsServer {
  /** `http://HOST:PORT/metrics` */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `registry` on `http://address/metrics`; resolves once listening. */
export async function serveMetrics(address: ListenAddress, registry: Registry): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  return {
    url: `http://${formatListenAddress({ host: address.host, port })}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
