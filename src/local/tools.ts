/**
 * Finds the binaries the project runs against: the Temporal CLI, nats-server, an OCI registry and
 * `crane` (which pushes images to it).
 * Same order of preference as `scripts/setup.sh`: the environment variable, PATH, then `.tools/bin`.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The project root, from `dist/src/local` or `src/local`. */
export const PROJECT_ROOT = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..',
);

const TOOLS = {
  temporal: { env: 'TEMPORAL_CLI', binary: 'temporal' },
  natsServer: { env: 'NATS_SERVER', binary: 'nats-server' },
  ociRegistry: { env: 'OCI_REGISTRY', binary: 'registry' },
  crane: { env: 'CRANE', binary: 'crane' },
  promtool: { env: 'PROMTOOL', binary: 'promtool' },
} as const;
export type ToolName = keyof typeof TOOLS;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Raised when a server binary cannot be found; its message says how to provide it. */
export class ToolMissingError extends Error {
  override readonly name = 'ToolMissingError';
}

/** Absolute path of a server binary, or a {@link ToolMissingError} that says how to install it. */
export function locateTool(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const { env: envVar, binary } = TOOLS[tool];
  const named = env[envVar];
  if (named !== undefined && named !== '') {
    if (isExecutable(named)) return named;
    throw new ToolMissingError(`${envVar}=${named} is not an executable file; fix the path or unset ${envVar}`);
  }
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir !== '' && isExecutable(path.join(dir, binary))) return path.join(dir, binary);
  }
  const local = path.join(PROJECT_ROOT, '.tools', 'bin', binary);
  if (isExecutable(local)) return local;
  throw new ToolMissingError(
    `${binary} not found: run 'npm run setup' (needs Go >= 1.25), put ${binary} on PATH, or set ${envVar}=/path/to/${binary}`,
  );
}
