/**
 * OCI image references as LocalAI galleries and `--uri` write them: `oci://host/repo:tag`, bare
 * `host/repo:tag`, `repo@sha256:…`, and Docker Hub short forms (`ubuntu`, `localai/x:tag`).
 * Pure: no I/O.
 */

/** Docker Hub's registry API host, used for references without a registry part. */
export const DOCKER_HUB_HOST = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** A parsed image reference. */
export interface ImageReference {
  /** Registry host with optional port, e.g. `quay.io`, `127.0.0.1:5000`, `registry-1.docker.io`. */
  registry: string;
  /** Repository path, e.g. `go-skynet/local-ai-backends`, `library/ubuntu`. */
  repository: string;
  /** Tag; `latest` when neither tag nor digest was given. Absent for a digest-only reference. */
  tag?: string;
  /** Pinned manifest digest `sha256:…`, when the reference has `@…`. */
  digest?: string;
}

/** The reference is not a valid image reference; the message names the input and the rule it broke. */
export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError';
}

const REPO_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Za-z0-9=_-]+$/;

/** True when `raw` names an OCI image (with `oci://` or a registry-looking first component). */
export function looksLikeImageReference(raw: string): boolean {
  if (raw.startsWith('oci://')) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return false;
  const first = raw.split('/')[0] ?? '';
  return raw.includes('/') && isRegistryHost(first);
}

function isRegistryHost(component: string): boolean {
  return component === 'localhost' || component.includes('.') || component.includes(':');
}

/**
 * Parses `raw` (with or without `oci://`). A first path component with a `.` or `:`, or
 * `localhost`, is the registry; otherwise the registry is Docker Hub and one-component names get
 * `library/`.
 */
export function parseImageReference(raw: string): ImageReference {
  const fail = (why: string): never => {
    throw new InvalidReferenceError(`invalid image reference "${raw}": ${why}`);
  };
  let rest = raw.trim().replace(/^oci:\/\//, '');
  if (rest === '') fail('it is empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) fail('only oci:// or a bare registry/repository:tag is an image');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail(`digest "${digest}" is not algorithm:hex (e.g. sha256:…)`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(`tag "${tag}" may hold only letters, digits, '_', '.', '-' (at most 128)`);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB_HOST;
  if (parts.length > 1 && isRegistryHost(parts[0] ?? '')) registry = parts.shift() ?? registry;
  if (DOCKER_HUB_ALIASES.has(registry)) {
    registry = DOCKER_HUB_HOST;
    if (parts.length === 1) parts.unshift('library');
  }
  for (const part of parts) {
    if (!REPO_COMPONENT.test(part)) {
      fail(`repository component "${part}" must be lower-case letters and digits, separated by '.', '_' or '-'`);
    }
  }
  const ref: ImageReference = { registry, repository: parts.join('/') };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = 'latest';
  return ref;
}

/** `registry/repository:tag` (and `@digest`), the form used in messages. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** What the manifest endpoint is asked for: the digest when pinned, else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
