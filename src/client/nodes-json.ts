/**
 * The documented output of `fleet-rollout nodes BACKEND -o json|jsonl|yaml`: what each node has
 * installed of the backend right now, as its `backend.list` answer says, or why that is not known.
 * Every key is always present; unknown values are `null`.
 */
import { z } from 'zod';
import type { InstalledRecord } from '../domain/verification.js';
import { installName } from './install-name.js';
import { READ_SCHEMA_VERSION } from './json-parts.js';

/** One node in `nodes`. */
export const NodeInstallJsonSchema = z
  .object({
    schemaVersion: z.literal(READ_SCHEMA_VERSION),
    id: z.string(),
    backend: z.string(),
    /** The install the node reports; null when it did not answer or does not have the backend. */
    installed: z
      .object({
        /** How the install is named everywhere: version, else digest, else uri, else its install time. */
        name: z.string(),
        version: z.string().nullable(),
        digest: z.string().nullable(),
        /** RFC 3339 as the node reports it (LocalAI: one-second resolution). */
        installedAt: z.string().nullable(),
        uri: z.string().nullable(),
      })
      .strict()
      .nullable(),
    /** Why `installed` is null. */
    problem: z.string().nullable(),
  })
  .strict();
/** One node of the `nodes` document. */
export type NodeInstallJson = z.output<typeof NodeInstallJsonSchema>;
/** The `nodes -o json` document: one entry per node asked, in the order asked. */
export const NodesJsonSchema = z.array(NodeInstallJsonSchema);

/** What a node reported (its install), or why nothing is known (`problem`). */
export function toNodeInstallJson(
  id: string,
  backend: string,
  answer: { installed: InstalledRecord } | { problem: string },
): NodeInstallJson {
  if ('problem' in answer)
    return { schemaVersion: READ_SCHEMA_VERSION, id, backend, installed: null, problem: answer.problem };
  const r = answer.installed;
  return {
    schemaVersion: READ_SCHEMA_VERSION,
    id,
    backend,
    installed: {
      name: installName(r) ?? 'installed',
      version: r.version ?? null,
      digest: r.digest ?? null,
      installedAt: r.installedAt ?? null,
      uri: r.uri ?? null,
    },
    problem: null,
  };
}
