/**
 * `--inventory FILE`: the known fleet as YAML or JSON, either a list of nodes or `{ nodes: [...] }`,
 * each `{ id, name?, labels?, replicas? }`, validated with zod. Bounded: at most
 * {@link MAX_INVENTORY_NODES} nodes in at most {@link MAX_INVENTORY_BYTES}, refused before the
 * expensive steps (a YAML parse of 100,000 entries took 20 s and 600 MB).
 */
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InventoryNodeSchema, type InventoryNode } from '../domain/spec.js';
import { UsageError } from './exit.js';

/**
 * Most nodes one inventory may list: about twice what one rollout carries today (a selector may
 * pick a part of a larger inventory).
 */
export const MAX_INVENTORY_NODES = 20_000;

/** Largest inventory file read (20,000 nodes with a few labels each take about 2 MiB). */
export const MAX_INVENTORY_BYTES = 16 * 1024 * 1024;

const tooMany = (file: string, count: string): UsageError =>
  new UsageError(
    `--inventory: ${file}: ${count} nodes; at most ${MAX_INVENTORY_NODES.toLocaleString('en-US')} per inventory: split the fleet (e.g. by zone) into several rollouts`,
  );

/** The inventory file: a list of nodes, or an object whose `nodes` is that list. */
export const InventoryFileSchema = z.union([
  z.array(InventoryNodeSchema.strict()),
  z.object({ nodes: z.array(InventoryNodeSchema.strict()) }).strict(),
]);

/** The value at `path` inside `root`; `undefined` when a step is missing. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path)
    value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/** Validates parsed inventory data. @throws UsageError naming `--inventory`, the file and the field. */
export function parseInventory(file: string, data: unknown): InventoryNode[] {
  const entries = Array.isArray(data) ? data : (data as { nodes?: unknown } | null)?.nodes;
  if (Array.isArray(entries) && entries.length > MAX_INVENTORY_NODES)
    throw tooMany(file, entries.length.toLocaleString('en-US'));
  const parsed = InventoryFileSchema.safeParse(data);
  if (parsed.success) return Array.isArray(parsed.data) ? parsed.data : parsed.data.nodes;
  const form = 'a list of { id, name?, labels?, replicas? } (or { nodes: [...] })';
  const list = Array.isArray(data) ? data : (data as { nodes?: unknown } | null)?.nodes;
  const asList = z.array(InventoryNodeSchema.strict()).safeParse(list);
  const issue = asList.success ? parsed.error.issues[0] : asList.error.issues[0];
  if (issue === undefined || issue.path.length === 0 || issue.code === 'invalid_union') {
    throw new UsageError(`--inventory: ${file}: expected ${form}`);
  }
  const path = z.core.toDotPath([...(Array.isArray(data) ? [] : ['nodes']), ...issue.path]);
  const missing = issue.code === 'invalid_type' && valueAt(list, issue.path) === undefined;
  throw new UsageError(
    `--inventory: ${file}: ${path}: ${missing ? `required (expected a ${issue.expected})` : issue.message}`,
  );
}

/** Reads, parses (YAML, which includes JSON) and validates an inventory file. */
export function loadInventory(file: string): InventoryNode[] {
  let raw: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_INVENTORY_BYTES)
      throw new UsageError(
        `--inventory: ${file}: ${(size / 1048576).toFixed(1)} MiB; at most ${MAX_INVENTORY_BYTES / 1048576} MiB (${MAX_INVENTORY_NODES.toLocaleString('en-US')} nodes)`,
      );
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UsageError(`--inventory: cannot read ${file}: ${reason}`);
  }
  // Each node is one list item: a YAML file with more item lines than allowed is refused unparsed.
  const items = raw.match(/^[ \t]*- /gm)?.length ?? 0;
  if (items > MAX_INVENTORY_NODES && !/^\s*[[{]/.test(raw))
    throw tooMany(file, `about ${items.toLocaleString('en-US')}`);
  let data: unknown;
  try {
    data = parseJsonOrYaml(raw);
  } catch (err) {
    throw new UsageError(
      `--inventory: ${file} is neither JSON nor YAML: ${(err as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  return parseInventory(file, data);
}

/** JSON (fast) when the text is JSON, else YAML (which also reports JSON syntax errors). */
function parseJsonOrYaml(raw: string): unknown {
  if (/^\s*[[{]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch {
      // Flow-style YAML also starts with [ or {.
    }
  }
  return parseYaml(raw);
}
