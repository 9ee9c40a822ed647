/**
 * Resolves what a rollout upgrades to: from a gallery index entry (meta entries: every concrete
 * build it maps to) with the current manifest digest from the registry, or from the operator's
 * explicit `--uri` / `--target-version` / `--target-digest`. `undefined` when nothing names a
 * target (no index, no readable gallery, no explicit flags): the rollout then verifies by a new
 * `installed_at` only, as before.
 */
import { TargetSource, type Build, type TargetRequest, type UpgradeTarget } from '../domain/upgrade-target.js';
import { OciClient, OciError, OciFailure, looksLikeImageReference } from '../oci/index.js';
import { findEntry, GalleryIndexError, isMetaEntry, parseGalleryIndex, type GalleryEntry } from './index-file.js';
import { readGalleryIndex } from './load.js';

export type { TargetRequest };

/** I/O the resolution needs. */
export interface ResolveDeps {
  oci: OciClient;
  /** @default () => new Date() */
  now?: () => Date;
}

/** Index URLs to read, in order: `--index`, then each gallery's `url`. */
export function indexUrls(req: TargetRequest): string[] {
  const urls: string[] = [];
  if (req.index !== undefined) urls.push(req.index);
  if (req.galleries !== undefined) {
    const list = JSON.parse(req.galleries) as unknown;
    if (Array.isArray(list)) {
      for (const g of list) {
        const url = (g as { url?: unknown }).url;
        if (typeof url === 'string' && url !== '') urls.push(url);
      }
    }
  }
  return urls;
}

/** Resolves the target; throws {@link GalleryIndexError} or {@link OciError} with a message naming the index, entry or registry. */
export async function resolveTarget(req: TargetRequest, deps: ResolveDeps): Promise<UpgradeTarget | undefined> {
  const resolvedAt = (deps.now ?? (() => new Date()))().toISOString();
  if (req.uri !== undefined) {
    const target: UpgradeTarget = { source: TargetSource.Explicit, uri: req.uri, resolvedAt };
    if (req.targetVersion !== undefined) target.version = req.targetVersion;
    const digest =
      req.targetDigest ?? (looksLikeImageReference(req.uri) ? await digestOf(deps.oci, req.uri, []) : undefined);
    if (digest !== undefined) target.digest = digest;
    return target;
  }
  const urls = indexUrls(req);
  const readable = urls.filter((u) => /^(file|https?):/.test(u));
  if (readable.length === 0) {
    if (req.targetVersion === undefined && req.targetDigest === undefined) return undefined;
    return withOverrides({ source: TargetSource.Explicit, resolvedAt }, req);
  }
  const searched: string[] = [];
  for (const url of readable) {
    const entries = parseGalleryIndex(await readGalleryIndex(url), url);
    const entry = findEntry(entries, req.backend);
    searched.push(url);
    if (entry === undefined) continue;
    const target: UpgradeTarget = { source: TargetSource.Gallery, gallery: url, entry: entry.name, resolvedAt };
    if (isMetaEntry(entry)) {
      target.concretes = {};
      for (const name of new Set(Object.values(entry.capabilities ?? {}))) {
        const concrete = findEntry(entries, name);
        if (concrete === undefined || concrete.uri === undefined) {
          throw new GalleryIndexError(
            `gallery index ${url}: meta entry ${entry.name} maps to "${name}", which has no entry with a uri`,
          );
        }
        target.concretes[name] = await buildOf(deps.oci, concrete);
      }
    } else {
      if (entry.uri === undefined) throw new GalleryIndexError(`gallery index ${url}: entry ${entry.name} has no uri`);
      Object.assign(target, await buildOf(deps.oci, entry));
    }
    return withOverrides(target, req);
  }
  throw new GalleryIndexError(
    `no entry "${req.backend}" in gallery index ${searched.join(', ')}; check the backend name, or pass --index with the right index`,
  );
}

function withOverrides(target: UpgradeTarget, req: TargetRequest): UpgradeTarget {
  if (req.targetVersion !== undefined) target.version = req.targetVersion;
  if (req.targetDigest !== undefined) target.digest = req.targetDigest;
  return target;
}

async function buildOf(oci: OciClient, entry: GalleryEntry): Promise<Build> {
  const build: Build = { uri: entry.uri ?? '' };
  if (entry.version !== undefined) build.version = entry.version;
  if (entry.uri !== undefined && looksLikeImageReference(entry.uri)) {
    build.digest = await digestOf(oci, entry.uri, entry.mirrors ?? []);
  }
  return build;
}

/** The tag's digest, trying the mirrors when the primary registry cannot be reached. */
async function digestOf(oci: OciClient, uri: string, mirrors: readonly string[]): Promise<string> {
  let firstError: unknown;
  for (const ref of [uri, ...mirrors]) {
    try {
      return await oci.resolveDigest(ref);
    } catch (err) {
      if (!(err instanceof OciError) || err.kind !== OciFailure.Unreachable) throw err;
      firstError ??= err;
    }
  }
  throw firstError;
}
