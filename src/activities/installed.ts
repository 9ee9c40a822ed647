import type { InstalledRecord } from './types.js';

/** The verification baseline of one `backend.list` entry (only the fields that were sent). */
export function installedRecordOf(entry: {
  installedAt?: string | undefined;
  digest?: string | undefined;
  version?: string | undefined;
  uri?: string | undefined;
}): InstalledRecord {
  const record: InstalledRecord = {};
  if (entry.installedAt !== undefined) record.installedAt = entry.installedAt;
  if (entry.digest !== undefined) record.digest = entry.digest;
  if (entry.version !== undefined) record.version = entry.version;
  if (entry.uri !== undefined) record.uri = entry.uri;
  return record;
}
