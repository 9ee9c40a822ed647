/**
 * A small client for the OCI Distribution API: resolve a tag's manifest digest (HEAD), fetch a
 * manifest (GET) and stream a blob, with the anonymous bearer-token flow, TLS through Node's
 * `https` and plain HTTP for loopback registries.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { fetchToken, parseChallenge, type RegistryCredentials } from './auth.js';
import { OciError, OciFailure } from './errors.js';
import {
  MANIFEST_ACCEPT,
  isIndexMediaType,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from './media-types.js';
import { formatImageReference, manifestReference, parseImageReference, type ImageReference } from './reference.js';
import { readBody, sendFollowing, type TransportOptions } from './transport.js';

/** How the client reaches registries. */
export interface OciClientOptions extends TransportOptions {
  /**
   * Registries spoken to over plain HTTP.
   * @default loopback hosts only (`localhost`, `127.0.0.1`, `[::1]`, any port)
   */
  plainHttp?: (registry: string) => boolean;
  /** Credentials per registry host; used for the token endpoint or basic auth. */
  credentials?: (registry: string) => RegistryCredentials | undefined;
}

/** A fetched manifest: the tag's digest, its media type and the parsed document. */
export interface FetchedManifest {
  digest: string;
  mediaType: string;
  manifest: ImageManifest | ImageIndex;
}

/** A blob being downloaded; read `stream` to the end (or destroy it). */
export interface BlobDownload {
  stream: Readable;
  /** From `Content-Length`, when the registry sent it. */
  size?: number;
}

/** True for registry hosts on the loopback interface. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : registry.split(':')[0];
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

/** One client per process is enough: it caches tokens per registry and scope. */
export class OciClient {
  private readonly tokens = new Map<string, { token: string; until: number }>();

  constructor(private readonly options: OciClientOptions = {}) {}

  /** The manifest digest the tag (or pinned digest) resolves to, from `Docker-Content-Digest`. */
  async resolveDigest(reference: string | ImageReference): Promise<string> {
    const ref = typeof reference === 'string' ? parseImageReference(reference) : reference;
    const res = await this.request(ref, `manifests/${manifestReference(ref)}`, 'HEAD', { accept: MANIFEST_ACCEPT });
    res.resume();
    const digest = headerDigest(res);
    if (digest !== undefined) return digest;
    // Some registries omit the header on HEAD: the digest is the sha256 of the manifest bytes.
    return (await this.fetchManifest(ref)).digest;
  }

  /** GETs the manifest (or index) the reference names. */
  async fetchManifest(reference: string | ImageReference): Promise<FetchedManifest> {
    const ref = typeof reference === 'string' ? parseImageReference(reference) : reference;
    const res = await this.request(ref, `manifests/${manifestReference(ref)}`, 'GET', { accept: MANIFEST_ACCEPT });
    const body = await readBody(res).catch((err: unknown) => {
      throw this.failure(OciFailure.BadResponse, ref, `manifest could not be read: ${(err as Error).message}`);
    });
    let manifest: ImageManifest | ImageIndex;
    try {
      manifest = JSON.parse(body.toString('utf8')) as ImageManifest | ImageIndex;
    } catch {
      throw this.failure(OciFailure.BadResponse, ref, 'the manifest is not JSON');
    }
    const mediaType = manifest.mediaType ?? (res.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const isIndex = isIndexMediaType(mediaType) || Array.isArray((manifest as ImageIndex).manifests);
    if (
      isIndex ? !Array.isArray((manifest as ImageIndex).manifests) : !Array.isArray((manifest as ImageManifest).layers)
    ) {
      throw this.failure(OciFailure.BadResponse, ref, `the manifest (${mediaType || 'no media type'}) has no layers`);
    }
    const digest = headerDigest(res) ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
    return { digest, mediaType, manifest };
  }

  /**
   * The image manifest for a platform: the manifest itself, or the matching entry of an index.
   * `digest` stays the tag's digest (what LocalAI records and galleries resolve to).
   */
  async fetchImageManifest(
    reference: string | ImageReference,
    platform: { os: string; architecture: string } = { os: 'linux', architecture: goArch(process.arch) },
  ): Promise<{ digest: string; manifest: ImageManifest }> {
    const ref = typeof reference === 'string' ? parseImageReference(reference) : reference;
    const top = await this.fetchManifest(ref);
    if (!('manifests' in top.manifest)) return { digest: top.digest, manifest: top.manifest };
    const entry: Descriptor | undefined = top.manifest.manifests.find(
      (m) => m.platform?.os === platform.os && m.platform.architecture === platform.architecture,
    );
    if (entry === undefined) {
      const offered = top.manifest.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).join(', ');
      throw this.failure(
        OciFailure.NotFound,
        ref,
        `no image for ${platform.os}/${platform.architecture} in the index (it has ${offered || 'none'})`,
      );
    }
    const inner = await this.fetchManifest({
      registry: ref.registry,
      repository: ref.repository,
      digest: entry.digest,
    });
    if ('manifests' in inner.manifest) throw this.failure(OciFailure.BadResponse, ref, 'an index inside an index');
    return { digest: top.digest, manifest: inner.manifest };
  }

