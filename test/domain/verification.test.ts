import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Evidence,
  VerifyVerdict,
  findMisnamedInstall,
  installedRecordOf,
  judgeInstall,
  judgeUpgrade,
  type InstalledBuild,
  type VerifyExpectation,
} from '../../src/domain/index.js';

const OLD = `sha256:${'1'.repeat(64)}`;
const NEW = `sha256:${'2'.repeat(64)}`;
const T1 = '2026-12-01T10:00:00Z';
const T2 = '2026-12-03T10:00:00Z';

const cases: {
  name: string;
  before: InstalledBuild;
  now: InstalledBuild | undefined;
  expect?: VerifyExpectation;
  verdict: VerifyVerdict;
  by: Evidence;
}[] = [
  { name: 'gone', before: { installedAt: T1 }, now: undefined, verdict: VerifyVerdict.Missing, by: Evidence.None },
  {
    name: 'no target: new installed_at',
    before: { installedAt: T1 },
    now: { installedAt: T2 },
    verdict: VerifyVerdict.Applied,
    by: Evidence.InstalledAt,
  },
  {
    name: 'no target: unchanged',
    before: { installedAt: T1 },
    now: { installedAt: T1 },
    verdict: VerifyVerdict.Old,
    by: Evidence.InstalledAt,
  },
  {
    name: 'target digest reached',
    before: { installedAt: T1, digest: OLD },
    now: { installedAt: T2, digest: NEW },
    expect: { target: { digest: NEW } },
    verdict: VerifyVerdict.Applied,
    by: Evidence.Digest,
  },
  {
    name: 'installed_at changed alone is not enough when the digest is known',
    before: { installedAt: T1, digest: OLD },
    now: { installedAt: T2, digest: OLD },
    expect: { target: { digest: NEW } },
    verdict: VerifyVerdict.Mismatch,
    by: Evidence.Digest,
  },
  {
    name: 'target known, nothing changed yet',
    before: { installedAt: T1, digest: OLD },
    now: { installedAt: T1, digest: OLD },
    expect: { target: { digest: NEW } },
    verdict: VerifyVerdict.Old,
    by: Evidence.Digest,
  },
  {
    name: 'version decides over digest',
    before: { installedAt: T1, version: 'v1' },
    now: { installedAt: T2, version: 'v2', digest: OLD },
    expect: { target: { version: 'v2', digest: NEW } },
    verdict: VerifyVerdict.Applied,
    by: Evidence.Version,
  },
  {
    name: 'forced reinstall of an up-to-date node needs a new installed_at',
    before: { installedAt: T1, digest: NEW },
    now: { installedAt: T1, digest: NEW },
    expect: { target: { digest: NEW } },
    verdict: VerifyVerdict.Old,
    by: Evidence.Digest,
  },
  {
    name: 'forced reinstall landed',
    before: { installedAt: T1, digest: NEW },
    now: { installedAt: T2, digest: NEW },
    expect: { target: { digest: NEW } },
    verdict: VerifyVerdict.Applied,
    by: Evidence.Digest,
  },
  {
    name: 'explicit uri: the uri is the evidence',
    before: { installedAt: T1, uri: '/srv/b/v1' },
    now: { installedAt: T2, uri: '/srv/b/v2' },
    expect: { target: { uri: '/srv/b/v2' }, explicitUri: true },
    verdict: VerifyVerdict.Applied,
    by: Evidence.Uri,
  },
  {
    name: 'target uncomparable (node reports no digest): installed_at decides',
    before: { installedAt: T1 },
    now: { installedAt: T2 },
    expect: { target: { digest: NEW } },
    verdict: VerifyVerdict.Applied,
    by: Evidence.InstalledAt,
  },
];

for (const c of cases) {
  void test(`judgeUpgrade: ${c.name}`, () => {
    const got = judgeUpgrade(c.before, c.now, c.expect);
    assert.equal(got.verdict, c.verdict, got.detail);
    assert.equal(got.decidedBy, c.by, got.detail);
  });
}

void test('findMisnamedInstall finds a uri install listed under the folder name', () => {
  const listed = [
    { name: 'my-llama', uri: '/srv/builds/llama-v1' },
    { name: 'llama-v2', uri: '/srv/builds/llama-v2/' },
  ];
  assert.equal(findMisnamedInstall('/srv/builds/llama-v2', 'my-llama', listed), 'llama-v2');
  assert.equal(findMisnamedInstall('/srv/builds/llama-v3', 'my-llama', listed), undefined);
  assert.equal(findMisnamedInstall('/srv/builds/llama-v1', 'my-llama', listed), undefined);
});

void test('judgeInstall: the older targetVersion field names a version, or a digest when it starts with sha256:', () => {
  const before = { installedAt: T1, version: 'v1', digest: OLD };
  assert.equal(judgeInstall(before, { installedAt: T2, version: 'v2' }, 'v2').decidedBy, Evidence.Version);
  assert.equal(judgeInstall(before, { installedAt: T2, version: 'v3' }, 'v2').verdict, VerifyVerdict.Mismatch);
  const byDigest = judgeInstall(before, { installedAt: T2, digest: NEW }, NEW);
  assert.equal(byDigest.verdict, VerifyVerdict.Applied, byDigest.detail);
  assert.equal(byDigest.decidedBy, Evidence.Digest);
});

void test('judgeInstall: a resolved target wins over targetVersion, and an explicit uri is evidence', () => {
  const before = { installedAt: T1, uri: 'oci://r/a:1' };
  const got = judgeInstall(before, { installedAt: T2, uri: 'oci://r/a:2' }, 'v9', {
    target: { uri: 'oci://r/a:2' },
    uri: 'oci://r/a:2',
  });
  assert.equal(got.verdict, VerifyVerdict.Applied, got.detail);
  assert.equal(got.decidedBy, Evidence.Uri);
});

void test('installedRecordOf keeps only the fields the entry sent', () => {
  assert.deepEqual(installedRecordOf({ installedAt: T1, digest: undefined, version: 'v1' }), {
    installedAt: T1,
    version: 'v1',
  });
});
