/**
 * The agent's `--max-*`, `--download-idle-timeout-ms` and `--install-deadline-ms` flags: their
 * `util.parseArgs` options, help text and validation into {@link InstallLimits}.
 */
import { DEFAULT_INSTALL_LIMITS, formatBytes, LIMIT_FLAGS, parseByteSize, type InstallLimits } from './limits.js';

/** `util.parseArgs` options of the install limits. */
export const INSTALL_LIMIT_FLAG_OPTIONS = {
  'max-download-bytes': { type: 'string' },
  'max-extracted-bytes': { type: 'string' },
  'max-entries': { type: 'string' },
  'download-idle-timeout-ms': { type: 'string' },
  'install-deadline-ms': { type: 'string' },
} as const;

const d = DEFAULT_INSTALL_LIMITS;

/** Help lines of the install limits. */
export const INSTALL_LIMIT_FLAGS_HELP = `Install limits (real mode; sizes as bytes or with KiB, MiB, GiB, TiB, e.g. 64GiB):
  --max-download-bytes SIZE       largest artifact or image downloaded (default ${formatBytes(d.maxDownloadBytes)})
  --max-extracted-bytes SIZE      largest total of unpacked files (default ${formatBytes(d.maxExtractedBytes)})
  --max-entries N                 most archive entries unpacked (default ${d.maxEntries})
  --download-idle-timeout-ms MS   give up when less than 1 KiB arrives in MS (default ${d.idleTimeoutMs})
  --install-deadline-ms MS        give up on a whole install after MS (default 0: no deadline)
`;

/** Raw values of the install limit flags. */
export type InstallLimitFlagValues = { [K in keyof typeof INSTALL_LIMIT_FLAG_OPTIONS]?: string | undefined };

/**
 * Validates the install limit flags; unset flags are left out (the installer's defaults apply).
 * @throws Error naming the flag and the expected form.
 */
export function parseInstallLimitFlags(values: InstallLimitFlagValues): Partial<InstallLimits> {
  const limits: Partial<InstallLimits> = {};
  const size = (key: 'maxDownloadBytes' | 'maxExtractedBytes', raw: string | undefined): void => {
    if (raw === undefined) return;
    const bytes = parseByteSize(raw);
    if (bytes === undefined)
      throw new Error(`${LIMIT_FLAGS[key]} "${raw}": expected a positive size such as 68719476736 or 64GiB`);
    limits[key] = bytes;
  };
  const whole = (key: 'maxEntries' | 'idleTimeoutMs' | 'deadlineMs', raw: string | undefined, min: number): void => {
    if (raw === undefined) return;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min)
      throw new Error(
        `${LIMIT_FLAGS[key]} "${raw}": expected a whole number of at least ${min}, e.g. ${d[key] || 600000}`,
      );
    limits[key] = value;
  };
  size('maxDownloadBytes', values['max-download-bytes']);
  size('maxExtractedBytes', values['max-extracted-bytes']);
  whole('maxEntries', values['max-entries'], 1);
  whole('idleTimeoutMs', values['download-idle-timeout-ms'], 1);
  whole('deadlineMs', values['install-deadline-ms'], 0);
  return limits;
}
