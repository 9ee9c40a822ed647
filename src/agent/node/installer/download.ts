/**
 * Fetching galleries and artifacts from `file://` and `http(s)://` URLs, with progress, a SHA-256
 * of what was fetched, and the install's limits enforced while streaming: a size cap, an idle
 * timeout when no bytes arrive (also while waiting for the response) and the install's deadline.
 */
import { agentMetrics } from '../../../metrics/agent-metrics.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { formatBytes, InstallLimitError, LIMIT_FLAGS } from './limits.js';
import { CREATE_NEW } from './safe-fs.js';
import { redactCredentials, refuseCredentials } from './uri-credentials.js';

/** Largest gallery index accepted. */
const MAX_INDEX_BYTES = 16 * 1024 * 1024;
/** Limits of a gallery index fetch. */
const INDEX_LIMITS: FetchLimits = { maxBytes: MAX_INDEX_BYTES, idleTimeoutMs: 30_000, sizeFlag: '' };

/** Bounds of one fetch. */
export interface FetchLimits {
  /** Refuse a body larger than this. */
  maxBytes: number;
  /** Give up when no bytes arrive for this long, including the wait for the response. */
  idleTimeoutMs: number;
  /** Aborts the fetch with the signal's reason (the install's deadline). */
  signal?: AbortSignal;
  /** The agent flag that raises `maxBytes`, named in the error. @default "--max-download-bytes" */
  sizeFlag?: string;
}

/** Parses `url` and refuses schemes this agent cannot fetch, and URLs carrying credentials. */
export function fetchableUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`"${redactCredentials(url)}" is not a URL; use file:///path or http(s)://host/path`);
  }
  refuseCredentials(parsed, url);
  if (!['file:', 'http:', 'https:'].includes(parsed.protocol)) {
    throw new Error(
      `unsupported URI scheme "${parsed.protocol}" in "${url}": this agent fetches file://, http:// and https://, and installs images from oci://, host/repo:tag and ocifile://`,
    );
  }
  return parsed;
}

/** A response body being read under {@link FetchLimits}. */
export interface Opened {
  stream: Readable;
  /** The announced size, when known. */
  total: number | undefined;
}

const tooLarge = (href: string, limits: FetchLimits): InstallLimitError =>
  new InstallLimitError(
    `${href} is larger than ${formatBytes(limits.maxBytes)}, the limit${limits.sizeFlag === '' ? '' : ` (${limits.sizeFlag ?? LIMIT_FLAGS.maxDownloadBytes})`}`,
  );

/**
 * Bytes that must arrive within each idle timeout: a server trickling a byte at a time never goes
 * quiet, but makes no progress either.
 */
export const MIN_PROGRESS_BYTES = 1024;

const idle = (href: string, limits: FetchLimits): InstallLimitError =>
  new InstallLimitError(
    `less than 1 KiB from ${href} in ${limits.idleTimeoutMs} ms, the idle timeout (${LIMIT_FLAGS.idleTimeoutMs})`,
  );

/**
 * Passes `body` through, failing it when it exceeds `limits.maxBytes`, ends short of `total`,
 * delivers less than {@link MIN_PROGRESS_BYTES} within `limits.idleTimeoutMs`, or the signal aborts. `stop` releases the connection.
 */
export function guardBody(
  body: Readable,
  href: string,
  total: number | undefined,
  limits: FetchLimits,
  stop: () => void = () => undefined,
): Readable {
  let bytes = 0;
  let sinceArmed = 0;
  let timer: NodeJS.Timeout | undefined;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > limits.maxBytes) return done(tooLarge(href, limits));
      sinceArmed += chunk.length;
      if (sinceArmed >= MIN_PROGRESS_BYTES) arm();
      done(null, chunk);
    },
    flush(done) {
      clearTimeout(timer);
      if (total !== undefined && bytes !== total)
        return done(new Error(`${href} ended after ${bytes} of the ${total} bytes announced`));
      done();
    },
  });
  const arm = (): void => {
    clearTimeout(timer);
    sinceArmed = 0;
    timer = setTimeout(() => out.destroy(idle(href, limits)), limits.idleTimeoutMs);
  };
  const onAbort = (): void => {
    out.destroy(limits.signal?.reason instanceof Error ? limits.signal.reason : new Error('aborted'));
  };
  arm();
  limits.signal?.addEventListener('abort', onAbort, { once: true });
  out.on('close', () => {
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', onAbort);
    stop();
    body.destroy();
  });
  body.on('error', (err) => {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    const why = `${err.message}${cause !== undefined ? `: ${cause}` : ''}`;
    const of = total !== undefined ? ` of ${total}` : '';
    out.destroy(
      err instanceof InstallLimitError ? err : new Error(`the connection broke after ${bytes}${of} bytes (${why})`),
    );
  });
  // Consumers may attach later (after an await); they still see the error through the stream's
  // state, and a failure in between must not become an uncaught 'error' event in the agent.
  out.on('error', () => undefined);
  body.pipe(out);
  if (limits.signal?.aborted === true) onAbort();
  return out;
}

/** Opens `url` for reading under `limits`. */
export async function openUrl(url: URL, limits: FetchLimits, headers: Record<string, string> = {}): Promise<Opened> {
  if (url.protocol === 'file:') {
    const path = fileURLToPath(url);
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${url.href}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
    if (!info.isFile()) throw new Error(`cannot read ${url.href}: not a regular file`);
    if (info.size > limits.maxBytes) throw tooLarge(url.href, limits);
    return { stream: guardBody(createReadStream(path), url.href, undefined, limits), total: info.size };
  }
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(limits.signal?.reason);
  if (limits.signal?.aborted === true) onAbort();
  limits.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(idle(url.href, limits)), limits.idleTimeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal, redirect: 'follow', headers });
  } catch (err) {
    limits.signal?.removeEventListener('abort', onAbort);
    if (err instanceof InstallLimitError) throw err;
    throw new Error(`cannot fetch ${url.href}: ${describeFetchError(err)}`);
  } finally {
    clearTimeout(timer);
  }
  limits.signal?.removeEventListener('abort', onAbort);
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`cannot fetch ${url.href}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) && length >= 0 ? length : undefined;
  if (total !== undefined && total > limits.maxBytes) {
    controller.abort();
    throw tooLarge(url.href, limits);
  }
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  return { stream: guardBody(body, url.href, total, limits, () => controller.abort()), total };
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
  const { stream } = await openUrl(parsed, INDEX_LIMITS);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** What a download produced. */
export interface Downloaded {
  /** Lowercase hex SHA-256 of the bytes written. */
  sha256: string;
  bytes: number;
}

/** Streams `url` into the new file `dest` under `limits`, reporting `(bytesSoFar, total?)`, and hashes it on the way. */
export async function downloadTo(
  url: string,
  dest: string,
  limits: FetchLimits,
  onProgress: (done: number, total: number | undefined) => void,
): Promise<Downloaded> {
  const parsed = fetchableUrl(url);
  const file = await open(dest, CREATE_NEW, 0o600);
  let opened: Opened;
  try {
    opened = await openUrl(parsed, limits);
  } catch (err) {
    await file.close();
    throw err;
  }
  const { stream, total } = opened;
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
    await pipeline(stream, meter, file.createWriteStream());
  } catch (err) {
    stream.destroy();
    if (err instanceof InstallLimitError) throw err;
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new Error(
      `failed to download "${parsed.href}": ${(err as Error).message}${cause !== undefined ? ` (${cause})` : ''}`,
    );
  }
  return { sha256: hash.digest('hex'), bytes };
}
