/**
 * Installing OCI images as LocalAI workers do: the image's layers, pulled from a registry or read
 * from an image tarball (`ocifile://`, an OCI layout or a `docker save` archive), are unpacked in
 * order into the staging tree with whiteouts honoured, under the same path-safety rules and limits
 * as backend tarballs. Each layer's digest is checked, and progress is reported per layer.
 */
import { agentMetrics } from '../../../metrics/agent-metrics.js';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, readFileSync } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { z } from 'zod';
import { formatImageReference, type ImageReference, type OciClient } from '../../../oci/index.js';
import { guardBody } from '../../node/installer/download.js';
import { unpackTar } from './extract.js';
import { formatBytes, InstallLimitError, LIMIT_FLAGS, type InstallLimits } from '../../node/installer/limits.js';
import { lstatOrUndefined, openInside, verifyTree } from '../../node/installer/safe-fs.js';
import { SafeTree } from './safe-tree.js';

/** Reports `(layer, layers, digest, bytesDone, layerSize?)` while a layer is read. */
export type LayerProgress = (layer: number, layers: number, digest: string, done: number, size?: number) => void;

/** What an image install needs. */
export interface ImageContext {
  limits: InstallLimits;
  signal: AbortSignal;
  onLayer: LayerProgress;
}

const LAYER_TYPE =
  /^application\/vnd\.(oci\.image\.layer(\.nondistributable)?\.v1\.tar(\+gzip|\+zstd)?|docker\.image\.rootfs\.(foreign\.)?diff\.tar(\.gzip)?)$/;

const LayerSchema = z.object({ mediaType: z.string(), digest: z.string(), size: z.number().int().nonnegative() });
type Layer = z.output<typeof LayerSchema>;
const ManifestSchema = z.object({ layers: z.array(LayerSchema) });
const PlatformEntrySchema = z.object({
  digest: z.string(),
  platform: z.object({ os: z.string().optional(), architecture: z.string().optional() }).optional(),
});
const IndexSchema = z.object({ manifests: z.array(PlatformEntrySchema).min(1, 'the index lists no manifests') });
const DockerSaveSchema = z
  .array(z.object({ Config: z.string(), Layers: z.array(z.string()) }))
  .min(1, 'it lists no images');

function parseJson<T>(what: string, text: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${what}: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
  return parsed.data;
}

const short = (digest: string): string => digest.slice(0, 19);

/**
 * Unpacks one layer from `stream` into `tree`, checking its size and digest when known.
 * @returns the compressed bytes read.
 */
async function applyLayer(
  stream: Readable,
  layer: { digest?: string; size?: number },
  position: [number, number],
  tree: SafeTree,
  ctx: ImageContext,
  budget: number,
): Promise<number> {
  const hash = createHash('sha256');
  let done = 0;
  const what = layer.digest ?? `layer ${position[0]}`;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      done += chunk.length;
      agentMetrics.bytesFetched(chunk.length);
      ctx.onLayer(position[0], position[1], what, done, layer.size);
      callback(null, chunk);
    },
  });
  const guarded = guardBody(stream, what, layer.size, {
    maxBytes: budget,
    idleTimeoutMs: ctx.limits.idleTimeoutMs,
    signal: ctx.signal,
  });
  guarded.on('error', (err) => meter.destroy(err));
  meter.on('close', () => guarded.destroy());
  tree.startLayer();
  await unpackTar(guarded.pipe(meter), tree, { whiteouts: true, signal: ctx.signal });
  const got = `sha256:${hash.digest('hex')}`;
  if (layer.digest?.startsWith('sha256:') === true && got !== layer.digest)
    throw new Error(`its content is ${got}, not the ${layer.digest} the manifest names`);
  return done;
}

function checkLayers(layers: readonly Layer[], limits: InstallLimits): void {
  for (const layer of layers) {
    if (!LAYER_TYPE.test(layer.mediaType))
      throw new Error(`layer ${short(layer.digest)} has media type "${layer.mediaType}", not a tar layer`);
  }
  const total = layers.reduce((sum, layer) => sum + layer.size, 0);
  if (total > limits.maxDownloadBytes)
    throw new InstallLimitError(
      `the image's layers total ${formatBytes(total)}, more than ${formatBytes(limits.maxDownloadBytes)}, the limit (${LIMIT_FLAGS.maxDownloadBytes})`,
    );
}

