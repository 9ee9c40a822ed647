/**
 * Fetching galleries and artifacts from `file://` and `http(s)://` URLs, with progress and a
 * SHA-256 of what was fetched.
 */
import { agentMetrics } from '../../metrics/agent-metrics.js';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';

/** Largest gallery index accepted. */
const MAX_INDEX_BYTES = 16 * 1024 * 1024;
/** How long to wait for an HTTP server to start answering. */
const HTTP_HEADERS_TIMEOUT_MS = 30_000;

/** Parses `url` and refuses schemes this agent cannot fetch. */
export function fetchableUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a URL; use file:///path or http(s)://host/path`);
  }
  if (!['file:', 'http:', 'https:'].includes(parsed.protocol)) {
    throw new Error(
      `unsupported URI scheme "${parsed.protocol}" in "${url}": this agent fetches file://, http:// and https://`,
    );
  }
  return parsed;
}

interface Opened {
  stream: Readable;
  total: number | undefined;
}

async function open(url: URL): Promise<Opened> {
  if (url.protocol === 'file:') {
    const path = fileURLToPath(url);
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${url.href}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
    if (!info.isFile()) throw new Error(`cannot read ${url.href}: not a regular file`);
    return { stream: createReadStream(path), total: info.size };
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), HTTP_HEADERS_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
  } catch (err) {
    throw new Error(`cannot fetch ${url.href}: ${describeFetchError(err)}`);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok || response.body === null) {
    throw new Error(`cannot fetch ${url.href}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  return {
    stream: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
    total: Number.isFinite(length) && length >= 0 ? length : undefined,
  };
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code !== undefined) return cause.code;
  return err instanceof Error ? err.message : String(err);
}

/** Reads a small text resource (a gallery index). */
export async function fetchText(url: string): Promise<string> {
  const parsed = fetchableUrl(url);
  if (parsed.protocol === 'file:') {
    const path = fileURLToPath(parsed);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) throw new Error(`cannot read ${parsed.href}: no such file`);
    if (info.size > MAX_INDEX_BYTES) throw new Error(`${parsed.href} is larger than ${MAX_INDEX_BYTES} bytes`);
    return await readFile(path, 'utf8');
  }
  const { stream } = await open(parsed);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > MAX_INDEX_BYTES) {
      stream.destroy();
      throw new Error(`${parsed.href} is larger than ${MAX_INDEX_BYTES} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What a download produced. */
export interface Downloaded {
  /** Lowercase hex SHA-256 of the bytes written. */
  sha256: string;
  bytes: number;
}

/** Streams `url` into the file `dest`, reporting `(bytesSoFar, total?)`, and hashes it on the way. */
export async function downloadTo(
  url: string,
  dest: string,
  onProgress: (done: number, total: number | undefined) => void,
): Promise<Downloaded> {
  const parsed = fetchableUrl(url);
  const { stream, total } = await open(parsed);
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      agentMetrics.bytesFetched(chunk.length);
      onProgress(bytes, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, meter, createWriteStream(dest, { mode: 0o600 }));
  } catch (err) {
    throw new Error(`failed to download "${parsed.href}": ${(err as Error).message}`);
  }
  return { sha256: hash.digest('hex'), bytes };
}
