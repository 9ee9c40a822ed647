/** Client-side checks of a rollout spec: schema problems with their fields, and target ids. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRolloutSpec, checkedRolloutSpec } from '../../src/client/spec-check.js';
import { formatSpecIssues, parseRolloutSpec } from '../../src/domain/spec.js';
import { InvalidSpecError } from '../../src/client/errors.js';

function problemsOf(input: Parameters<typeof checkRolloutSpec>[0]): { path: string; message: string }[] {
  try {
    checkRolloutSpec(input);
  } catch (err) {
    assert.ok(err instanceof InvalidSpecError);
    assert.doesNotMatch(err.message, /\n/);
    return [...err.problems];
  }
  return [];
}

void test('a valid spec comes back parsed with its targets in planning order', () => {
  const { spec, targets } = checkRolloutSpec({
    backend: 'llama-cpp',
    inventory: [
      { id: 'b', labels: { zone: 'us' } },
      { id: 'a', labels: { zone: 'eu' } },
    ],
    upgradeTimeout: '2m',
  });
  assert.equal(spec.upgradeTimeout, 120_000);
  assert.deepEqual(
    targets.map((t) => t.id),
    ['a', 'b'],
  );
});

void test('schema problems carry their field paths, without repeating the field', () => {
  assert.deepEqual(
    problemsOf({ backend: 'x', nodes: ['a'], maxUnavailable: '150%', window: { start: '2:00', end: '04:00' } }),
    [
      { path: 'maxUnavailable', message: '"150%" is neither a whole count (3) nor a percentage (25%)' },
      { path: 'window.start', message: 'expected a 24-hour time such as 02:00 or 22:30' },
    ],
  );
  assert.equal(problemsOf({ backend: 'x' })[0]?.path, 'nodes');
});

void test('ids that collide on one subject token, or cannot be one, are refused', () => {
  const [collision] = problemsOf({ backend: 'x', nodes: ['a.b', 'a-b', 'c'] });
  assert.equal(collision?.path, 'nodes');
  assert.match(collision?.message ?? '', /node ids "a-b" and "a\.b" collide: both address the subject nodes\.a-b/);
  assert.match(
    problemsOf({ backend: 'x', nodes: ['bad\u0001id'] })[0]?.message ?? '',
    /cannot be a NATS subject token/,
  );
});

void test('a selection that leaves no target is refused', () => {
  const [problem] = problemsOf({
    backend: 'x',
    inventory: [{ id: 'a', labels: { zone: 'eu' } }],
    selector: { zone: 'us' },
  });
  assert.match(problem?.message ?? '', /no targets left/);
});

void test('schema problems come out as data, each with its path, and format into one line', () => {
  const parsed = parseRolloutSpec({ backend: '', nodes: ['a'], x: 1 });
  assert.equal(parsed.ok, false);
  if (parsed.ok) return;
  assert.deepEqual(parsed.issues, [
    { path: 'backend', message: 'backend must name a backend, e.g. llama-cpp' },
    { path: '', message: 'Unrecognized key: "x"' },
  ]);
  assert.equal(
    formatSpecIssues(parsed.issues),
    'backend: backend must name a backend, e.g. llama-cpp; Unrecognized key: "x"',
  );
  assert.equal(parsed.message, `invalid rollout spec: ${formatSpecIssues(parsed.issues)}`);
});

void test('a checked spec is not checked again; a written one is', () => {
  const checked = checkRolloutSpec({ backend: 'x', nodes: ['a'] });
  assert.equal(checkedRolloutSpec(checked), checked);
  assert.deepEqual(checkedRolloutSpec({ backend: 'x', nodes: ['a'] }).spec, checked.spec);
  assert.throws(() => checkedRolloutSpec({ backend: 'x', nodes: ['a.b', 'a-b'] }), /collide/);
});
