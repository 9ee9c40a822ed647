/** Temporary directories and a tiny HTTP server for gallery and tarball tests. */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** Hex SHA-256 of `data`. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** An HTTP server answering from a path → body table (404 otherwise), counting requests. */
export interface FileServer {
  readonly url: string;
  files: Map<string, Buffer | string>;
  /** Paths answered by a handler of their own (stalling, lying or endless servers); checked first. */
  handlers: Map<string, http.RequestListener>;
  hits: string[];
  close(): Promise<void>;
}

/** Starts a {@link FileServer} on a free loopback port. */
export async function serveFiles(): Promise<FileServer> {
  const files = new Map<string, Buffer | string>();
  const handlers = new Map<string, http.RequestListener>();
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const route = req.url ?? '/';
    hits.push(route);
    const handler = handlers.get(route);
    if (handler !== undefined) {
      handler(req, res);
      return;
    }
    const body = files.get(route);
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    files,
    handlers,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
