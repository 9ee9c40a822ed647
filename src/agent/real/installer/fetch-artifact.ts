/**
 * Puts an artifact's files into the staging tree, whatever its kind: a tarball is downloaded first
 * (and its sha256 checked), image layers stream straight in from the registry, an image archive is
 * unpacked beside staging and its layers applied, a directory is copied.
 */
import path from 'node:path';
import type { OciClient } from '../../../oci/index.js';
import { InstallPhase } from '../../../protocol/index.js';
import type { ProgressSink } from '../../node/progress-publisher.js';
import { ArtifactKind, type Artifact } from '../../node/installer/artifact.js';
import { copyDirectory } from './directory-copy.js';
import { downloadTo } from '../../node/installer/download.js';
import { unpackFile } from './extract.js';
import type { InstallLimits } from '../../node/installer/limits.js';
import { pullImage, unpackImageArchive, type LayerProgress } from './oci-image.js';
import type { SafeTree } from './safe-tree.js';

/** What fetching one artifact needs. */
export interface FetchContext {
  tree: SafeTree;
  /** A scratch path for a downloaded tarball or an unpacked image archive. */
  download: string;
  progress: ProgressSink;
  signal: AbortSignal;
  limits: InstallLimits;
  oci: OciClient;
  /** Stretch tarball extraction over at least this long (test knob). */
  extractDelayMs: number;
  /** Expected SHA-256 of a tarball (from the gallery). */
  sha256?: string;
}

/**
 * Fetches `artifact` into `ctx.tree`.
 * @returns the digest recorded in the metadata: the tarball's sha256, the image's manifest digest,
 * or `''` for a directory.
 */
export async function fetchArtifact(artifact: Artifact, ctx: FetchContext): Promise<string> {
  const { progress, signal, tree } = ctx;
  const onLayer =
    (phase: InstallPhase): LayerProgress =>
    (layer, layers, digest, done, size) =>
      progress({
        phase,
        percentage: size === undefined || size === 0 ? 0 : (100 * done) / size,
        fileName: `layer ${layer}/${layers} ${digest}`,
        currentBytes: done,
        ...(size !== undefined ? { totalBytes: size } : {}),
      });
  const image = { limits: ctx.limits, signal };
  switch (artifact.kind) {
    case ArtifactKind.Image:
      return await pullImage(ctx.oci, artifact.ref, tree, { ...image, onLayer: onLayer(InstallPhase.Downloading) });
    case ArtifactKind.ImageArchive:
      return await unpackImageArchive(artifact.path, ctx.download, tree, {
        ...image,
        onLayer: onLayer(InstallPhase.Extracting),
      });
    case ArtifactKind.Directory:
      progress({ phase: InstallPhase.Extracting, percentage: 0, fileName: artifact.path });
      await copyDirectory(artifact.path, tree, signal);
      return '';
    case ArtifactKind.Tarball:
      return await fetchTarball(artifact.url, ctx);
  }
}

async function fetchTarball(url: string, ctx: FetchContext): Promise<string> {
  const { progress } = ctx;
  const fileName = path.posix.basename(new URL(url).pathname) || url;
  const fetched = await downloadTo(
    url,
    ctx.download,
    { maxBytes: ctx.limits.maxDownloadBytes, idleTimeoutMs: ctx.limits.idleTimeoutMs, signal: ctx.signal },
    (done, total) =>
      progress({
        phase: InstallPhase.Downloading,
        percentage: total === undefined || total === 0 ? 0 : (100 * done) / total,
        fileName,
        currentBytes: done,
        ...(total !== undefined ? { totalBytes: total } : {}),
      }),
  );
  const expected = ctx.sha256?.replace(/^sha256:/, '').toLowerCase();
  if (expected !== undefined && expected !== fetched.sha256) {
    throw new Error(`sha256 mismatch for ${url}: expected ${expected}, got ${fetched.sha256}`);
  }
  progress({ phase: InstallPhase.Extracting, percentage: 0, fileName });
  await unpackFile(ctx.download, ctx.tree, {
    slowMs: ctx.extractDelayMs,
    signal: ctx.signal,
    onProgress: (done, total) =>
      progress({ phase: InstallPhase.Extracting, percentage: (100 * done) / total, fileName }),
  });
  return `sha256:${fetched.sha256}`;
}
