/**
 * `--inventory FILE`: the known fleet as YAML or JSON, either a list of nodes or `{ nodes: [...] }`,
 * each `{ id, name?, labels?, replicas? }`, validated with zod.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InventoryNodeSchema, type InventoryNode } from '../domain/spec.js';
import { UsageError } from './exit.js';

/** The inventory file: a list of nodes, or an object whose `nodes` is that list. */
export const InventoryFileSchema = z.union([
  z.array(InventoryNodeSchema.strict()),
  z.object({ nodes: z.array(InventoryNodeSchema.strict()) }).strict(),
]);

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`),
    '',
  );
}

/** Validates parsed inventory data. @throws UsageError naming `--inventory`, the file and the field. */
export function parseInventory(file: string, data: unknown): InventoryNode[] {
  const parsed = InventoryFileSchema.safeParse(data);
  if (parsed.success) return Array.isArray(parsed.data) ? parsed.data : parsed.data.nodes;
  const form = 'a list of { id, name?, labels?, replicas? } (or { nodes: [...] })';
  const list = Array.isArray(data) ? data : (data as { nodes?: unknown } | null)?.nodes;
  const asList = z.array(InventoryNodeSchema.strict()).safeParse(list);
  const issue = asList.success ? parsed.error.issues[0] : asList.error.issues[0];
  if (issue === undefined || issue.path.length === 0 || issue.code === 'invalid_union') {
    throw new UsageError(`--inventory: ${file}: expected ${form}`);
  }
  const path = pathText([...(Array.isArray(data) ? [] : ['nodes']), ...issue.path]);
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  throw new UsageError(
    `--inventory: ${file}: ${path}: ${missing ? `required (expected a ${issue.expected})` : issue.message}`,
  );
}

/** Reads, parses (YAML, which includes JSON) and validates an inventory file. */
export function loadInventory(file: string): InventoryNode[] {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UsageError(`--inventory: cannot read ${file}: ${reason}`);
  }
  let data: unknown;
  try {
    data = parseYaml(raw);
  } catch (err) {
    throw new UsageError(
      `--inventory: ${file} is neither JSON nor YAML: ${(err as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  return parseInventory(file, data);
}
