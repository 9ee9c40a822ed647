/**
 * Installing from a local directory, as LocalAI workers do: its contents are copied into the
 * staging tree entry by entry under the same path-safety rules and limits as an archive, without
 * following symlinks in the source (they are recreated, and refused when they point outside).
 */
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync, constants } from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { kindOf } from '../../node/installer/safe-fs.js';
import type { ArchiveEntry, SafeTree } from './safe-tree.js';

const CHUNK = 1024 * 1024;

/** Copies the directory `source` into `tree`. */
export async function copyDirectory(source: string, tree: SafeTree, signal: AbortSignal): Promise<void> {
  const walk = async (rel: string[]): Promise<void> => {
    for (const name of readdirSync(path.join(source, ...rel)).sort()) {
      // One entry at a time, so a large copy does not hold up the node's other requests.
      await yieldToEvents();
      signal.throwIfAborted();
      const parts = [...rel, name];
      const file = path.join(source, ...parts);
      const info = lstatSync(file);
      const entry: ArchiveEntry = { path: parts.join('/'), type: 'File', size: info.size, mode: info.mode & 0o777 };
      if (info.isDirectory()) entry.type = 'Directory';
      else if (info.isSymbolicLink())
        Object.assign(entry, { type: 'SymbolicLink', size: 0, linkpath: readlinkSync(file) });
      else if (!info.isFile()) entry.type = kindOf(info);
      const sink = tree.add(entry, false);
      if (entry.type === 'Directory') await walk(parts);
      if (sink === undefined) continue;
      const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const buffer = Buffer.alloc(CHUNK);
        for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) sink.write(buffer.subarray(0, n));
        sink.close();
      } catch (err) {
        sink.abort();
        throw err;
      } finally {
        closeSync(fd);
      }
    }
  };
  await walk([]);
}
