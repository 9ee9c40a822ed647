import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Evidence,
  TargetSource,
  compareBuild,
  compareNodes,
  summariseDrift,
  type Build,
  type InstalledBuild,
  type UpgradeTarget,
} from '../../src/domain/index.js';

const OLD = `sha256:${'1'.repeat(64)}`;
const NEW = `sha256:${'2'.repeat(64)}`;

const cases: {
  name: string;
  installed: InstalledBuild;
  target: Build;
  explicit?: boolean;
  matches: boolean;
  by: Evidence;
}[] = [
  {
    name: 'same version',
    installed: { version: 'v2', digest: OLD },
    target: { version: 'v2', digest: NEW },
    matches: true,
    by: Evidence.Version,
  },
  {
    name: 'other version wins over equal digest',
    installed: { version: 'v1', digest: NEW },
    target: { version: 'v2', digest: NEW },
    matches: false,
    by: Evidence.Version,
  },
  {
    name: 'no version on the node: digest decides',
    installed: { digest: NEW },
    target: { version: 'v2', digest: NEW },
    matches: true,
    by: Evidence.Digest,
  },
  {
    name: 'digest differs',
    installed: { digest: OLD, uri: 'q/x:latest' },
    target: { digest: NEW, uri: 'q/x:latest' },
    matches: false,
    by: Evidence.Digest,
  },
  {
    name: 'gallery tag alone decides nothing',
    installed: { uri: 'q/x:latest' },
    target: { uri: 'q/x:latest' },
    matches: false,
    by: Evidence.None,
  },
  {
    name: 'explicit uri: same uri (oci:// ignored)',
    installed: { uri: 'q/x:v2' },
    target: { uri: 'oci://q/x:v2', version: 'v2' },
    explicit: true,
    matches: true,
    by: Evidence.Uri,
  },
  {
    name: 'explicit uri: other uri',
    installed: { uri: 'q/x:v1' },
    target: { uri: 'q/x:v2' },
    explicit: true,
    matches: false,
    by: Evidence.Uri,
  },
  {
    name: 'nothing comparable',
    installed: { installedAt: '2026-01-01T00:00:00Z' },
    target: { digest: NEW },
    matches: false,
    by: Evidence.None,
  },
];

for (const c of cases) {
  void test(`compareBuild: ${c.name}`, () => {
    const got = compareBuild(c.installed, c.target, c.explicit ?? false);
    assert.equal(got.matches, c.matches, got.detail);
    assert.equal(got.decidedBy, c.by);
  });
}

const galleryTarget: UpgradeTarget = {
  source: TargetSource.Gallery,
  entry: 'cpu-llama-cpp',
  uri: 'q/x:latest',
  digest: NEW,
};

void test('compareNodes: up-to-date nodes are left alone unless forced', () => {
  const nodes = [
    { id: 'a', installed: { digest: NEW } },
    { id: 'b', installed: { digest: OLD } },
  ];
  assert.deepEqual(
    compareNodes(nodes, galleryTarget, false).map((n) => [n.id, n.upgrade]),
    [
      ['a', false],
      ['b', true],
    ],
  );
  assert.deepEqual(
    compareNodes(nodes, galleryTarget, true).map((n) => [n.id, n.upgrade, n.matches]),
    [
      ['a', true, true],
      ['b', true, false],
    ],
  );
});

void test('compareNodes: a meta target compares each node with its concrete backend', () => {
  const meta: UpgradeTarget = {
    source: TargetSource.Gallery,
    entry: 'llama-cpp',
    concretes: { 'cpu-llama-cpp': { digest: NEW }, 'cuda12-llama-cpp': { digest: OLD } },
  };
  const got = compareNodes(
    [
      { id: 'cpu', installed: { digest: NEW }, concrete: 'cpu-llama-cpp' },
      { id: 'gpu', installed: { digest: NEW }, concrete: 'cuda12-llama-cpp' },
      { id: 'odd', installed: { digest: NEW } },
    ],
    meta,
    false,
  );
  assert.deepEqual(
    got.map((n) => [n.id, n.upgrade]),
    [
      ['cpu', false],
      ['gpu', true],
      ['odd', true],
    ],
  );
  assert.match(got[2]?.detail ?? '', /no concrete backend of llama-cpp/);
});

void test('summariseDrift names the nodes that disagree with the majority', () => {
  const drift = summariseDrift([
    { id: 'a', installed: { digest: OLD } },
    { id: 'b', installed: { digest: OLD } },
    { id: 'c', installed: { digest: NEW } },
    { id: 'd', installed: { version: 'v9', digest: OLD } },
  ]);
  assert.equal(drift.majority, 'digest sha256:111111111111');
  assert.equal(drift.majorityCount, 2);
  assert.deepEqual(
    drift.drifted.map((d) => d.id),
    ['c', 'd'],
  );
  assert.deepEqual(summariseDrift([]), { majorityCount: 0, drifted: [] });
});
