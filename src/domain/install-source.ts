/**
 * The install source, declared once: a part of the rollout spec (`spec.ts`) and the install fields
 * of the upgrade activity's input (`UpgradeInput`).
 */
import { z } from 'zod';

/**
 * What a node installs: the backend's gallery entry from `galleries` (absent → each worker's own
 * galleries), or the artifact at `uri`, installed as `name` with `alias`. The spec carries it, the
 * upgrade activity sends it (as `backend_galleries`, `uri`, `name`, `alias`).
 */
export const InstallSourceSchema = z.object({
  /** Galleries as a JSON string, exactly as sent on the wire; absent → each worker's own. */
  galleries: z
    .string()
    .refine(
      (g) => {
        try {
          return Array.isArray(JSON.parse(g));
        } catch {
          return false;
        }
      },
      { message: 'galleries must be a JSON array string such as [{"url":"…","name":"localai"}]' },
    )
    .optional(),
  /** Install from this artifact (`oci://…`, `https://…`) instead of a gallery entry. */
  uri: z.string().min(1).optional(),
  /** With `uri`: the backend name to install it as. */
  name: z.string().min(1).optional(),
  /** With `uri`: an alias of the installed backend. */
  alias: z.string().min(1).optional(),
});
export type InstallSource = z.output<typeof InstallSourceSchema>;

/** The install source of a spec, without the fields it leaves out. */
export function installSourceOf(spec: InstallSource): InstallSource {
  const out: InstallSource = {};
  if (spec.galleries !== undefined) out.galleries = spec.galleries;
  if (spec.uri !== undefined) out.uri = spec.uri;
  if (spec.name !== undefined) out.name = spec.name;
  if (spec.alias !== undefined) out.alias = spec.alias;
  return out;
}
