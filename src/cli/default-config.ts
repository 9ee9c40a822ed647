/**
 * The config file read when `--config` is not given: `$XDG_CONFIG_HOME/fleet-rollout/config.yaml`,
 * or `~/.config/fleet-rollout/config.yaml` when XDG_CONFIG_HOME is unset, and only when it exists.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** Where the default config file lives for `env` (whether or not it exists). */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg !== undefined && xdg !== '' ? xdg : path.join(env['HOME'] ?? homedir(), '.config');
  return path.join(base, 'fleet-rollout', 'config.yaml');
}

/** The default config file when it exists, else undefined. */
export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = defaultConfigPath(env);
  return existsSync(file) ? file : undefined;
}
