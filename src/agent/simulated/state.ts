/**
 * The saved installs of simulated nodes (`fleet --state-dir`): what each node has installed
 * (`installed_at`, version, digest, uri), one JSON file per node, written synchronously (temp
 * file, then rename) before the operation that changed it replies. A fleet killed with SIGKILL
 * and started again on the same directory comes back with the same installs, so a finished
 * upgrade never reads as a verify mismatch after the restart. Processes are not saved: like a
 * restarted LocalAI worker, a restarted node knows no processes until asked to start them.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { nodeToken } from '../../protocol/index.js';

/** One installed backend of a simulated node. */
export const SimulatedInstallSchema = z.object({
  version: z.string(),
  installedAt: z.string(),
  digest: z.string(),
  uri: z.string(),
  galleryUrl: z.string().optional(),
  alias: z.string().optional(),
});
export type SimulatedInstall = z.output<typeof SimulatedInstallSchema>;

const SavedNodeSchema = z.object({
  format: z.literal(1),
  nodeId: z.string(),
  installs: z.record(z.string(), SimulatedInstallSchema),
});

/** What one simulated node saves: its installs by backend name. */
export type SavedInstalls = Record<string, SimulatedInstall>;

/** A directory of saved simulated nodes. */
export class SimulationStateDir {
  private constructor(readonly dir: string) {}

  /**
   * Opens (and creates) `dir`.
   * @throws Error naming the directory when it cannot be created.
   */
  static open(dir: string): SimulationStateDir {
    const absolute = path.resolve(dir);
    try {
      mkdirSync(absolute, { recursive: true });
    } catch (err) {
      throw new Error(`state directory ${absolute}: ${(err as Error).message}; pass a writable --state-dir`);
    }
    return new SimulationStateDir(absolute);
  }

  /**
   * The saved state of `nodeId`, or `undefined` when none was saved.
   * @throws Error naming the file when it is not a saved node.
   */
  load(nodeId: string): SavedInstalls | undefined {
    const file = this.fileOf(nodeId);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file} is not JSON (${(err as Error).message}); delete it to start that node afresh`);
    }
    const parsed = SavedNodeSchema.safeParse(json);
    if (!parsed.success || parsed.data.nodeId !== nodeId)
      throw new Error(
        `${file} is not the saved state of node "${nodeId}"${parsed.success ? '' : `: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`}; delete it to start that node afresh`,
      );
    return parsed.data.installs;
  }

  /** Saves `installs` atomically (a reader sees the old or the new file, never half of one). */
  save(nodeId: string, installs: SavedInstalls): void {
    const file = this.fileOf(nodeId);
    const temp = `${file}.tmp`;
    writeFileSync(temp, JSON.stringify({ format: 1, nodeId, installs }));
    renameSync(temp, file);
  }

  private fileOf(nodeId: string): string {
    return path.join(this.dir, `${encodeURIComponent(nodeToken(nodeId))}.json`);
  }
}
