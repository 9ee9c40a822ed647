import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeTokenCollision,
  findTokenCollisions,
  orderNodes,
  selectTargets,
  tokenProblems,
  type InventoryNode,
  type TargetNode,
  type TargetSelection,
} from '../../src/domain/index.js';

const inventory: InventoryNode[] = [
  { id: 'gpu-3', name: 'charlie', labels: { zone: 'eu', tier: 'gpu' }, replicas: 2 },
  { id: 'gpu-1', name: 'alpha', labels: { zone: 'us', tier: 'gpu' } },
  { id: 'cpu-1', labels: { tier: 'cpu' } },
  { id: 'gpu-2', name: 'bravo', labels: { zone: 'eu', tier: 'gpu' }, replicas: 0 },
  { id: 'gpu-2', name: 'duplicate', labels: { zone: 'ap' } },
  { id: 'bare' },
];

const selectionCases: {
  name: string;
  input: TargetSelection;
  targets: string[];
  excluded?: string[];
}[] = [
  {
    name: 'no nodes and no selector: the whole inventory',
    input: { inventory },
    targets: ['gpu-2', 'gpu-3', 'gpu-1', 'bare', 'cpu-1'],
  },
  {
    name: 'selector matches every label',
    input: { inventory, selector: { tier: 'gpu', zone: 'eu' } },
    targets: ['gpu-2', 'gpu-3'],
  },
  { name: 'selector with no match', input: { inventory, selector: { tier: 'tpu' } }, targets: [] },
  {
    name: 'empty selector matches all',
    input: { inventory, nodes: [], selector: {} },
    targets: ['gpu-2', 'gpu-3', 'gpu-1', 'bare', 'cpu-1'],
  },
  { name: 'explicit nodes only', input: { inventory, nodes: ['cpu-1', 'gpu-1'] }, targets: ['gpu-1', 'cpu-1'] },
  {
    name: 'nodes union selector, duplicates removed',
    input: { inventory, nodes: ['gpu-3', 'cpu-1', 'cpu-1'], selector: { zone: 'eu' } },
    targets: ['gpu-2', 'gpu-3', 'cpu-1'],
  },
  {
    name: 'ids absent from the inventory are still targeted',
    input: { inventory, nodes: ['ghost', 'gpu-1'] },
    targets: ['gpu-1', 'ghost'],
  },
  { name: 'without an inventory the ids are the targets', input: { nodes: ['b', 'a', 'b'] }, targets: ['a', 'b'] },
  {
    name: 'exclude removes and reports candidates only',
    input: { inventory, selector: { tier: 'gpu' }, exclude: ['gpu-1', 'gpu-3', 'cpu-1', 'nowhere'] },
    targets: ['gpu-2'],
    excluded: ['gpu-3', 'gpu-1'],
  },
  {
    name: 'exclude wins over explicit nodes',
    input: { nodes: ['a', 'b'], exclude: ['a'] },
    targets: ['b'],
    excluded: ['a'],
  },
  { name: 'nothing at all', input: {}, targets: [] },
];

for (const c of selectionCases) {
  void test(`selectTargets: ${c.name}`, () => {
    const result = selectTargets(c.input);
    assert.deepEqual(
      result.targets.map((t) => t.id),
      c.targets,
    );
    assert.deepEqual(
      result.excluded,
      (c.excluded ?? []).map((id) => ({ id, reason: 'excluded' })),
    );
  });
}

const shapeCases: { name: string; input: TargetSelection; id: string; expected: TargetNode }[] = [
  {
    name: 'inventory facts are carried over',
    input: { inventory },
    id: 'gpu-3',
    expected: { id: 'gpu-3', name: 'charlie', zone: 'eu', labels: { zone: 'eu', tier: 'gpu' }, replicas: 2 },
  },
  {
    name: 'name defaults to id, zone to empty',
    input: { inventory },
    id: 'cpu-1',
    expected: { id: 'cpu-1', name: 'cpu-1', zone: '', labels: { tier: 'cpu' } },
  },
  {
    name: 'the first inventory entry of an id wins',
    input: { inventory },
    id: 'gpu-2',
    expected: { id: 'gpu-2', name: 'bravo', zone: 'eu', labels: { zone: 'eu', tier: 'gpu' }, replicas: 0 },
  },
  {
    name: 'unknown id has no labels',
    input: { inventory, nodes: ['ghost'] },
    id: 'ghost',
    expected: { id: 'ghost', name: 'ghost', zone: '', labels: {} },
  },
];

