/** Reads a gallery index from `file://` or `http(s)://`, with errors that name the location. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GalleryIndexError } from './index-file.js';

/** The text of the index at `url`. */
export async function readGalleryIndex(url: string, timeoutMs = 30_000): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GalleryIndexError(
      `gallery index "${url}" is not a URL; use file:///path/index.yaml or https://…/index.yaml`,
    );
  }
  if (parsed.protocol === 'file:') {
    try {
      return await readFile(fileURLToPath(parsed), 'utf8');
    } catch (err) {
      throw new GalleryIndexError(
        `cannot read gallery index ${url}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
    let res: Response;
    try {
      res = await fetch(parsed, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new GalleryIndexError(`cannot reach gallery index ${url} (${cause})`);
    }
    if (!res.ok) throw new GalleryIndexError(`gallery index ${url} answered ${res.status}`);
    return await res.text();
  }
  throw new GalleryIndexError(
    `gallery index ${url}: only file:// and http(s):// indexes can be read; give the index with --index, or the target with --target-digest/--target-version`,
  );
}
