/**
 * One HTTP(S) request over Node's `http`/`https`, with a timeout, optional extra CA certificates
 * and redirect following (blob downloads are often redirected to object storage).
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';

/** How requests are sent. */
export interface TransportOptions {
  /** Socket inactivity timeout per request, also while a body streams. @default 30000 */
  timeoutMs?: number;
  /** Extra trusted CA certificates (PEM) for registries with a private CA. */
  ca?: string | Buffer | readonly (string | Buffer)[];
}

const MAX_REDIRECTS = 5;

/** Sends one request; resolves with the response once its headers arrive. */
export async function send(
  url: URL,
  method: 'GET' | 'HEAD',
  headers: OutgoingHttpHeaders,
  options: TransportOptions,
): Promise<IncomingMessage> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return await new Promise<IncomingMessage>((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const tls = secure && options.ca !== undefined ? { ca: options.ca as string | Buffer | (string | Buffer)[] } : {};
    const req = (secure ? https : http).request(url, { method, headers, ...tls }, resolve);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end();
  });
}

/**
 * Like {@link send}, following up to 5 redirects. The `Authorization` header is only sent to
 * the original host: a redirect to object storage carries its own signature.
 */
export async function sendFollowing(
  url: URL,
  method: 'GET' | 'HEAD',
  headers: OutgoingHttpHeaders,
  options: TransportOptions,
): Promise<IncomingMessage> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const sameHost = current.host === url.host;
    const hopHeaders = sameHost ? headers : withoutAuthorization(headers);
    const res = await send(current, method, hopHeaders, options);
    const location = res.headers.location;
    if (res.statusCode === undefined || res.statusCode < 300 || res.statusCode >= 400 || location === undefined) {
      return res;
    }
    res.resume();
    current = new URL(location, current);
  }
  throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url.host}`);
}

function withoutAuthorization(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== 'authorization' && value !== undefined) out[key] = value;
  }
  return out;
}

/** Reads a whole (small) body, refusing more than `limit` bytes. */
export async function readBody(res: IncomingMessage, limit = 4 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      res.destroy();
      throw new Error(`body larger than ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
