/**
 * The real installer: resolves a backend in a gallery (or takes the request's `uri`), fetches the
 * artifact with progress (a tarball, verified by SHA-256; an OCI image from a registry or an image
 * tarball, layer by layer; or a local directory) into a staging directory, writes `metadata.json`
 * and swaps the result into place. Any failure before the swap leaves the
 * installed version untouched.
 */
import { versionFromUri } from '../../node/uri-version.js';
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../../log.js';
import { InstallPhase, type BackendInfo } from '../../../protocol/index.js';
import type { ProgressSink } from '../../node/progress-publisher.js';
import { OciClient } from '../../../oci/index.js';
import { classifyArtifact } from '../../node/installer/artifact.js';
import { fetchArtifact } from './fetch-artifact.js';
import { resolveFromGalleries } from '../../node/installer/gallery.js';
import type { Gallery } from '../../node/installer/gallery-types.js';
import { assertSafeBackendName, BackendsLayout, isSafeBackendName } from '../../node/installer/layout.js';
import {
  DEFAULT_INSTALL_LIMITS,
  InstallLimitError,
  LIMIT_FLAGS,
  type InstallLimits,
} from '../../node/installer/limits.js';
import {
  DEFAULT_RUN,
  nextInstalledAt,
  readMetadata,
  toBackendInfo,
  writeMetadata,
  type BackendMetadata,
} from '../../node/installer/metadata.js';
import { makeEntryPointExecutable, verifyTree } from '../../node/installer/safe-fs.js';
import { SafeTree } from './safe-tree.js';
import type { Installer, InstallSpec, LaunchSpec } from '../../node/installer/types.js';
import { redactCredentials } from '../../node/installer/uri-credentials.js';

/** How to set up a {@link RealInstaller}. */
export interface RealInstallerOptions {
  /** Where backends are installed. Created when missing. */
  backendsDir: string;
  /** Galleries used when a request names none. @default [] */
  galleries?: Gallery[];
  log: Logger;
  /** Stretch each extraction over at least this long (test knob for crash tests). @default 0 */
  extractDelayMs?: number;
  /** Size, entry and time limits of each install; unset fields keep {@link DEFAULT_INSTALL_LIMITS}. */
  limits?: Partial<InstallLimits>;
}

/** Installs tarball backends into a directory. Create with {@link RealInstaller.open}. */
export class RealInstaller implements Installer {
  private readonly layout: BackendsLayout;
  private readonly lastInstalledAt = new Map<string, string>();
  private readonly limits: InstallLimits;
  private readonly oci: OciClient;

  private constructor(private readonly options: RealInstallerOptions) {
    this.layout = new BackendsLayout(path.resolve(options.backendsDir));
    this.limits = { ...DEFAULT_INSTALL_LIMITS, ...options.limits };
    // The socket timeout backs up the idle timeout, which reports which blob went quiet.
    this.oci = new OciClient({ timeoutMs: this.limits.idleTimeoutMs + 5_000 });
  }

  /** Prepares the directory (repairing an interrupted swap, clearing stale staging) and returns the installer. */
  static async open(options: RealInstallerOptions): Promise<RealInstaller> {
    const installer = new RealInstaller(options);
    await installer.layout.recover(options.log);
    return installer;
  }

  /** The absolute backends directory. */
  get backendsDir(): string {
    return this.layout.root;
  }

  async list(): Promise<BackendInfo[]> {
    const infos: BackendInfo[] = [];
    for (const name of await this.layout.installedNames()) {
      infos.push(toBackendInfo(name, await this.metadataOrWarn(name)));
    }
    return infos;
  }

  async install(spec: InstallSpec, progress: ProgressSink): Promise<BackendInfo> {
    const deadline = new AbortController();
    const { deadlineMs } = this.limits;
    const timer =
      deadlineMs > 0
        ? setTimeout(
            () =>
              deadline.abort(
                new InstallLimitError(
                  `the install took longer than ${deadlineMs} ms, the deadline (${LIMIT_FLAGS.deadlineMs})`,
                ),
              ),
            deadlineMs,
          )
        : undefined;
    try {
      return await this.installOnce(spec, progress, deadline.signal);
    } catch (err) {
      throw new Error(redactCredentials(err instanceof Error ? err.message : String(err)));
    } finally {
      clearTimeout(timer);
    }
  }

