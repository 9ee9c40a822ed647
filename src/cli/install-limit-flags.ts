/**
 * The agent's `--max-*`, `--download-idle-timeout` and `--install-deadline` flags: their
 * `util.parseArgs` options, help text and validation into {@link InstallLimits}.
 */
import {
  DEFAULT_INSTALL_LIMITS,
  formatBytes,
  LIMIT_FLAGS,
  parseByteSize,
  type InstallLimits,
} from '../agent/node/installer/limits.js';
import { formatDuration } from '../domain/duration.js';
import { durationFlagValue } from './args.js';
import { UsageError } from './exit.js';

/** `util.parseArgs` options of the install limits, with the deprecated `-ms` spellings. */
export const INSTALL_LIMIT_FLAG_OPTIONS = {
  'max-download-bytes': { type: 'string' },
  'max-extracted-bytes': { type: 'string' },
  'max-entries': { type: 'string' },
  'download-idle-timeout': { type: 'string' },
  'install-deadline': { type: 'string' },
  'download-idle-timeout-ms': { type: 'string' },
  'install-deadline-ms': { type: 'string' },
} as const;

const d = DEFAULT_INSTALL_LIMITS;

/** Help lines of the install limits. */
export const INSTALL_LIMIT_FLAGS_HELP = `Install limits (real mode; sizes as bytes or with KiB, MiB, GiB, TiB, e.g. 64GiB):
  --max-download-bytes SIZE       largest artifact or image downloaded (default ${formatBytes(d.maxDownloadBytes)})
  --max-extracted-bytes SIZE      largest total of unpacked files (default ${formatBytes(d.maxExtractedBytes)})
  --max-entries N                 most archive entries unpacked (default ${d.maxEntries})
  --download-idle-timeout D       give up when less than 1 KiB arrives in D (default ${formatDuration(d.idleTimeoutMs)})
  --install-deadline D            give up on a whole install after D (default 0: no deadline)
`;

/** Raw values of the install limit flags. */
export type InstallLimitFlagValues = { [K in keyof typeof INSTALL_LIMIT_FLAG_OPTIONS]?: string | undefined };

/**
 * Validates the install limit flags; unset flags are left out (the installer's defaults apply).
 * @throws UsageError naming the flag and the expected form.
 */
export function parseInstallLimitFlags(
  values: InstallLimitFlagValues,
  warn?: (line: string) => void,
): Partial<InstallLimits> {
  const limits: Partial<InstallLimits> = {};
  const size = (key: 'maxDownloadBytes' | 'maxExtractedBytes', raw: string | undefined): void => {
    if (raw === undefined) return;
    const bytes = parseByteSize(raw);
    if (bytes === undefined)
      throw new UsageError(`${LIMIT_FLAGS[key]} "${raw}": expected a positive size such as 68719476736 or 64GiB`);
    limits[key] = bytes;
  };
  size('maxDownloadBytes', values['max-download-bytes']);
  size('maxExtractedBytes', values['max-extracted-bytes']);
  const entries = values['max-entries'];
  if (entries !== undefined) {
    if (!/^\d+$/.test(entries.trim()) || !Number.isSafeInteger(Number(entries)) || Number(entries) < 1)
      throw new UsageError(
        `${LIMIT_FLAGS.maxEntries} "${entries}": expected a whole number of at least 1, e.g. ${d.maxEntries}`,
      );
    limits.maxEntries = Number(entries);
  }
  const idle = durationFlagValue(values, 'download-idle-timeout', {
    old: 'download-idle-timeout-ms',
    ...(warn === undefined ? {} : { warn }),
  });
  if (idle !== undefined) limits.idleTimeoutMs = idle;
  const deadline = durationFlagValue(values, 'install-deadline', {
    old: 'install-deadline-ms',
    zero: true,
    ...(warn === undefined ? {} : { warn }),
  });
  if (deadline !== undefined) limits.deadlineMs = deadline;
  return limits;
}