for (const c of shapeCases) {
  void test(`selectTargets: ${c.name}`, () => {
    const found = selectTargets(c.input).targets.find((t) => t.id === c.id);
    assert.deepEqual(found, c.expected);
  });
}

const node = (id: string, zone: string, name = id): TargetNode => ({ id, name, zone, labels: zone ? { zone } : {} });

const orderCases: { name: string; nodes: TargetNode[]; expected: string[] }[] = [
  {
    name: 'zone first, empty zone last',
    nodes: [node('a', ''), node('b', 'us'), node('c', 'eu')],
    expected: ['c', 'b', 'a'],
  },
  { name: 'then name', nodes: [node('1', 'eu', 'zulu'), node('2', 'eu', 'alpha')], expected: ['2', '1'] },
  {
    name: 'then id',
    nodes: [node('n-2', 'eu', 'same'), node('n-10', 'eu', 'same'), node('n-1', 'eu', 'same')],
    expected: ['n-1', 'n-10', 'n-2'],
  },
  {
    name: 'code units, not locale: uppercase before lowercase',
    nodes: [node('b', 'eu'), node('B', 'eu'), node('a', 'eu')],
    expected: ['B', 'a', 'b'],
  },
  {
    name: 'code units for accents',
    nodes: [node('é', 'eu'), node('f', 'eu'), node('e', 'eu')],
    expected: ['e', 'f', 'é'],
  },
  { name: 'empty input', nodes: [], expected: [] },
];

for (const c of orderCases) {
  void test(`orderNodes: ${c.name}`, () => {
    const input = [...c.nodes];
    assert.deepEqual(
      orderNodes(input).map((n) => n.id),
      c.expected,
    );
    assert.deepEqual(input, c.nodes, 'the input is not reordered');
  });
}

const sanitise = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, '_');

const collisionCases: { name: string; ids: string[]; expected: { token: string; ids: string[] }[] }[] = [
  { name: 'no collisions', ids: ['a', 'b', 'c'], expected: [] },
  {
    name: 'one group',
    ids: ['node.1', 'node 1', 'node-2', 'node_1'],
    expected: [{ token: 'node_1', ids: ['node.1', 'node 1', 'node_1'] }],
  },
  { name: 'a repeated id is not a collision', ids: ['a.b', 'a.b'], expected: [] },
  {
    name: 'groups in order of first appearance',
    ids: ['x*', 'a.b', 'x>', 'a b'],
    expected: [
      { token: 'x_', ids: ['x*', 'x>'] },
      { token: 'a_b', ids: ['a.b', 'a b'] },
    ],
  },
];

for (const c of collisionCases) {
  void test(`findTokenCollisions: ${c.name}`, () => {
    assert.deepEqual(findTokenCollisions(c.ids, sanitise), c.expected);
  });
}

void test('describeTokenCollision: one sentence naming both ids, the subject and the fix', () => {
  assert.equal(
    describeTokenCollision({ token: 'a-b', ids: ['a-b', 'a.b'] }),
    'node ids "a-b" and "a.b" collide: both address the subject nodes.a-b.…; rename or exclude all but one',
  );
});

void test('tokenProblems: ids that cannot be tokens first, each with the reason; else one sentence per collision', () => {
  const toToken = (id: string): string => {
    if (id === '') throw new Error('node id is empty');
    return sanitise(id);
  };
  assert.deepEqual(tokenProblems(['a', 'b'], toToken), []);
  assert.deepEqual(tokenProblems(['a.b', '', 'a b'], toToken), [
    'node id "" cannot be a NATS subject token: node id is empty',
  ]);
  assert.deepEqual(tokenProblems(['a.b', 'c', 'a b'], toToken), [
    describeTokenCollision({ token: 'a_b', ids: ['a.b', 'a b'] }),
  ]);
});
