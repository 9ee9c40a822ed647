/**
 * Tarball extraction into a staging directory. The archive is inspected first and refused as a
 * whole when any entry would land outside the staging directory: `..` segments, absolute paths,
 * symlinks or hard links pointing outside, entries written through a symlink, device files.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { list as listTar, Unpack, type ReadEntry } from 'tar';

/** The archive would write outside its staging directory, or holds entries we never extract. */
export class UnsafeArchiveError extends Error {
  override readonly name = 'UnsafeArchiveError';
}

const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  'File',
  'OldFile',
  'ContiguousFile',
  'Directory',
  'SymbolicLink',
  'Link',
]);

/** Normalised POSIX path inside the archive root, or `undefined` when it leaves the root. */
function inside(p: string): string | undefined {
  const normal = path.posix.normalize(p);
  if (path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) return undefined;
  return normal === '.' ? '' : normal.replace(/\/$/, '');
}

function refusal(entry: ReadEntry): string | undefined {
  const raw = entry.path;
  if (path.posix.isAbsolute(raw) || /^[A-Za-z]:[\\/]/.test(raw)) return `absolute path "${raw}"`;
  if (raw.split(/[\\/]/).includes('..')) return `path "${raw}" contains ".."`;
  if (!ALLOWED_TYPES.has(entry.type)) return `"${raw}" is a ${entry.type}, not a file, directory or link`;
  const link = entry.linkpath ?? '';
  if (entry.type === 'SymbolicLink') {
    if (path.posix.isAbsolute(link)) return `symlink "${raw}" points to absolute path "${link}"`;
    if (inside(path.posix.join(path.posix.dirname(raw), link)) === undefined)
      return `symlink "${raw}" points outside the archive ("${link}")`;
  }
  if (entry.type === 'Link' && inside(link) === undefined)
    return `hard link "${raw}" points outside the archive ("${link}")`;
  return undefined;
}

/** Entry count and uncompressed size of a safe archive. */
export interface ArchiveSummary {
  entries: number;
  bytes: number;
}

/**
 * Reads every header of the archive (gzip or plain tar) and refuses it if any entry is unsafe.
 * @throws UnsafeArchiveError naming the first offending entry, or Error for an unreadable archive.
 */
export async function inspectArchive(file: string): Promise<ArchiveSummary> {
  const symlinks = new Set<string>();
  let problem: string | undefined;
  let entries = 0;
  let bytes = 0;
  const onReadEntry = (entry: ReadEntry): void => {
    entries += 1;
    bytes += entry.size;
    if (problem !== undefined) return;
    problem = refusal(entry);
    const normal = inside(entry.path) ?? '';
    const parts = normal.split('/');
    // An entry below a path the archive made a symlink would be written wherever that link points.
    for (let i = 1; i < parts.length && problem === undefined; i += 1) {
      if (symlinks.has(parts.slice(0, i).join('/')))
        problem = `"${entry.path}" would be written through symlink "${parts.slice(0, i).join('/')}"`;
    }
    if (entry.type === 'SymbolicLink') symlinks.add(normal);
  };
  try {
    await listTar({ file, strict: true, onReadEntry });
  } catch (err) {
    throw new Error(`not a readable .tar or .tar.gz archive: ${(err as Error).message}`);
  }
  if (problem !== undefined) throw new UnsafeArchiveError(`refusing archive: ${problem}`);
  if (entries === 0) throw new Error('not a readable .tar or .tar.gz archive: it holds no entries');
  return { entries, bytes };
}

/** How to extract. */
export interface ExtractOptions {
  /** Called with `(archiveBytesRead, archiveSize)` as extraction advances. */
  onProgress: (done: number, total: number) => void;
  /** Stretch extraction over at least this long (a test knob that makes a mid-extraction crash observable). @default 0 */
  slowMs?: number;
}

/** Extracts an archive already passed by {@link inspectArchive} into the existing directory `dest`. */
export async function extractArchive(file: string, dest: string, options: ExtractOptions): Promise<void> {
  const total = (await stat(file)).size;
  const slowMs = options.slowMs ?? 0;
  const started = Date.now();
  let done = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      options.onProgress(done, total);
      const wait = slowMs > 0 && total > 0 ? started + (slowMs * done) / total - Date.now() : 0;
      if (wait > 0) setTimeout(() => callback(null, chunk), wait);
      else callback(null, chunk);
    },
  });
  const source = createReadStream(file, slowMs > 0 ? { highWaterMark: 4096 } : {});
  const unpack = new Unpack({ cwd: dest, strict: true, preservePaths: false });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown): void => {
      source.destroy();
      reject(new Error(`extracting archive: ${err instanceof Error ? err.message : String(err)}`));
    };
    source.on('error', fail);
    meter.on('error', fail);
    unpack.on('error', fail);
    unpack.on('finish', () => resolve());
    source.pipe(meter).pipe(unpack);
  });
}
