/**
 * Bounds and shapes checked at the command line: a huge inventory is refused early and cheaply,
 * and `--galleries` of the wrong shape is refused naming the entry and the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkGalleriesFlag } from '../../src/cli/galleries-flag.js';
import { loadInventory, MAX_INVENTORY_NODES } from '../../src/cli/inventory-file.js';
import { runCli } from './cli-harness.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-bounds-'));
const nodes = (n: number): { id: string; labels: { zone: string } }[] =>
  Array.from({ length: n }, (_, i) => ({ id: `gpu-${i}`, labels: { zone: `z-${i % 3}` } }));

void test('a 100,000-node inventory is refused in well under a second or two, as JSON and as YAML', () => {
  const json = path.join(dir, 'huge.json');
  const yaml = path.join(dir, 'huge.yaml');
  const all = nodes(100_000);
  writeFileSync(json, JSON.stringify(all));
  writeFileSync(
    yaml,
    `nodes:\n${all.map((n) => `  - id: ${n.id}\n    labels: { zone: ${n.labels.zone} }\n`).join('')}`,
  );
  for (const [file, count] of [
    [json, '100,000'],
    [yaml, 'about 100,000'],
  ] as const) {
    const started = Date.now();
    assert.throws(
      () => loadInventory(file),
      new RegExp(`^UsageError: --inventory: .*huge\\.(json|yaml): ${count} nodes; at most 20,000 per inventory`),
    );
    // Before the bound this took 21 s (JSON) and 28 s (YAML).
    assert.ok(Date.now() - started < 3_000, `refused after ${Date.now() - started} ms`);
  }
});

void test('an inventory at the bound loads', () => {
  const file = path.join(dir, 'max.json');
  writeFileSync(file, JSON.stringify({ nodes: nodes(MAX_INVENTORY_NODES) }));
  assert.equal(loadInventory(file).length, MAX_INVENTORY_NODES);
});

void test('--galleries of the wrong shape is refused naming the entry and the field', () => {
  const good = '[{"url":"https://index.localai.io/backends","name":"localai","mirrors":["github:mudler/LocalAI"]}]';
  assert.equal(checkGalleriesFlag(good), good);
  const cases: [string, RegExp][] = [
    ['{"url":"x"}', /^--galleries: galleries must be a JSON array string such as \[/],
    ['not json', /^--galleries: galleries must be a JSON array string/],
    ['[{"name":"localai"}]', /^--galleries: \[0\]\.url: required; expected e\.g\. \[\{"url"/],
    ['[{"url":"https://a/i.yaml","name":"a"},{"url":"nope","name":"b"}]', /^--galleries: \[1\]\.url: expected a URL/],
    [
      '[{"uri":"https://a/i.yaml","name":"a","url":"https://a"}]',
      /^--galleries: \[0\]: unknown key uri; a gallery has url, name/,
    ],
    ['["https://a/i.yaml"]', /^--galleries: \[0\]: /],
    ['[{"url":5,"name":"a"}]', /^--galleries: \[0\]\.url: Invalid input: expected string, received number/],
    ['[{"url":"https://a","name":"a","mirrors":"m"}]', /^--galleries: \[0\]\.mirrors: Invalid input: expected array/],
    ['[{"url":"https://a","name":""}]', /^--galleries: \[0\]\.name: expected a non-empty gallery name/],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => checkGalleriesFlag(value),
      (err: unknown) => err instanceof Error && message.test(err.message),
      value,
    );
  }
});

void test('start refuses wrong --galleries before contacting anything (exit 2)', async () => {
  const result = await runCli([
    'start',
    '--backend',
    'llama-cpp',
    '--nodes',
    'a',
    '--galleries',
    '[{"url":"https://a/i.yaml"}]',
    '--temporal-address',
    '127.0.0.1:1',
  ]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /--galleries: \[0\]\.name: required/);
});
