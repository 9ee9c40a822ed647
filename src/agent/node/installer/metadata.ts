/**
 * `metadata.json` of an installed backend: what was installed, from where, when, and its digest.
 * Key names follow LocalAI's (`name`, `gallery_url`, `installed_at`, `version`, `uri`, `digest`,
 * `alias`), plus `run` for an entry point other than `run.sh`.
 */
import { constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { BackendInfo } from '../../../protocol/index.js';
import { writeOwnFile } from './safe-fs.js';

/** The metadata file name inside a backend directory. */
export const METADATA_FILE = 'metadata.json';
/** The default entry point. */
export const DEFAULT_RUN = 'run.sh';

/** The contents of `metadata.json`; unknown keys (written by other tools) are kept. */
export const BackendMetadataSchema = z.looseObject({
  name: z.string().min(1),
  version: z.string().default(''),
  uri: z.string().default(''),
  /** `sha256:<hex>` of the installed artifact. */
  digest: z.string().default(''),
  /** RFC 3339 with milliseconds; strictly increasing per backend. */
  installed_at: z.string().default(''),
  gallery_url: z.string().optional(),
  alias: z.string().optional(),
  /** Entry point relative to the backend directory. @default "run.sh" */
  run: z.string().optional(),
});
export type BackendMetadata = z.output<typeof BackendMetadataSchema>;

/** Reads and validates `dir/metadata.json`; `undefined` when absent, an Error naming the problem when invalid. */
export async function readMetadata(dir: string): Promise<BackendMetadata | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, METADATA_FILE), {
      encoding: 'utf8',
      flag: constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path.join(dir, METADATA_FILE)} is not JSON: ${(err as Error).message}`);
  }
  const parsed = BackendMetadataSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`${path.join(dir, METADATA_FILE)}: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
  return parsed.data;
}

/** Writes `dir/metadata.json` (a real directory) as a new file, never through a link the archive left there. */
export function writeMetadata(dir: string, metadata: BackendMetadata): void {
  writeOwnFile(dir, METADATA_FILE, `${JSON.stringify(metadata, null, 2)}\n`);
}

/**
 * An `installed_at` later than `previous` (RFC 3339, milliseconds): the current time, or one
 * millisecond after `previous` when the clock has not moved past it, so two installs never share one.
 */
export function nextInstalledAt(previous: string | undefined, now: number = Date.now()): string {
  const last = previous === undefined ? Number.NaN : Date.parse(previous);
  const at = Number.isFinite(last) && last >= now ? last + 1 : now;
  return new Date(at).toISOString();
}

/** The `backend.list` entry of an installed backend (empty fields omitted, as Go's `omitempty` does). */
export function toBackendInfo(name: string, metadata: BackendMetadata | undefined): BackendInfo {
  const info: BackendInfo = { name, isSystem: false, isMeta: false };
  if (metadata === undefined) return info;
  if (metadata.installed_at !== '') info.installedAt = metadata.installed_at;
  if (metadata.gallery_url !== undefined && metadata.gallery_url !== '') info.galleryUrl = metadata.gallery_url;
  if (metadata.version !== '') info.version = metadata.version;
  if (metadata.uri !== '') info.uri = metadata.uri;
  if (metadata.digest !== '') info.digest = metadata.digest;
  return info;
}
