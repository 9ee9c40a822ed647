/**
 * `--galleries JSON`: checked at the command line for the shape LocalAI's workers decode
 * (`[{url, name, mirrors?, verification?}]`), so a typo fails here rather than on every node.
 */
import { z } from 'zod';
import { UsageError } from './exit.js';

const EXAMPLE = '[{"url":"https://index.localai.io/backends","name":"localai"}]';

/** One gallery as the protocol carries it in `backend_galleries`. */
export const GalleryFlagSchema = z
  .object({
    url: z.string().regex(/^[a-z][a-z0-9+.-]*:\S+$/i, 'expected a URL such as https://example.com/index.yaml'),
    name: z.string().min(1, 'expected a non-empty gallery name'),
    mirrors: z.array(z.string().min(1)).optional(),
    verification: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/**
 * Checks the value of `--galleries` and returns it unchanged (it is sent as written).
 * @throws UsageError naming the entry and field, e.g. `--galleries: [0].url: expected a URL …`.
 */
export function checkGalleriesFlag(value: string): string {
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch {
    data = undefined;
  }
  if (!Array.isArray(data))
    throw new UsageError(`--galleries: galleries must be a JSON array string such as ${EXAMPLE}`);
  const parsed = z.array(GalleryFlagSchema).safeParse(data);
  if (parsed.success) return value;
  const issue = parsed.error.issues[0];
  const [index, field] = issue?.path ?? [];
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : '';
  const where = `[${String(index)}]${field !== undefined ? `.${String(field)}` : ''}`;
  const what =
    issue?.code === 'unrecognized_keys'
      ? `unknown key ${keys}; a gallery has url, name, mirrors and verification`
      : issue?.code === 'invalid_type' && field !== undefined && !hasKey((data as unknown[])[Number(index)], field)
        ? 'required'
        : (issue?.message ?? 'invalid');
  throw new UsageError(`--galleries: ${where}: ${what}; expected e.g. ${EXAMPLE}`);
}

function hasKey(entry: unknown, key: PropertyKey): boolean {
  return typeof entry === 'object' && entry !== null && Object.hasOwn(entry, key);
}
