/**
 * Pushes small backend images to a test registry with `crane`: the files (a `run.sh` by default)
 * as one tar layer on an empty OCI base, so tests exercise real manifests, configs and digests.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { create as createTar } from 'tar';
import { locateTool } from '../../src/local/tools.js';

const run = promisify(execFile);

export interface BackendImage {
  /** Files of the layer, path → content; `run.sh` is made executable. @default a `run.sh` that echoes `build` */
  files?: Record<string, string>;
  /** Text put into the default `run.sh`, so two pushes give two digests. @default 'v1' */
  build?: string;
}

/** Runs `crane` with `args`; the error carries crane's stderr. */
export async function crane(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(locateTool('crane'), [...args], { timeout: 60_000 });
    return stdout.trim();
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`crane ${args.join(' ')} failed: ${(err as Error).message}\n${stderr}`);
  }
}

/**
 * Builds the layer and pushes it as `ref` (`127.0.0.1:<port>/<repo>:<tag>`, plain HTTP on
 * loopback). Returns the manifest digest the registry now serves for the tag.
 */
export async function pushBackendImage(ref: string, image: BackendImage = {}): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-image-'));
  try {
    const root = path.join(dir, 'root');
    mkdirSync(root);
    const files = image.files ?? { 'run.sh': `#!/bin/sh\necho ${image.build ?? 'v1'}\n` };
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(root, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      if (path.basename(name) === 'run.sh') chmodSync(file, 0o755);
    }
    const layer = path.join(dir, 'layer.tar');
    // Fixed mtimes and owners: the same files give the same layer digest.
    await createTar({ file: layer, cwd: root, portable: true, mtime: new Date(0) }, Object.keys(files));
    await crane(['append', '--oci-empty-base', '--insecure', '-f', layer, '-t', ref]);
    return await crane(['digest', '--insecure', ref]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