  private async installOnce(spec: InstallSpec, progress: ProgressSink, signal: AbortSignal): Promise<BackendInfo> {
    const name = spec.uri !== '' && spec.name !== '' ? spec.name : spec.backend;
    assertSafeBackendName(name);
    const dir = this.layout.dirOf(name);
    if (!spec.force) {
      const current = await this.metadataOrWarn(name);
      if (current !== undefined) return toBackendInfo(name, current);
    }
    progress({ phase: InstallPhase.Resolving, percentage: 0, fileName: name });
    const source = await this.resolve(spec, name);
    const artifact = await classifyArtifact(source.artifactUrl);
    const download = this.layout.scratch(this.layout.downloads, name);
    const staging = this.layout.scratch(this.layout.staging, name);
    try {
      const tree = SafeTree.open(staging, this.limits);
      const digest = await fetchArtifact(artifact, {
        tree,
        download,
        progress,
        signal,
        limits: this.limits,
        oci: this.oci,
        extractDelayMs: this.options.extractDelayMs ?? 0,
        ...(source.sha256 !== undefined ? { sha256: source.sha256 } : {}),
      });
      const root = await backendRoot(tree.root, source.run);
      verifyTree(root);
      makeEntryPointExecutable(root, source.run);
      const fileName = name;
      progress({ phase: InstallPhase.Starting, percentage: 50, fileName });
      const previous = this.lastInstalledAt.get(name) ?? (await this.metadataOrWarn(name))?.installed_at;
      const metadata: BackendMetadata = {
        name,
        version: source.version,
        uri: source.artifactUrl,
        digest,
        installed_at: nextInstalledAt(previous === '' ? undefined : previous),
        ...(source.galleryUrl !== undefined ? { gallery_url: source.galleryUrl } : {}),
        ...(source.alias !== '' ? { alias: source.alias } : {}),
        ...(source.run !== DEFAULT_RUN ? { run: source.run } : {}),
      };
      writeMetadata(root, metadata);
      signal.throwIfAborted();
      await this.layout.swapIn(name, root);
      this.lastInstalledAt.set(name, metadata.installed_at);
      progress({ phase: InstallPhase.Starting, percentage: 100, fileName });
      this.options.log.info(
        { backend: name, version: metadata.version, digest: metadata.digest, dir },
        'backend installed',
      );
      return toBackendInfo(name, metadata);
    } finally {
      await rm(download, { recursive: true, force: true });
      await rm(staging, { recursive: true, force: true });
    }
  }

  async remove(backend: string): Promise<void> {
    assertSafeBackendName(backend);
    await this.layout.remove(backend);
  }

  async launchSpec(backend: string): Promise<LaunchSpec | undefined> {
    if (!isSafeBackendName(backend)) return undefined;
    const dir = this.layout.dirOf(backend);
    const metadata = await this.metadataOrWarn(backend);
    if (metadata === undefined) return undefined;
    const run = metadata.run ?? DEFAULT_RUN;
    return { command: path.join(dir, run), cwd: dir, generation: metadata.installed_at || metadata.digest };
  }

  async identity(backend: string): Promise<string[]> {
    const names = new Set([backend]);
    if (isSafeBackendName(backend)) {
      const metadata = await this.metadataOrWarn(backend);
      if (metadata?.name !== undefined) names.add(metadata.name);
      if (metadata?.alias !== undefined) names.add(metadata.alias);
    }
    return [...names].filter((n) => n !== '');
  }

  private async resolve(spec: InstallSpec, name: string): Promise<Source> {
    if (spec.uri !== '') {
      return { artifactUrl: spec.uri, version: versionFromUri(spec.uri) ?? '', alias: spec.alias, run: DEFAULT_RUN };
    }
    const galleries = spec.galleries ?? this.options.galleries ?? [];
    const found = await resolveFromGalleries(galleries, name);
    const run = found.entry.run ?? DEFAULT_RUN;
    return {
      artifactUrl: found.artifactUrl,
      version: found.entry.version,
      galleryUrl: found.indexUrl,
      alias: found.entry.alias ?? '',
      run,
      ...(found.entry.sha256 !== undefined ? { sha256: found.entry.sha256 } : {}),
    };
  }

  private async metadataOrWarn(name: string): Promise<BackendMetadata | undefined> {
    try {
      const metadata = await readMetadata(this.layout.dirOf(name));
      if (metadata !== undefined) return metadata;
      const exists = await lstat(this.layout.dirOf(name)).then(
        (s) => s.isDirectory(),
        () => false,
      );
      return exists ? { name, version: '', uri: '', digest: '', installed_at: '' } : undefined;
    } catch (err) {
      this.options.log.warn({ backend: name, err: (err as Error).message }, 'unreadable backend metadata');
      return { name, version: '', uri: '', digest: '', installed_at: '' };
    }
  }
}

interface Source {
  artifactUrl: string;
  version: string;
  galleryUrl?: string;
  sha256?: string;
  alias: string;
  run: string;
}

/** The extracted tree's root: the staging directory, or its only subdirectory when the entry point is there. */
async function backendRoot(staging: string, run: string): Promise<string> {
  const entries = await readdir(staging, { withFileTypes: true });
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only !== undefined && only.isDirectory() && !entries.some((e) => e.name === run))
    return path.join(staging, only.name);
  return staging;
}