async function abortable<T extends { stream: Readable }>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } catch (err) {
    void pending.then((late) => late.stream.destroy()).catch(() => undefined);
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Pulls `ref` from its registry into `tree`, layer by layer.
 * @returns the manifest digest of the tag (what LocalAI records and galleries resolve to).
 */
export async function pullImage(
  client: OciClient,
  ref: ImageReference,
  tree: SafeTree,
  ctx: ImageContext,
): Promise<string> {
  const { digest, manifest } = await client.fetchImageManifest(ref);
  const { layers } = parseJson(
    `the manifest of ${formatImageReference(ref)}`,
    JSON.stringify(manifest),
    ManifestSchema,
  );
  checkLayers(layers, ctx.limits);
  let used = 0;
  for (const [i, layer] of layers.entries()) {
    try {
      const blob = await abortable(client.fetchBlob(ref, layer.digest), ctx.signal);
      used += await applyLayer(
        blob.stream,
        layer,
        [i + 1, layers.length],
        tree,
        ctx,
        ctx.limits.maxDownloadBytes - used,
      );
    } catch (err) {
      throw new Error(
        `pulling layer ${i + 1}/${layers.length} (${short(layer.digest)}) of ${formatImageReference(ref)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return digest;
}

/** Reads `rel` from the unpacked archive at `root`, never through a link that leaves it. */
function readInside(root: string, rel: string): Buffer {
  const fd = openInside(root, rel);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function blobPath(digest: string): string {
  const match = /^([a-z0-9]+):([a-f0-9]{32,128})$/.exec(digest);
  if (match === null) throw new Error(`"${digest}" is not a digest such as sha256:<hex>`);
  return `blobs/${match[1]}/${match[2]}`;
}

/** The image's layers and digest, from an OCI layout (`index.json`) or a `docker save` archive (`manifest.json`). */
function describeArchive(root: string, file: string): { digest: string; layers: { rel: string; layer?: Layer }[] } {
  if (lstatOrUndefined(`${root}/index.json`) !== undefined) {
    const index = parseJson(`${file}: index.json`, readInside(root, 'index.json').toString(), IndexSchema);
    const top = pickPlatform(index.manifests);
    let manifestText = readInside(root, blobPath(top.digest)).toString();
    const nested = IndexSchema.safeParse(JSON.parse(manifestText));
    if (nested.success)
      manifestText = readInside(root, blobPath(pickPlatform(nested.data.manifests).digest)).toString();
    const { layers } = parseJson(`${file}: manifest ${short(top.digest)}`, manifestText, ManifestSchema);
    return { digest: top.digest, layers: layers.map((layer) => ({ rel: blobPath(layer.digest), layer })) };
  }
  if (lstatOrUndefined(`${root}/manifest.json`) !== undefined) {
    const [image] = parseJson(`${file}: manifest.json`, readInside(root, 'manifest.json').toString(), DockerSaveSchema);
    if (image === undefined) throw new Error(`${file}: manifest.json lists no images`);
    const config = createHash('sha256').update(readInside(root, image.Config)).digest('hex');
    return { digest: `sha256:${config}`, layers: image.Layers.map((rel) => ({ rel })) };
  }
  throw new Error(`${file} is neither an OCI image layout (index.json) nor a docker save archive (manifest.json)`);
}

function pickPlatform<T extends z.output<typeof PlatformEntrySchema>>(entries: readonly T[]): T {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const match = entries.find((e) => e.platform?.os === 'linux' && e.platform.architecture === arch);
  const chosen = match ?? entries[0];
  if (chosen === undefined) throw new Error('the image index lists no manifests');
  return chosen;
}

/**
 * Installs the image tarball `file` into `tree`: the archive is unpacked into `scratch` first
 * (with the same rules and limits), then its layers are applied in order.
 * @returns the manifest digest (OCI layout) or the config digest, the image id (`docker save`).
 */
export async function unpackImageArchive(
  file: string,
  scratch: string,
  tree: SafeTree,
  ctx: ImageContext,
): Promise<string> {
  const info = lstatOrUndefined(file);
  if (info?.isFile() !== true) throw new Error(`cannot read image archive ${file}: no such file`);
  if (info.size > ctx.limits.maxDownloadBytes)
    throw new InstallLimitError(
      `${file} is larger than ${formatBytes(ctx.limits.maxDownloadBytes)}, the limit (${LIMIT_FLAGS.maxDownloadBytes})`,
    );
  const archive = SafeTree.open(scratch, ctx.limits);
  await unpackTar(createReadStream(file), archive, { signal: ctx.signal });
  verifyTree(archive.root);
  const { digest, layers } = describeArchive(archive.root, file);
  if (layers.some((l) => l.layer !== undefined))
    checkLayers(
      layers.flatMap((l) => (l.layer ? [l.layer] : [])),
      ctx.limits,
    );
  for (const [i, { rel, layer }] of layers.entries()) {
    const fd = openInside(archive.root, rel);
    const stream = createReadStream('', { fd });
    try {
      await applyLayer(stream, layer ?? {}, [i + 1, layers.length], tree, ctx, Number.MAX_SAFE_INTEGER);
    } catch (err) {
      throw new Error(`layer ${i + 1}/${layers.length} (${rel}) of ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return digest;
}
