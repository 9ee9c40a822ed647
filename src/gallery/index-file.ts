/**
 * LocalAI's backend gallery index (`backend/index.yaml`): a YAML list of entries with `name`,
 * `uri`, optional `version`, `alias`, `mirrors`, and meta entries whose `capabilities` map a
 * capability to a concrete entry's name. Entries share fields through `&anchor` and
 * `!!merge <<: *anchor`. Parsing only; no I/O.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';

const EntrySchema = z.looseObject({
  name: z.string().min(1),
  uri: z.string().optional(),
  version: z.string().optional(),
  alias: z.string().optional(),
  mirrors: z.array(z.string()).optional(),
  capabilities: z.record(z.string(), z.string()).optional(),
});

/** One entry of a gallery index. */
export interface GalleryEntry {
  name: string;
  uri?: string;
  version?: string;
  alias?: string;
  mirrors?: string[];
  capabilities?: Record<string, string>;
}

/** The index is not valid YAML or not a list of entries; the message names the index and the line. */
export class GalleryIndexError extends Error {
  override readonly name = 'GalleryIndexError';
}

/** A meta entry (LocalAI's `IsMeta`): capabilities and no uri of its own. */
export function isMetaEntry(entry: GalleryEntry): boolean {
  return entry.capabilities !== undefined && Object.keys(entry.capabilities).length > 0 && !entry.uri;
}

/** Parses the YAML text of the index at `where` (used in messages). */
export function parseGalleryIndex(text: string, where: string): GalleryEntry[] {
  const doc = parseDocument(text, { merge: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = first.linePos?.[0].line;
    throw new GalleryIndexError(
      `gallery index ${where} is not valid YAML${line !== undefined ? ` (line ${line})` : ''}: ${(first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 10_000 });
  if (!Array.isArray(data))
    throw new GalleryIndexError(`gallery index ${where} must be a YAML list of backend entries`);
  const items = doc.contents !== null && 'items' in doc.contents ? doc.contents.items : [];
  return data.map((raw: unknown, index) => {
    const parsed = EntrySchema.safeParse(raw);
    if (!parsed.success) {
      const node = items[index] as { range?: [number, number, number] } | undefined;
      const line = node?.range !== undefined ? lineOf(text, node.range[0]) : undefined;
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'entry';
      throw new GalleryIndexError(
        `gallery index ${where}: entry ${index + 1}${line !== undefined ? ` (line ${line})` : ''}: ${field}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const e = parsed.data;
    const entry: GalleryEntry = { name: e.name };
    if (e.uri !== undefined && e.uri !== '') entry.uri = e.uri;
    if (e.version !== undefined && e.version !== '') entry.version = e.version;
    if (e.alias !== undefined) entry.alias = e.alias;
    if (e.mirrors !== undefined) entry.mirrors = e.mirrors;
    if (e.capabilities !== undefined) entry.capabilities = e.capabilities;
    return entry;
  });
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** The entry named `name` (a `gallery@name` prefix is ignored), if the index has it. */
export function findEntry(entries: readonly GalleryEntry[], name: string): GalleryEntry | undefined {
  const bare = name.includes('@') ? name.slice(name.indexOf('@') + 1) : name;
  return entries.find((e) => e.name === bare);
}
