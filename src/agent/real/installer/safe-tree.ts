/**
 * Applies archive entries (from a backend tarball or an image layer) to a staging directory under
 * the rules of `safe-fs.ts`, counting entries and bytes against the install's limits as they stream.
 * Each entry is checked and created synchronously, before the next one is looked at, so no check
 * can be overtaken by a later entry.
 */
import {
  closeSync,
  fchmodSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { formatBytes, InstallLimitError, LIMIT_FLAGS, type InstallLimits } from '../../node/installer/limits.js';
import { CREATE_NEW, lstatOrUndefined, resolveInside, UnsafeArchiveError } from '../../node/installer/safe-fs.js';

/** One archive member as a tar reader reports it. */
export interface ArchiveEntry {
  /** The member's path as written in the archive. */
  path: string;
  /** The tar type name: `File`, `Directory`, `SymbolicLink`, `Link`, `FIFO`, … */
  type: string;
  size: number;
  mode?: number | undefined;
  linkpath?: string | undefined;
}

/** Receives a regular file's bytes. */
export interface FileSink {
  write(chunk: Buffer): void;
  close(): void;
  /** Closes after a failure; never throws. */
  abort(): void;
}

const FILE_TYPES: ReadonlySet<string> = new Set(['File', 'OldFile', 'ContiguousFile']);
const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

const unsafe = (problem: string): UnsafeArchiveError => new UnsafeArchiveError(`refusing archive: ${problem}`);

/** Normalised path inside the root, or `undefined` when it leaves it (lexically). */
function lexicallyInside(p: string): string[] | undefined {
  const normal = path.posix.normalize(p);
  if (path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) return undefined;
  return normal.split('/').filter((part) => part !== '' && part !== '.');
}

/** A staging directory being filled from one or more archives. Create with {@link SafeTree.open}. */
export class SafeTree {
  /** Entries applied so far, over all archives. */
  entries = 0;
  /** File bytes written so far, over all archives. */
  bytes = 0;
  private layerPaths = new Set<string>();

  private constructor(
    /** The real path of the staging directory. */
    readonly root: string,
    private readonly limits: Pick<InstallLimits, 'maxExtractedBytes' | 'maxEntries'>,
  ) {}

  /** Creates `dir` (when missing) and resolves its real path, against which every entry is placed. */
  static open(dir: string, limits: Pick<InstallLimits, 'maxExtractedBytes' | 'maxEntries'>): SafeTree {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    return new SafeTree(realpathSync(dir), limits);
  }

  /** Starts the next image layer: an opaque whiteout removes only what earlier layers wrote. */
  startLayer(): void {
    this.layerPaths = new Set();
  }

  /**
   * Applies one entry. Returns a sink for a regular file's bytes, `undefined` for anything else.
   * @param whiteouts honour OCI whiteouts (`.wh.<name>`, `.wh..wh..opq`) instead of writing them.
   * @throws UnsafeArchiveError or InstallLimitError naming the entry.
   */
  add(entry: ArchiveEntry, whiteouts: boolean): FileSink | undefined {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries)
      throw new InstallLimitError(
        `the archive holds more than ${this.limits.maxEntries} entries, the limit (${LIMIT_FLAGS.maxEntries})`,
      );
    const raw = entry.path;
    if (path.posix.isAbsolute(raw) || /^[A-Za-z]:[\\/]/.test(raw)) throw unsafe(`absolute path "${raw}"`);
    if (raw.split(/[\\/]/).includes('..')) throw unsafe(`path "${raw}" contains ".."`);
    const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
    const name = parts.at(-1);
    if (name === undefined) return undefined;
    if (whiteouts && name.startsWith(WHITEOUT)) {
      this.whiteout(parts, name);
      return undefined;
    }
    const isFile = FILE_TYPES.has(entry.type);
    if (!isFile && !['Directory', 'SymbolicLink', 'Link'].includes(entry.type))
      throw unsafe(`"${raw}" is a ${entry.type}, not a file, directory or link`);
    if (isFile && this.bytes + entry.size > this.limits.maxExtractedBytes) throw this.tooLarge();
    const parent = this.directory(parts.slice(0, -1), raw);
    const target = path.join(parent, name);
    this.layerPaths.add(parts.join('/'));
    const existing = lstatOrUndefined(target);
    if (entry.type === 'Directory') {
      if (existing?.isDirectory() === true) return undefined;
      if (existing !== undefined) rmSync(target, { recursive: true, force: true });
      mkdirSync(target, { mode: ((entry.mode ?? 0o755) & 0o777) | 0o700 });
      return undefined;
    }
    const link = entry.linkpath ?? '';
    if (entry.type === 'SymbolicLink') this.checkSymlink(raw, parts, link);
    const source = entry.type === 'Link' ? this.hardLinkSource(raw, link) : undefined;
    if (existing !== undefined) rmSync(target, { recursive: true, force: true });
    if (entry.type === 'SymbolicLink') {
      symlinkSync(link, target);
      return undefined;
    }
    if (source !== undefined) {
      linkSync(source, target);
      return undefined;
    }
    return this.createFile(target, (entry.mode ?? 0o644) & 0o777);
  }

  private tooLarge(): InstallLimitError {
    return new InstallLimitError(
      `the unpacked files exceed ${formatBytes(this.limits.maxExtractedBytes)}, the limit (${LIMIT_FLAGS.maxExtractedBytes})`,
    );
  }

  /** The real directory `parts` below the root, created when missing; never passes through a symlink. */
  private directory(parts: readonly string[], raw: string): string {
    let dir = this.root;
    for (let i = 0; i < parts.length; i += 1) {
      const next = path.join(dir, parts[i] ?? '');
      const info = lstatOrUndefined(next);
      const rel = parts.slice(0, i + 1).join('/');
      if (info === undefined) {
        mkdirSync(next, { mode: 0o755 });
        this.layerPaths.add(rel);
      } else if (info.isSymbolicLink()) throw unsafe(`"${raw}" would be written through symlink "${rel}"`);
      else if (!info.isDirectory()) throw unsafe(`"${raw}" needs "${rel}" to be a directory, but it is a file`);
      dir = next;
    }
    return dir;
  }

  private checkSymlink(raw: string, parts: readonly string[], link: string): void {
    if (path.posix.isAbsolute(link)) throw unsafe(`symlink "${raw}" points to absolute path "${link}"`);
    const dir = parts.slice(0, -1);
    if (lexicallyInside([...dir, link].join('/')) === undefined)
      throw unsafe(`symlink "${raw}" points outside the archive ("${link}")`);
    if (resolveInside(this.root, dir, link) === undefined)
      throw unsafe(`symlink "${raw}" points outside the archive through other symlinks ("${link}")`);
  }

  /** The real path of a hard link's source: a regular file already in the tree, reached without symlinks. */
  private hardLinkSource(raw: string, link: string): string {
    const parts = lexicallyInside(link);
    if (parts === undefined || parts.length === 0 || link.split(/[\\/]/).includes('..'))
      throw unsafe(`hard link "${raw}" points outside the archive ("${link}")`);
    let dir = this.root;
    for (const part of parts.slice(0, -1)) {
      dir = path.join(dir, part);
      if (lstatOrUndefined(dir)?.isDirectory() !== true)
        throw unsafe(`hard link "${raw}" must point to a file in the archive ("${link}")`);
    }
    const source = path.join(dir, parts.at(-1) ?? '');
    if (lstatOrUndefined(source)?.isFile() !== true)
      throw unsafe(`hard link "${raw}" must point to a regular file in the archive ("${link}")`);
    return source;
  }

  private createFile(target: string, mode: number): FileSink {
    const fd = openSync(target, CREATE_NEW, 0o600);
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      closeSync(fd);
    };
    return {
      write: (chunk) => {
        this.bytes += chunk.length;
        if (this.bytes > this.limits.maxExtractedBytes) throw this.tooLarge();
        let written = 0;
        while (written < chunk.length) written += writeSync(fd, chunk, written);
      },
      close: () => {
        fchmodSync(fd, mode);
        close();
      },
      abort: () => {
        try {
          close();
        } catch {
          // Closing after a failure can only fail for a descriptor already gone.
        }
      },
    };
  }

  private whiteout(parts: readonly string[], name: string): void {
    const dirParts = parts.slice(0, -1);
    const dir = this.directory(dirParts, parts.join('/'));
    if (name === OPAQUE) {
      for (const child of readdirSync(dir)) {
        if (!this.layerPaths.has([...dirParts, child].join('/')))
          rmSync(path.join(dir, child), { recursive: true, force: true });
      }
      return;
    }
    if (name.startsWith(`${WHITEOUT}${WHITEOUT}`)) return;
    rmSync(path.join(dir, name.slice(WHITEOUT.length)), { recursive: true, force: true });
  }
}
