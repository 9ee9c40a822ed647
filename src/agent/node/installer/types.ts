/**
 * What the protocol handlers need from an installer: the real one (tarballs on disk) and the
 * simulated one implement the same interface, so the handlers are shared.
 */
import type { BackendInfo } from '../../../protocol/index.js';
import type { ProgressSink } from '../progress-publisher.js';
import type { Gallery } from './gallery-types.js';

/** One install or reinstall, already decoded from a request. */
export interface InstallSpec {
  /** The gallery backend name (validated as a safe directory name by the installer). */
  backend: string;
  /** Galleries from the request, or `undefined` for the installer's own. */
  galleries: Gallery[] | undefined;
  /** Install from this URI instead of a gallery lookup; `''` for none. */
  uri: string;
  /** With `uri`: the installed directory name; `''` means `backend`. */
  name: string;
  /** With `uri`: alias recorded in the metadata; `''` for none. */
  alias: string;
  /** Reinstall even when the backend is installed (upgrade, legacy `force`). */
  force: boolean;
}

/** How to start a process of an installed backend. */
export interface LaunchSpec {
  /** Absolute path of the entry point (`run.sh`, or the one named in the metadata). */
  command: string;
  /** Working directory: the backend's directory. */
  cwd: string;
  /** Changes on every (re)install, so a process started from an older install is not reused. */
  generation: string;
}

/** An installer of backends on one node. Methods reject with readable `Error`s; they never exit the process. */
export interface Installer {
  /** Installed backends as `backend.list` reports them, sorted by name. */
  list(): Promise<BackendInfo[]>;
  /** Installs (or with `force`, reinstalls) and resolves to the installed backend's list entry. */
  install(spec: InstallSpec, progress: ProgressSink): Promise<BackendInfo>;
  /** Removes an installed backend; rejects when it is not installed. */
  remove(backend: string): Promise<void>;
  /** How to start `backend`, or `undefined` when it is not installed. */
  launchSpec(backend: string): Promise<LaunchSpec | undefined>;
  /** Names a process of `backend` may have been recorded under: the backend, its directory name and its alias. */
  identity(backend: string): Promise<string[]>;
}
