/**
 * Galleries as the protocol carries them (`backend_galleries`, a JSON string of
 * `[{url, mirrors?, name, verification?}]`) and the entries of a gallery index file.
 */
import { z } from 'zod';

/** One gallery reference from a request or the agent's configuration. Unknown keys are kept. */
export const GallerySchema = z.looseObject({
  url: z.string().min(1, 'a gallery needs a url'),
  name: z.string().default(''),
  mirrors: z.array(z.string()).optional(),
});
export type Gallery = z.output<typeof GallerySchema>;

/** One backend listed in a gallery index. `uri` may be relative to the index's URL. */
export const GalleryEntrySchema = z.looseObject({
  name: z.string().min(1),
  uri: z.string().min(1),
  version: z.string().default(''),
  sha256: z
    .string()
    .regex(/^(sha256:)?[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
    .optional(),
  alias: z.string().optional(),
  /** Entry point relative to the backend directory. @default "run.sh" */
  run: z.string().optional(),
});
export type GalleryEntry = z.output<typeof GalleryEntrySchema>;

/** A gallery index: a list of entries, or `{ backends: [...] }`. */
export const GalleryIndexSchema = z.union([
  z.array(GalleryEntrySchema),
  z.object({ backends: z.array(GalleryEntrySchema) }).transform((index) => index.backends),
]);

/** `backend_galleries` was not valid JSON or not a list of galleries. */
export class GalleryDecodeError extends Error {
  override readonly name = 'GalleryDecodeError';
}

/**
 * Decodes a request's `backend_galleries`. `''` means "use the agent's own galleries"
 * (`undefined`); any other value replaces them, and `"null"` or `"[]"` mean none, as in LocalAI.
 * @throws GalleryDecodeError with the reason, to be reported as `decoding backend galleries: …`.
 */
export function decodeGalleries(raw: string): Gallery[] | undefined {
  if (raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new GalleryDecodeError((err as Error).message);
  }
  if (parsed === null) return [];
  const result = z.array(GallerySchema).safeParse(parsed);
  if (!result.success) throw new GalleryDecodeError(z.prettifyError(result.error).replace(/\n/g, ' '));
  return result.data;
}
