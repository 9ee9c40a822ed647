/**
 * Streams a tar archive (plain or gzip) into a {@link SafeTree}: each entry is checked and written
 * as it arrives, so an unsafe entry or a limit stops the archive at once and the caller discards
 * the staging directory. Used for backend tarballs and for each layer of an OCI image.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { InstallLimitError } from '../../node/installer/limits.js';
import { UnsafeArchiveError } from '../../node/installer/safe-fs.js';
import type { FileSink, SafeTree } from './safe-tree.js';

/** How to unpack one archive. */
export interface UnpackOptions {
  /** Honour OCI whiteouts (image layers). @default false */
  whiteouts?: boolean;
  /** Stops the unpacking with this signal's reason. */
  signal?: AbortSignal;
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Unpacks the tar stream `source` into `tree`.
 * @throws UnsafeArchiveError or InstallLimitError naming the entry, or Error for an unreadable archive.
 */
export async function unpackTar(source: Readable, tree: SafeTree, options: UnpackOptions = {}): Promise<void> {
  const parser = new Parser({ strict: true });
  const whiteouts = options.whiteouts ?? false;
  let entries = 0;
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    let sink: FileSink | undefined;
    /** `fromSource`: the source's own failure (a broken download), passed on unchanged. */
    const fail = (err: unknown, fromSource = false): void => {
      if (settled) return;
      settled = true;
      sink?.abort();
      source.destroy();
      options.signal?.removeEventListener('abort', onAbort);
      const known = fromSource || err instanceof UnsafeArchiveError || err instanceof InstallLimitError;
      reject(
        known && err instanceof Error ? err : new Error(`not a readable .tar or .tar.gz archive: ${describe(err)}`),
      );
    };
    const onAbort = (): void => fail(options.signal?.reason, true);
    parser.on('entry', (entry: ReadEntry) => {
      entries += 1;
      if (settled) {
        entry.resume();
        return;
      }
      try {
        sink = tree.add(entry, whiteouts);
      } catch (err) {
        entry.resume();
        fail(err);
        return;
      }
      const current = sink;
      if (current === undefined) {
        entry.resume();
        return;
      }
      entry.on('data', (chunk: Buffer) => {
        if (settled) return;
        try {
          current.write(chunk);
        } catch (err) {
          fail(err);
        }
      });
      entry.on('end', () => {
        if (settled) return;
        try {
          current.close();
        } catch (err) {
          fail(err);
        }
      });
    });
    parser.on('error', (err: Error) => fail(err));
    parser.on('end', () => {
      if (settled) return;
      if (entries === 0) {
        fail(new Error('it holds no entries'));
        return;
      }
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    source.on('error', (err) => fail(err, true));
    if (options.signal?.aborted === true) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    source.pipe(parser);
  });
}

/** How to unpack a downloaded tarball. */
export interface UnpackFileOptions {
  /** Called with `(archiveBytesRead, archiveSize)` as unpacking advances. */
  onProgress: (done: number, total: number) => void;
  /** Stretch unpacking over at least this long (a test knob that makes a mid-extraction crash observable). @default 0 */
  slowMs?: number;
  signal?: AbortSignal;
}

/** Unpacks the tarball `file` into `tree`, reporting progress by archive bytes read. */
export async function unpackFile(file: string, tree: SafeTree, options: UnpackFileOptions): Promise<void> {
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
  const source = createReadStream(file, { highWaterMark: slowMs > 0 ? 4096 : 16_384 });
  source.on('error', (err) => meter.destroy(err));
  meter.on('close', () => source.destroy());
  await unpackTar(source.pipe(meter), tree, options.signal !== undefined ? { signal: options.signal } : {});
}
