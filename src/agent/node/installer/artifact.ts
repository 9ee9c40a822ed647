/**
 * What an artifact URI names, in the forms LocalAI workers accept: an OCI image in a registry
 * (`oci://host/repo:tag` or bare `host/repo:tag`), an image tarball (`ocifile://<path>`, an OCI
 * layout or `docker save` archive), a local directory (a path or `file://` URL) or a backend
 * tarball (`file://` or `http(s)://`).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { looksLikeImageReference, parseImageReference, type ImageReference } from '../../../oci/index.js';
import { fetchableUrl } from './download.js';

/** The kinds of artifact. */
export const ArtifactKind = {
  Tarball: 'tarball',
  Image: 'image',
  ImageArchive: 'image-archive',
  Directory: 'directory',
} as const;
export type ArtifactKind = (typeof ArtifactKind)[keyof typeof ArtifactKind];

/** A classified artifact URI. */
export type Artifact =
  | { kind: typeof ArtifactKind.Tarball; url: string }
  | { kind: typeof ArtifactKind.Image; ref: ImageReference }
  | { kind: typeof ArtifactKind.ImageArchive; path: string }
  | { kind: typeof ArtifactKind.Directory; path: string };

const OCIFILE = 'ocifile://';

/** True when `uri` is an image or image-archive URI, which is never resolved against a gallery's URL. */
export function isImageUri(uri: string): boolean {
  return uri.startsWith(OCIFILE) || looksLikeImageReference(uri);
}

/**
 * Classifies `uri`, looking at the disk for local paths.
 * @throws Error naming the URI and the accepted forms.
 */
export async function classifyArtifact(uri: string): Promise<Artifact> {
  if (uri.startsWith(OCIFILE)) {
    const file = uri.slice(OCIFILE.length);
    if (!path.isAbsolute(file))
      throw new Error(`"${uri}": an ocifile:// URI needs an absolute path, e.g. ocifile:///srv/image.tar`);
    return { kind: ArtifactKind.ImageArchive, path: file };
  }
  if (uri.startsWith('oci://') || looksLikeImageReference(uri))
    return { kind: ArtifactKind.Image, ref: parseImageReference(uri) };
  const local = path.isAbsolute(uri) ? uri : uri.startsWith('file:') ? fileURLToPath(fetchableUrl(uri)) : undefined;
  if (local === undefined) {
    fetchableUrl(uri);
    return { kind: ArtifactKind.Tarball, url: uri };
  }
  const info = await stat(local).catch(() => undefined);
  if (info?.isDirectory() === true) return { kind: ArtifactKind.Directory, path: local };
  return { kind: ArtifactKind.Tarball, url: path.isAbsolute(uri) ? pathToFileURL(local).href : uri };
}
