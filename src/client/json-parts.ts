/**
 * Pieces shared by the documented JSON documents of the read commands (`list`, `history`,
 * `nodes`): every document is versioned, has every key present, `null` for unknown values, times
 * as ISO 8601 strings, and enum values spelled as the rollout spells them.
 */
import { z } from 'zod';

/** The values of a `const X = {…} as const` object, as a zod enum's tuple. */
export const enumValues = <T extends Record<string, string>>(o: T): [T[keyof T], ...T[keyof T][]] =>
  Object.values(o) as [T[keyof T], ...T[keyof T][]];

/** An ISO 8601 time with a zone (`2026-12-03T16:30:38.000Z`). */
export const isoTime = z.iso.datetime();

/** The schema version of every read command's JSON document. */
export const READ_SCHEMA_VERSION = 1;

/** ISO 8601 of a `Date` or epoch ms, or null. */
export function isoOrNull(time: Date | number | undefined): string | null {
  if (time === undefined) return null;
  return (typeof time === 'number' ? new Date(time) : time).toISOString();
}

/** Temporal's execution status as the documents spell it: lower case (`running`, `completed`, `continued_as_new`). */
export function executionName(name: string): string {
  return name.toLowerCase();
}

/** A rollout's node counts, as `status --json` and `history -o json` print them. */
export const CountsJsonSchema = z
  .object({
    total: z.number().int(),
    pending: z.number().int(),
    inFlight: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    unknown: z.number().int(),
    /** Nodes that already ran the target and got no request. */
    upToDate: z.number().int(),
  })
  .strict();
