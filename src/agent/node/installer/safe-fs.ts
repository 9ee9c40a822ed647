/**
 * Path safety inside a staging directory, shared by tarball and OCI layer installs. The rules:
 * nothing the agent writes, opens or chmods is reached through a symlink (parents are checked with
 * `lstat`, files are opened with `O_NOFOLLOW`); every symlink is resolved component by component
 * against what is really on disk and refused when it leaves the tree; device files, FIFOs and
 * sockets are refused; {@link verifyTree} checks the final layout before it is swapped into place.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';

/** The archive or image would write outside its directory, or holds entries never installed. */
export class UnsafeArchiveError extends Error {
  override readonly name = 'UnsafeArchiveError';
}

/** Flags that create a new file and fail rather than follow a symlink or reuse an existing file. */
export const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Symlinks followed while resolving one link before it counts as a loop. */
const MAX_HOPS = 40;

/** `lstat` that answers `undefined` for a missing path. */
export function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** What a non-regular, non-directory, non-symlink file is, for error messages. */
export function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'FIFO';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice()) return 'character device';
  if (info.isBlockDevice()) return 'block device';
  return 'special file';
}

/**
 * Resolves `target` as a symlink in directory `dir` (components below `root`) would be resolved by
 * the kernel, following symlinks found on disk one component at a time.
 * @returns the resolved components below `root`, or `undefined` when resolution leaves `root`.
 */
export function resolveInside(root: string, dir: readonly string[], target: string): string[] | undefined {
  if (path.posix.isAbsolute(target)) return undefined;
  const current = [...dir];
  const pending = target.split('/').reverse();
  let hops = 0;
  // Past a missing component the kernel would fail; resolving the rest lexically is as strict.
  let missing = false;
  while (pending.length > 0) {
    const part = pending.pop() ?? '';
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (current.length === 0) return undefined;
      current.pop();
      continue;
    }
    if (missing) {
      current.push(part);
      continue;
    }
    const here = path.join(root, ...current, part);
    const info = lstatOrUndefined(here);
    if (info?.isSymbolicLink() === true) {
      hops += 1;
      if (hops > MAX_HOPS) return undefined;
      const link = readlinkSync(here);
      if (path.posix.isAbsolute(link)) return undefined;
      pending.push(...link.split('/').reverse());
      continue;
    }
    current.push(part);
    if (info === undefined || (!info.isDirectory() && pending.some((p) => p !== '' && p !== '.'))) missing = true;
  }
  return current;
}

/**
 * Walks `root` without following symlinks and refuses the tree when a symlink resolves outside it
 * or an entry is a device, FIFO or socket. Run on the final layout, just before the swap.
 * @throws UnsafeArchiveError naming the entry.
 */
export function verifyTree(root: string): void {
  const walk = (parts: string[]): void => {
    for (const entry of readdirSync(path.join(root, ...parts), { withFileTypes: true })) {
      const rel = [...parts, entry.name];
      const info = lstatSync(path.join(root, ...rel));
      if (info.isDirectory()) walk(rel);
      else if (info.isSymbolicLink()) {
        const target = readlinkSync(path.join(root, ...rel));
        if (resolveInside(root, parts, target) === undefined)
          throw new UnsafeArchiveError(
            `refusing archive: symlink "${rel.join('/')}" resolves outside the backend directory ("${target}")`,
          );
      } else if (!info.isFile())
        throw new UnsafeArchiveError(`refusing archive: "${rel.join('/')}" is a ${kindOf(info)}`);
    }
  };
  walk([]);
}

/**
 * Writes a file the agent owns (such as `metadata.json`) at `root/name`: whatever the archive put
 * there (a file, a directory, a symlink) is removed first, and the file is created with `O_EXCL |
 * O_NOFOLLOW`, so nothing is ever written through a link. `root` must be a real directory.
 */
export function writeOwnFile(root: string, name: string, content: string, mode = 0o644): void {
  const file = path.join(root, name);
  if (lstatOrUndefined(file) !== undefined) rmSync(file, { recursive: true, force: true });
  const fd = openSync(file, CREATE_NEW, mode);
  try {
    const data = Buffer.from(content);
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks that `run` (relative to `root`) names a regular file inside `root`, following symlinks
 * only while they stay inside, and makes it executable through a no-follow descriptor: tarballs made
 * without the executable bit still name a runnable script.
 * @throws Error `not a valid backend: run file not found "<run>"`.
 */
export function makeEntryPointExecutable(root: string, run: string): void {
  const notFound = new Error(`not a valid backend: run file not found "${run}"`);
  if (path.posix.isAbsolute(run) || run.split('/').includes('..')) throw notFound;
  const resolved = resolveInside(root, [], run);
  if (resolved === undefined || resolved.length === 0) throw notFound;
  const file = path.join(root, ...resolved);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    throw notFound;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw notFound;
    if ((info.mode & 0o100) === 0) fchmodSync(fd, (info.mode & 0o777) | 0o755);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens `rel` below `root` for reading: symlinks are followed only while they stay inside, and the
 * file must be a regular one. Used to read blobs out of an unpacked image archive.
 * @throws Error naming `rel` when it is missing, outside or not a regular file.
 */
export function openInside(root: string, rel: string): number {
  const resolved = resolveInside(root, [], rel);
  const problem = new Error(`"${rel}" is missing from the image archive or not a regular file inside it`);
  if (resolved === undefined || resolved.length === 0) throw problem;
  let fd: number;
  try {
    fd = openSync(path.join(root, ...resolved), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    throw problem;
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw problem;
  }
  return fd;
}
