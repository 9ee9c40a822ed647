/**
 * Target selection: which nodes a rollout touches, and in which order.
 *
 * The order is the stable key the planner relies on (zone, then name, then id), so the same spec
 * and inventory always yield the same plan, whichever order the inventory file lists its nodes in.
 */
import type { InventoryNode } from './spec.js';

/** A node chosen for a rollout, with the inventory facts the planner and budgets need. */
export interface TargetNode {
  id: string;
  /** Display name; the id when the inventory gives none. */
  name: string;
  /** `labels.zone`, or `''` when the node has no zone label (such nodes are ordered last). */
  zone: string;
  labels: Readonly<Record<string, string>>;
  /** Model replicas the node serves with the backend; absent when the inventory does not say. */
  replicas?: number;
}

/** A candidate node removed from the targets, with why. */
export interface ExcludedNode {
  id: string;
  /** `'excluded'`: the id is listed in the spec's `exclude`. */
  reason: string;
}

/** What to select from; the fields mirror the spec's `nodes`, `selector`, `exclude` and `inventory`. */
export interface TargetSelection {
  /** Explicit node ids; looked up in the inventory when one is given, targeted even when absent from it. */
  nodes?: readonly string[] | undefined;
  /** Label equality selector over the inventory; a node must carry every label with the same value. */
  selector?: Readonly<Record<string, string>> | undefined;
  /** Ids never to touch. */
  exclude?: readonly string[] | undefined;
  /** The known fleet. */
  inventory?: readonly InventoryNode[] | undefined;
}

function toTarget(node: InventoryNode): TargetNode {
  const labels = { ...(node.labels ?? {}) };
  const target: TargetNode = { id: node.id, name: node.name ?? node.id, zone: labels['zone'] ?? '', labels };
  if (node.replicas !== undefined) target.replicas = node.replicas;
  return target;
}

function matchesSelector(node: InventoryNode, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([key, value]) => node.labels?.[key] === value);
}

/**
 * Resolves the targets of a rollout: `nodes` ∪ (inventory nodes matching every `selector` label)
 * minus `exclude`. With neither `nodes` nor `selector`, the whole inventory is the candidate set;
 * an empty selector (`{}`) matches every inventory node. Explicit ids missing from a given
 * inventory are still targeted, with no labels (the discovery step classifies them).
 *
 * Duplicates are removed (the first inventory entry of an id wins). `excluded` lists only
 * candidates that `exclude` removed, not every id in `exclude`. Both lists come out in
 * {@link orderNodes} order.
 */
export function selectTargets(input: TargetSelection): { targets: TargetNode[]; excluded: ExcludedNode[] } {
  const inventory = input.inventory ?? [];
  const byId = new Map<string, InventoryNode>();
  for (const node of inventory) {
    if (!byId.has(node.id)) byId.set(node.id, node);
  }

  const candidates = new Map<string, TargetNode>();
  for (const id of input.nodes ?? []) {
    if (!candidates.has(id)) candidates.set(id, toTarget(byId.get(id) ?? { id }));
  }
  const selector = input.selector ?? (input.nodes === undefined ? {} : undefined);
  if (selector !== undefined) {
    for (const node of byId.values()) {
      if (!candidates.has(node.id) && matchesSelector(node, selector)) candidates.set(node.id, toTarget(node));
    }
  }

  const exclude = new Set(input.exclude ?? []);
  const targets: TargetNode[] = [];
  const excluded: ExcludedNode[] = [];
  for (const node of orderNodes([...candidates.values()])) {
    if (exclude.has(node.id)) excluded.push({ id: node.id, reason: 'excluded' });
    else targets.push(node);
  }
  return { targets, excluded };
}

/** Plain code-unit comparison: the same on every host, unlike `localeCompare`. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Orders nodes by the planner's stable key: zone (nodes without a zone last), then name, then id,
 * each compared by UTF-16 code units rather than by locale, so every worker and client agrees.
 * Returns a new array; the input is not modified.
 */
export function orderNodes(nodes: readonly TargetNode[]): TargetNode[] {
  return [...nodes].sort((a, b) => {
    if ((a.zone === '') !== (b.zone === '')) return a.zone === '' ? 1 : -1;
    return compareText(a.zone, b.zone) || compareText(a.name, b.name) || compareText(a.id, b.id);
  });
}

/** The one sentence for a token collision, said the same by the client, `plan` and the workflow. */
export function describeTokenCollision(collision: { token: string; ids: readonly string[] }): string {
  return `node ids ${collision.ids.map((id) => JSON.stringify(id)).join(' and ')} collide: both address the subject nodes.${collision.token}.…; rename or exclude all but one`;
}

/**
 * Finds distinct node ids that map to the same NATS subject token, which would make two nodes
 * answer each other's requests; a plan with any collision must be refused. `toToken` is the
 * protocol's sanitiser. Groups come out in order of first appearance, ids in input order.
 */
export function findTokenCollisions(
  ids: readonly string[],
  toToken: (id: string) => string,
): { token: string; ids: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const id of new Set(ids)) {
    const token = toToken(id);
    const group = groups.get(token);
    if (group === undefined) groups.set(token, [id]);
    else group.push(id);
  }
  return [...groups].filter(([, group]) => group.length > 1).map(([token, group]) => ({ token, ids: group }));
}

/**
 * Everything wrong with `ids` as NATS subject tokens, one sentence each: ids that cannot be a
 * token (`toToken`, the protocol's `nodeToken`, throws and its message says why) and, when every
 * id can, ids that two nodes would share ({@link describeTokenCollision}). Empty when all is well.
 */
export function tokenProblems(ids: readonly string[], toToken: (id: string) => string): string[] {
  const invalid: string[] = [];
  for (const id of ids) {
    try {
      toToken(id);
    } catch (err) {
      invalid.push(`node id ${JSON.stringify(id)} cannot be a NATS subject token: ${(err as Error).message}`);
    }
  }
  if (invalid.length > 0) return invalid;
  return findTokenCollisions(ids, toToken).map(describeTokenCollision);
}
