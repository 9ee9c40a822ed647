/**
 * An installer that only pretends: it walks through the phases with timers, moves the version
 * forward (to the version a `file://` gallery or the `uri` names, else the next patch), and fails
 * or crashes on request. Randomness comes from a seeded generator, so a run can be replayed.
 */
import { versionFromUri } from '../node/uri-version.js';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { InstallPhase, type BackendInfo } from '../../protocol/index.js';
import { resolveFromGalleries } from '../node/installer/gallery.js';
import { assertSafeBackendName } from '../node/installer/layout.js';
import { nextInstalledAt } from '../node/installer/metadata.js';
import type { Installer, InstallSpec, LaunchSpec } from '../node/installer/types.js';
import type { ProgressSink } from '../node/progress-publisher.js';
import type { SimulatedInstall } from './state.js';
import { nextPatch, sampleRange, versionMatches, type SimulatedNode } from './knobs.js';

/** The simulated crash: the node drops off NATS and forgets its operations. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

const PHASES: readonly { phase: InstallPhase; share: number }[] = [
  { phase: InstallPhase.Resolving, share: 0.1 },
  { phase: InstallPhase.Downloading, share: 0.6 },
  { phase: InstallPhase.Extracting, share: 0.2 },
  { phase: InstallPhase.Starting, share: 0.1 },
];
const TICK_MS = 100;

/** The installer of one simulated node. */
export class SimulatedInstaller implements Installer {
  private readonly state = new Map<string, SimulatedInstall>();
  private readonly known: Set<string>;
  private controller = new AbortController();
  private crashed = false;

  constructor(
    private readonly node: SimulatedNode,
    private readonly random: () => number,
    private readonly onCrash: () => void,
    saved?: Readonly<Record<string, SimulatedInstall>>,
    private readonly onChange: () => void = () => undefined,
  ) {
    if (saved !== undefined) {
      for (const [name, install] of Object.entries(saved)) this.state.set(name, { ...install });
      this.known = new Set([node.backend, ...node.otherBackends.map((b) => b.name), ...this.state.keys()]);
      return;
    }
    const start = Date.now();
    const initial = [{ name: node.backend, version: node.version }, ...node.otherBackends];
    for (const [i, { name, version }] of initial.entries()) {
      this.state.set(name, {
        version,
        installedAt: new Date(start - 60_000 + i).toISOString(),
        digest: digestOf(name, version),
        uri: simulatedUri(name, version),
      });
    }
    this.known = new Set(initial.map((b) => b.name));
  }

  /** Abandons every install in flight (a crash, or shutdown). */
  abortAll(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }

  list(): Promise<BackendInfo[]> {
    return Promise.resolve(
      [...this.state.keys()]
        .sort()
        .map((name) => this.infoOf(name))
        .filter((i) => i !== undefined),
    );
  }

  async install(spec: InstallSpec, progress: ProgressSink): Promise<BackendInfo> {
    const name = spec.uri !== '' && spec.name !== '' ? spec.name : spec.backend;
    assertSafeBackendName(name);
    const current = this.state.get(name);
    if (!spec.force && current !== undefined) return this.infoOf(name) ?? { name, isSystem: false, isMeta: false };
    const signal = this.controller.signal;
    const target = await this.target(spec, name, current);
    const durationMs = sampleRange(this.node.installMs, this.random);
    const failAt = this.failurePhase(target.version);
    const fileName = `${name}-${target.version}.tar.gz`;
    const totalBytes = Math.round((200 + this.random() * 600) * 1024 * 1024);
    for (const { phase, share } of PHASES) {
      if (this.node.crashAt === phase && !this.crashed) {
        this.crashed = true;
        this.onCrash();
        throw new SimulatedCrash(`simulated crash while ${phase} ${name}`);
      }
      if (failAt?.phase === phase) throw new Error(`failed to download backend "${target.uri}": ${failAt.reason}`);
      progress({ phase, percentage: 0, fileName });
      const phaseMs = durationMs * share;
      const steps = Math.max(1, Math.ceil(phaseMs / TICK_MS));
      for (let step = 1; step <= steps; step += 1) {
        await sleep(phaseMs / steps, undefined, { signal }).catch(() => {
          throw new Error(`install of ${name} abandoned`);
        });
        const percentage = (100 * step) / steps;
        const bytes =
          phase === InstallPhase.Downloading ? { currentBytes: (totalBytes * step) / steps, totalBytes } : {};
        progress({ phase, percentage, fileName, ...bytes });
      }
    }
    this.state.set(name, {
      version: target.version,
      installedAt: nextInstalledAt(current?.installedAt),
      digest: digestOf(name, target.version),
      uri: target.uri,
      ...(target.galleryUrl !== undefined ? { galleryUrl: target.galleryUrl } : {}),
      ...(spec.alias !== '' ? { alias: spec.alias } : {}),
    });
    this.known.add(name);
    this.onChange();
    return this.infoOf(name) ?? { name, isSystem: false, isMeta: false };
  }

