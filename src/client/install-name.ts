/**
 * How an install is named wherever it is shown (status, watch, history, JSON): the version a node
 * reports, else its digest, else the uri it was installed from, else when it was installed.
 */
import { NodeState } from '../domain/node-state.js';
import type { InstalledRecord } from '../domain/verification.js';

/** The name of an install, or undefined when the record says nothing. */
export function installName(record: InstalledRecord | undefined): string | undefined {
  if (record === undefined) return undefined;
  for (const value of [record.version, record.digest, record.uri])
    if (value !== undefined && value !== '') return value;
  return record.installedAt === undefined || record.installedAt === '' ? undefined : `installed ${record.installedAt}`;
}

/** One change of install shared by some nodes of a run: `from → to` and how many. */
export interface InstallChange {
  from: string | null;
  to: string | null;
  nodes: number;
}

/** The distinct before → after changes of the nodes that succeeded, most common first. */
export function installChanges(
  nodes: readonly { state: string; before?: InstalledRecord; after?: InstalledRecord }[],
): InstallChange[] {
  const changes = new Map<string, InstallChange>();
  for (const n of nodes) {
    if (n.state !== NodeState.Succeeded) continue;
    const from = installName(n.before) ?? null;
    const to = installName(n.after) ?? null;
    const key = JSON.stringify([from, to]);
    const change = changes.get(key) ?? { from, to, nodes: 0 };
    change.nodes += 1;
    changes.set(key, change);
  }
  return [...changes.values()].sort((a, b) => b.nodes - a.nodes);
}
