/**
 * Builds tar archives byte by byte (ustar headers), so tests can make exactly the archives they
 * need, including hostile ones (`..`, absolute paths, links pointing outside) that archivers refuse to write.
 */
import { gzipSync } from 'node:zlib';

/** One archive member. */
export interface TarEntry {
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'chardev';
  content?: string | Buffer;
  linkpath?: string;
  mode?: number;
}

const TYPE_FLAGS = { file: '0', hardlink: '1', symlink: '2', chardev: '3', fifo: '6', dir: '5' } as const;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(512, 0);
  const type = entry.type ?? 'file';
  const mode = entry.mode ?? (type === 'dir' ? 0o755 : 0o644);
  block.write(entry.path, 0, 100, 'utf8');
  block.write(octal(mode, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(TYPE_FLAGS[type], 156, 'ascii');
  block.write(entry.linkpath ?? '', 157, 100, 'utf8');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** A tar archive of `entries`, gzipped when asked. */
export function makeTar(entries: readonly TarEntry[], options: { gzip?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const body = entry.type === undefined || entry.type === 'file' ? Buffer.from(entry.content ?? '') : Buffer.alloc(0);
    parts.push(header(entry, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  const tar = Buffer.concat(parts);
  return options.gzip === true ? gzipSync(tar) : tar;
}

/**
 * A runnable backend: `run.sh` starts a TCP server on `$PORT` (127.0.0.1), plus `VERSION`.
 * `padBytes` adds an incompressible file so extraction takes measurable work.
 */
export function backendTarball(
  version: string,
  options: { gzip?: boolean; padBytes?: number; extra?: TarEntry[] } = {},
): Buffer {
  const server = "require('net').createServer((s)=>s.end()).listen(Number(process.env.PORT),'127.0.0.1')";
  const runSh = `#!/bin/sh\nexec "${process.execPath}" -e "${server}"\n`;
  const entries: TarEntry[] = [
    { path: 'run.sh', content: runSh, mode: 0o755 },
    { path: 'VERSION', content: `${version}\n` },
    { path: 'lib', type: 'dir' },
    { path: 'lib/engine.txt', content: `engine ${version}\n` },
  ];
  if (options.padBytes !== undefined) {
    const pad = Buffer.alloc(options.padBytes);
    for (let i = 0; i < pad.length; i += 1) pad[i] = (i * 2654435761) >>> 24;
    entries.push({ path: 'lib/weights.bin', content: pad });
  }
  entries.push(...(options.extra ?? []));
  return makeTar(entries, { gzip: options.gzip ?? true });
}