  remove(backend: string): Promise<void> {
    if (!this.state.delete(backend)) return Promise.reject(new Error(`backend "${backend}" is not installed`));
    this.onChange();
    return Promise.resolve();
  }

  /** What is installed right now, by backend name (saved by `fleet --state-dir`). */
  snapshot(): Record<string, SimulatedInstall> {
    return Object.fromEntries([...this.state].map(([name, install]) => [name, { ...install }]));
  }

  /**
   * The stderr-like text of a failed start check when the installed `backend` matches the node's
   * `failStart` pattern (by version or uri), else `undefined`.
   */
  startFailure(backend: string, key: string): string | undefined {
    const pattern = this.node.failStart;
    const installed = this.state.get(backend);
    if (pattern === undefined || installed === undefined) return undefined;
    if (!versionMatches(pattern, installed.version) && !versionMatches(pattern, installed.uri)) return undefined;
    return [
      `${key}: starting ${backend} ${installed.version} from ${installed.uri}`,
      `error: simulated start failure: ${backend} ${installed.version} matches fail-start "${pattern}"`,
      'exit status 1',
      '',
    ].join('\n');
  }

  launchSpec(backend: string): Promise<LaunchSpec | undefined> {
    const installed = this.state.get(backend);
    return Promise.resolve(
      installed === undefined ? undefined : { command: 'simulated', cwd: '', generation: installed.installedAt },
    );
  }

  identity(backend: string): Promise<string[]> {
    const alias = this.state.get(backend)?.alias;
    return Promise.resolve(alias === undefined ? [backend] : [backend, alias]);
  }

  /** The version and URI an install moves to. Only `file://` galleries are read: a simulation makes no network calls. */
  private async target(
    spec: InstallSpec,
    name: string,
    current: SimulatedInstall | undefined,
  ): Promise<{ version: string; uri: string; galleryUrl?: string }> {
    const base = current?.version ?? 'v0.0.0';
    if (spec.uri !== '') return { version: versionFromUri(spec.uri) ?? nextPatch(base), uri: spec.uri };
    const local = (spec.galleries ?? []).filter((g) => g.url.startsWith('file:'));
    if (local.length > 0) {
      try {
        const found = await resolveFromGalleries(local, name);
        const version = found.entry.version !== '' ? found.entry.version : nextPatch(base);
        return { version, uri: found.artifactUrl, galleryUrl: found.indexUrl };
      } catch (err) {
        if (!this.known.has(name)) throw err;
      }
    }
    if (!this.known.has(name)) throw new Error(`no backend found with name "${name}"`);
    const version = nextPatch(base);
    return { version, uri: simulatedUri(name, version) };
  }

  private failurePhase(version: string): { phase: InstallPhase; reason: string } | undefined {
    const roll = this.random();
    const pattern = this.node.failVersion;
    if (pattern !== undefined && versionMatches(pattern, version)) {
      return {
        phase: InstallPhase.Extracting,
        reason: `simulated failure: version ${version} matches --fail-version "${pattern}"`,
      };
    }
    if (roll < this.node.failRate)
      return { phase: InstallPhase.Downloading, reason: `simulated failure (fail rate ${this.node.failRate})` };
    return undefined;
  }

  private infoOf(name: string): BackendInfo | undefined {
    const installed = this.state.get(name);
    if (installed === undefined) return undefined;
    return {
      name,
      isSystem: false,
      isMeta: false,
      installedAt: installed.installedAt,
      ...(installed.galleryUrl !== undefined ? { galleryUrl: installed.galleryUrl } : {}),
      version: installed.version,
      uri: installed.uri,
      digest: installed.digest,
    };
  }
}

function digestOf(name: string, version: string): string {
  return `sha256:${createHash('sha256').update(`${name}@${version}`).digest('hex')}`;
}

function simulatedUri(name: string, version: string): string {
  return `oci://registry.sim/backends/${name}:${version}`;
}
