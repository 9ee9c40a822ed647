/**
 * Bounds on what one install may fetch and unpack, checked while streaming so a hostile or broken
 * artifact is stopped early: download size, unpacked size, entry count, an idle timeout when no
 * bytes arrive and an optional deadline for the whole install.
 */

/** Limits of one install. */
export interface InstallLimits {
  /** Largest artifact (or sum of image layers) downloaded. @default 64 GiB */
  maxDownloadBytes: number;
  /** Largest total size of the files unpacked. @default 128 GiB */
  maxExtractedBytes: number;
  /** Most archive entries (files, directories, links) unpacked. @default 1,000,000 */
  maxEntries: number;
  /** Give up on a download when less than 1 KiB arrives within this long (a stall or a trickle), in ms. @default 60000 */
  idleTimeoutMs: number;
  /** Give up on a whole install (resolve, download, unpack) after this long, in ms; 0 for no deadline. @default 0 */
  deadlineMs: number;
}

const GiB = 1024 ** 3;

/** Defaults that fit real multi-GB CUDA backend images. */
export const DEFAULT_INSTALL_LIMITS: InstallLimits = Object.freeze({
  maxDownloadBytes: 64 * GiB,
  maxExtractedBytes: 128 * GiB,
  maxEntries: 1_000_000,
  idleTimeoutMs: 60_000,
  deadlineMs: 0,
});

/** The agent flag that sets each limit, named in the errors a limit produces. */
export const LIMIT_FLAGS = {
  maxDownloadBytes: '--max-download-bytes',
  maxExtractedBytes: '--max-extracted-bytes',
  maxEntries: '--max-entries',
  idleTimeoutMs: '--download-idle-timeout',
  deadlineMs: '--install-deadline',
} as const satisfies Record<keyof InstallLimits, string>;

/** An install went past one of its {@link InstallLimits}. */
export class InstallLimitError extends Error {
  override readonly name = 'InstallLimitError';
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: GiB,
  gb: 1000 ** 3,
  gib: GiB,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/**
 * Parses a byte size such as `1048576`, `512MiB`, `64GiB` or `2GB` (IEC units are powers of 1024,
 * SI units powers of 1000). `undefined` when it is not one.
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = UNITS[(match?.[2] ?? '').toLowerCase()];
  if (match === null || unit === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** A byte count for people: `512 B`, `3.5 MiB`, `64 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}