  /** Starts downloading a blob (a layer or config) of the reference's repository. */
  async fetchBlob(reference: string | ImageReference, digest: string): Promise<BlobDownload> {
    const ref = typeof reference === 'string' ? parseImageReference(reference) : reference;
    const res = await this.request(ref, `blobs/${digest}`, 'GET', {}, `blob ${digest}`);
    const length = Number(res.headers['content-length']);
    return Number.isFinite(length) && res.headers['content-length'] !== undefined
      ? { stream: res, size: length }
      : { stream: res };
  }

  private async request(
    ref: ImageReference,
    suffix: string,
    method: 'GET' | 'HEAD',
    headers: OutgoingHttpHeaders,
    what = 'manifest',
  ): Promise<IncomingMessage> {
    const scheme = (this.options.plainHttp ?? isLoopbackRegistry)(ref.registry) ? 'http' : 'https';
    const url = new URL(`${scheme}://${ref.registry}/v2/${ref.repository}/${suffix}`);
    const scope = `repository:${ref.repository}:pull`;
    const cacheKey = `${ref.registry}|${scope}`;
    const cached = this.tokens.get(cacheKey);
    const auth = cached !== undefined && cached.until > Date.now() ? { authorization: `Bearer ${cached.token}` } : {};
    let res = await this.sendOrFail(ref, url, method, { ...headers, ...auth });
    if (res.statusCode === 401) {
      res.resume();
      const authorization = await this.authorize(ref, res.headers['www-authenticate'] ?? '', scope, cacheKey);
      res = await this.sendOrFail(ref, url, method, { ...headers, authorization });
    }
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    res.resume();
    if (status === 404) throw this.failure(OciFailure.NotFound, ref, `${what} not found (404)`);
    if (status === 401 || status === 403) {
      throw this.failure(OciFailure.Denied, ref, `access denied (${status}); check the repository name or credentials`);
    }
    throw this.failure(OciFailure.BadResponse, ref, `${what} request answered ${status}`);
  }

  private async authorize(ref: ImageReference, header: string, scope: string, cacheKey: string): Promise<string> {
    const challenge = parseChallenge(header);
    const credentials = this.options.credentials?.(ref.registry);
    if (challenge?.scheme === 'basic' && credentials !== undefined) {
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    if (challenge?.scheme !== 'bearer') {
      throw this.failure(OciFailure.Denied, ref, `authentication required (${challenge?.scheme ?? 'no'} challenge)`);
    }
    const got = await fetchToken(challenge, scope, credentials, this.options);
    if ('error' in got) throw this.failure(OciFailure.Denied, ref, `could not get a pull token: ${got.error}`);
    this.tokens.set(cacheKey, { token: got.token, until: Date.now() + Math.max(got.expiresInS - 5, 1) * 1000 });
    return `Bearer ${got.token}`;
  }

  private async sendOrFail(
    ref: ImageReference,
    url: URL,
    method: 'GET' | 'HEAD',
    headers: OutgoingHttpHeaders,
  ): Promise<IncomingMessage> {
    try {
      return await sendFollowing(url, method, headers, this.options);
    } catch (err) {
      const detail = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw this.failure(OciFailure.Unreachable, ref, `cannot reach ${url.origin} (${detail})`, err);
    }
  }

  private failure(kind: OciFailure, ref: ImageReference, detail: string, cause?: unknown): OciError {
    const message = `registry ${ref.registry}, image ${formatImageReference(ref)}: ${detail}`;
    return new OciError(kind, message, cause === undefined ? undefined : { cause });
  }
}

function headerDigest(res: IncomingMessage): string | undefined {
  const value = res.headers['docker-content-digest'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Node's `process.arch` as an OCI platform architecture. */
function goArch(arch: string): string {
  return arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
}
