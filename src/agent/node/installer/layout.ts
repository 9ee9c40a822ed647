/**
 * The backends directory on disk. Installed backends are `<dir>/<name>/`; work in progress lives
 * under `<dir>/.fleet-rollout/` (staging, downloads, the backup of a swap), so nothing is written
 * outside `<dir>`. A swap renames the current directory to the backup and the staged one into
 * place; {@link BackendsLayout.recover} undoes a swap interrupted between its two renames.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../../log.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True when `name` can be a backend directory name (no separators, no `..`, no leading dot). */
export function isSafeBackendName(name: string): boolean {
  return SAFE_NAME.test(name) && !name.includes('..');
}

/** @throws Error naming the backend when it cannot be a directory name. */
export function assertSafeBackendName(name: string): void {
  if (!isSafeBackendName(name)) {
    throw new Error(`invalid backend name "${name}": use letters, digits, '.', '_' and '-' (no "/" or "..")`);
  }
}

/** Paths inside one backends directory. */
export class BackendsLayout {
  readonly work: string;
  readonly staging: string;
  readonly downloads: string;
  readonly backup: string;
  readonly trash: string;

  constructor(readonly root: string) {
    this.work = path.join(root, '.fleet-rollout');
    this.staging = path.join(this.work, 'staging');
    this.downloads = path.join(this.work, 'downloads');
    this.backup = path.join(this.work, 'backup');
    this.trash = path.join(this.work, 'trash');
  }

  /** The directory of an installed backend (the name must already be validated). */
  dirOf(name: string): string {
    return path.join(this.root, name);
  }

  /** A fresh, unique path under `parent` for `name`. */
  scratch(parent: string, name: string): string {
    return path.join(parent, `${name}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
  }

  /** Creates the directories and repairs what a crash left behind. */
  async recover(log: Logger): Promise<void> {
    for (const dir of [this.root, this.staging, this.downloads, this.backup, this.trash])
      await mkdir(dir, { recursive: true });
    for (const name of await readdir(this.backup)) {
      const current = this.dirOf(name);
      if (!(await exists(current)) && isSafeBackendName(name)) {
        await rename(path.join(this.backup, name), current);
        log.warn({ backend: name }, 'restored the previous version after an interrupted swap');
      } else {
        await rm(path.join(this.backup, name), { recursive: true, force: true });
      }
    }
    for (const dir of [this.staging, this.downloads, this.trash]) {
      for (const entry of await readdir(dir)) await rm(path.join(dir, entry), { recursive: true, force: true });
    }
  }

  /** Installed backend names (directories not starting with a dot), sorted. */
  async installedNames(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && isSafeBackendName(e.name))
      .map((e) => e.name)
      .sort();
  }

  /** Moves `staged` into place as backend `name`, atomically replacing any current version. */
  async swapIn(name: string, staged: string): Promise<void> {
    const current = this.dirOf(name);
    const backup = path.join(this.backup, name);
    await rm(backup, { recursive: true, force: true });
    const hadCurrent = await exists(current);
    if (hadCurrent) await rename(current, backup);
    try {
      await rename(staged, current);
    } catch (err) {
      if (hadCurrent) await rename(backup, current);
      throw new Error(`failed to move new backend into place: ${(err as Error).message}`);
    }
    if (hadCurrent) await rm(backup, { recursive: true, force: true });
  }

  /** Removes backend `name`: renamed away first, so it disappears from listings at once. */
  async remove(name: string): Promise<void> {
    const current = this.dirOf(name);
    if (!(await exists(current))) throw new Error(`backend "${name}" is not installed`);
    const doomed = this.scratch(this.trash, name);
    await rename(current, doomed);
    await rm(doomed, { recursive: true, force: true });
  }
}

/** True when `p` exists (without following a final symlink's target errors). */
export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
