import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildSubject,
  nodeToken,
  sanitizeToken,
  SubjectKind,
  subjects,
  SubjectTokenError,
  type SubjectTokenRefusal,
} from '../../src/protocol/index.js';

void describe('sanitizeToken', () => {
  const cases: [raw: string, token: string][] = [
    ['abc', 'abc'],
    ['a.b*c', 'a-b-c'],
    ['a>b', 'a-b'],
    ['a b\tc\nd', 'a-b-c-d'],
    ['..**>>', '------'],
    ['7d3c2a1e-5b4f-4c6d-9e8f-0a1b2c3d4e5f', '7d3c2a1e-5b4f-4c6d-9e8f-0a1b2c3d4e5f'],
    ['a\rb', 'a\rb'],
    ['nœud_é', 'nœud_é'],
    ['', ''],
  ];
  for (const [raw, token] of cases) {
    void test(`${JSON.stringify(raw)} → ${JSON.stringify(token)}`, () => {
      assert.equal(sanitizeToken(raw), token);
    });
  }
});

void describe('subject builders', () => {
  const cases: [kind: Exclude<SubjectKind, 'progress'>, subject: string][] = [
    ['upgrade', 'nodes.n-1.backend.upgrade'],
    ['install', 'nodes.n-1.backend.install'],
    ['list', 'nodes.n-1.backend.list'],
    ['stop', 'nodes.n-1.backend.stop'],
    ['delete', 'nodes.n-1.backend.delete'],
    ['modelsRunning', 'nodes.n-1.models.running'],
  ];
  for (const [kind, subject] of cases) {
    void test(`${kind} for node "n.1"`, () => {
      assert.equal(subjects[kind]('n.1'), subject);
      assert.equal(buildSubject(kind, 'n.1'), subject);
    });
  }

  void test('progress sanitises node and op and keeps six tokens', () => {
    const subject = subjects.progress('a.b c', 'x.y z');
    assert.equal(subject, 'nodes.a-b-c.backend.install.x-y-z.progress');
    assert.equal(subject.split('.').length, 6);
    assert.equal(buildSubject(SubjectKind.Progress, 'a.b c', 'x.y z'), subject);
  });

  void test('every kind has a builder', () => {
    assert.deepEqual(Object.keys(subjects).sort(), Object.values(SubjectKind).sort());
  });

  void test('an op for a kind other than progress is a programming error', () => {
    assert.throws(() => buildSubject('upgrade', 'n', 'op-1'), TypeError);
  });
});

void describe('refused tokens', () => {
  const cases: [label: string, build: () => string, reason: SubjectTokenRefusal, token: string, role: string][] = [
    ['empty node', () => subjects.upgrade(''), 'empty', '', 'node'],
    ['empty op', () => subjects.progress('n', ''), 'empty', '', 'op'],
    ['missing op', () => buildSubject('progress', 'n'), 'empty', '', 'op'],
    ['NUL', () => subjects.list('a\u0000b'), 'control-character', 'a\u0000b', 'node'],
    ['carriage return', () => subjects.install('a\rb'), 'control-character', 'a\rb', 'node'],
    ['U+001F', () => subjects.stop('\u001f'), 'control-character', '\u001f', 'node'],
    ['DEL', () => subjects.delete('a\u007f'), 'control-character', 'a\u007f', 'node'],
    ['control char in op', () => subjects.progress('n', 'op\u0007'), 'control-character', 'op\u0007', 'op'],
  ];
  for (const [label, build, reason, token, role] of cases) {
    void test(label, () => {
      assert.throws(build, (err: unknown) => {
        assert.ok(err instanceof SubjectTokenError);
        assert.ok(err instanceof Error);
        assert.equal(err.name, 'SubjectTokenError');
        assert.equal(err.reason, reason);
        assert.equal(err.token, token);
        assert.equal(err.role, role);
        assert.match(err.message, new RegExp(`^${role} id`));
        return true;
      });
    });
  }

  void test('tab and newline are sanitised, not refused', () => {
    assert.equal(subjects.upgrade('a\tb\nc'), 'nodes.a-b-c.backend.upgrade');
  });
});

void describe('nodeToken', () => {
  void test('is the sanitised node id', () => {
    assert.equal(nodeToken('a.b*c'), 'a-b-c');
  });

  void test('exposes collisions between distinct node ids', () => {
    assert.equal(nodeToken('gpu.1'), nodeToken('gpu*1'));
    assert.equal(nodeToken('gpu 1'), nodeToken('gpu-1'));
    assert.notEqual(nodeToken('gpu.1'), nodeToken('gpu.2'));
  });

  void test('refuses what the builders refuse', () => {
    assert.throws(() => nodeToken(''), SubjectTokenError);
    assert.throws(() => nodeToken('x\u0000'), SubjectTokenError);
  });
});
