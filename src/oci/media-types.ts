/**
 * Manifest media types of the OCI image spec and Docker's v2 schema 2, and the shapes of the
 * documents this project reads. Pure: no I/O.
 */

/** The manifest and index media types a registry may answer with. */
export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;
export type MediaType = (typeof MediaType)[keyof typeof MediaType];

/** The `Accept` header for manifest requests: every type above, so no registry down-converts. */
export const MANIFEST_ACCEPT = Object.values(MediaType).join(', ');

/** True for an index (multi-platform) media type. */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaType.OciIndex || mediaType === MediaType.DockerManifestList;
}

/** A content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

/** An image manifest: a config and ordered layers (the first layer is the bottom one). */
export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** An image index (manifest list): one manifest per platform. */
export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}
