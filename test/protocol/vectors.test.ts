import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readVectors, vectorsPath } from '../vectors/run-vectors.js';
import { runVectors } from '../vectors/vectors.js';

interface VectorFile {
  [section: string]: unknown;
  encode: { name: string; wire: string }[];
}

const contents = readVectors(vectorsPath()) as VectorFile;

function countCases(file: Record<string, unknown>): number {
  return Object.entries(file)
    .filter(([section]) => section !== 'about')
    .reduce((sum, [, cases]) => sum + (Array.isArray(cases) ? cases.length : 0), 0);
}

void describe('shared wire vectors', () => {
  void test('every case of the real file passes', () => {
    const total = countCases(contents);
    assert.ok(total > 0, 'the vectors file has no cases');
    const report = runVectors(contents);
    assert.deepEqual(report.failed, []);
    assert.equal(report.passed, total);
  });

  void test('one changed byte of an expected encoding is exactly one failure', () => {
    const mutated = structuredClone(contents);
    const target = mutated.encode[0];
    assert.ok(target !== undefined);
    const at = target.wire.indexOf(':') + 2;
    const original = target.wire[at];
    target.wire = `${target.wire.slice(0, at)}${original === 'x' ? 'y' : 'x'}${target.wire.slice(at + 1)}`;

    const report = runVectors(mutated);
    assert.equal(report.failed.length, 1);
    assert.equal(report.failed[0]?.section, 'encode');
    assert.equal(report.failed[0]?.name, target.name);
    assert.equal(report.passed, countCases(contents) - 1);
  });

  void test('an unknown section is a failure', () => {
    const report = runVectors({ ...contents, handshakes: [{}] });
    assert.deepEqual(
      report.failed.map((f) => [f.section, f.name]),
      [['handshakes', '(section)']],
    );
  });

  void test('a malformed file is a single clear failure', () => {
    for (const bad of [null, [], { subjects: 'x' }]) {
      const report = runVectors(bad);
      assert.equal(report.passed, 0);
      assert.equal(report.failed.length, 1);
      assert.equal(report.failed[0]?.section, '(file)');
    }
  });

  void test('a malformed case is a failure, the other cases still run', () => {
    const report = runVectors({ processKeys: [{ key: 'a#1' }, { key: 'a#1', model: 'a', replica: 1 }] });
    assert.equal(report.passed, 1);
    assert.equal(report.failed.length, 1);
    assert.match(report.failed[0]?.detail ?? '', /malformed case/);
  });
});
