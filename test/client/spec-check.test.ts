/** Client-side checks of a rollout spec: schema problems with their fields, and target ids. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRolloutSpec, formatProblems, specProblems } from '../../src/client/spec-check.js';
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

void test('specProblems and formatProblems round-trip a prettified zod message into one line', () => {
  const problems = specProblems(
    'invalid rollout spec: ✖ backend must name a backend\n  → at backend\n✖ Unrecognized key: "x"',
  );
  assert.deepEqual(problems, [
    { path: 'backend', message: 'backend must name a backend' },
    { path: '', message: 'Unrecognized key: "x"' },
  ]);
  assert.equal(formatProblems(problems), 'backend: backend must name a backend; Unrecognized key: "x"');
});
