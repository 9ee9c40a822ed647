/**
 * Looks a backend up in gallery index files (YAML or JSON, at `file://` or `http(s)://`), trying
 * each gallery's `url` and then its URL-shaped `mirrors`, in order.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isImageUri } from './artifact.js';
import { fetchText } from './download.js';
import { GalleryIndexSchema, type Gallery, type GalleryEntry } from './gallery-types.js';

/** A backend found in a gallery. */
export interface ResolvedEntry {
  entry: GalleryEntry;
  gallery: Gallery;
  /** The index URL the entry came from. */
  indexUrl: string;
  /** `entry.uri` resolved against the index URL. */
  artifactUrl: string;
}

/** Reads and validates one gallery index. */
export async function loadGalleryIndex(url: string): Promise<GalleryEntry[]> {
  const text = await fetchText(url);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(`${url} is neither YAML nor JSON: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  const parsed = GalleryIndexSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${url} is not a gallery index (a list of {name, uri, version, sha256?, alias?}): ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`,
    );
  }
  return parsed.data;
}

function candidateUrls(gallery: Gallery): string[] {
  const mirrors = (gallery.mirrors ?? []).filter((m) => /^(file|https?):\/\//.test(m));
  return [gallery.url, ...mirrors];
}

/**
 * Finds `name` (by name, then by alias) in the first gallery that lists it.
 * @throws Error `no backend found with name "<name>"`, naming any gallery that could not be read.
 */
export async function resolveFromGalleries(galleries: readonly Gallery[], name: string): Promise<ResolvedEntry> {
  const problems: string[] = [];
  for (const gallery of galleries) {
    let entries: GalleryEntry[] | undefined;
    let indexUrl = gallery.url;
    for (const url of candidateUrls(gallery)) {
      try {
        entries = await loadGalleryIndex(url);
        indexUrl = url;
        break;
      } catch (err) {
        problems.push(`gallery "${gallery.name || gallery.url}": ${(err as Error).message}`);
      }
    }
    const entry = entries?.find((e) => e.name === name) ?? entries?.find((e) => e.alias === name);
    if (entry !== undefined) {
      return { entry, gallery, indexUrl, artifactUrl: resolveUri(entry.uri, indexUrl) };
    }
  }
  const suffix =
    galleries.length === 0 ? ' (no galleries configured)' : problems.length > 0 ? ` (${problems.join('; ')})` : '';
  throw new Error(`no backend found with name "${name}"${suffix}`);
}

function resolveUri(uri: string, indexUrl: string): string {
  // Image references (`quay.io/org/repo:tag`) are not paths relative to the index.
  if (isImageUri(uri)) return uri;
  try {
    return new URL(uri, indexUrl).href;
  } catch {
    return uri;
  }
}
