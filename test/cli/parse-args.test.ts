/**
 * The shared flag parser names the offending flag for every kind of bad input, read from the
 * parser's tokens rather than its error text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandArgs } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/exit.js';

const OPTIONS = {
  name: { type: 'string' },
  flag: { type: 'boolean' },
  multi: { type: 'string', multiple: true },
} as const;

const cases: [string[], string][] = [
  [['--nope'], 'unknown flag --nope'],
  [['--nope=1'], 'unknown flag --nope'],
  [['-x'], 'unknown flag -x'],
  [['--name'], '--name needs a value'],
  [['--multi'], '--multi needs a value'],
  [['--name', '--flag'], '--name needs a value (write --name=VALUE for a value starting with -)'],
  [['--name', '-5'], '--name needs a value (write --name=VALUE for a value starting with -)'],
  [['--flag=yes'], '--flag takes no value'],
  [['--help=1'], '--help takes no value'],
];

for (const [args, reason] of cases) {
  void test(`parseCommandArgs ${args.join(' ')}: ${reason}`, () => {
    assert.throws(
      () => parseCommandArgs('cmd', args, OPTIONS),
      (err: unknown) =>
        err instanceof UsageError && err.message === `${reason}; run 'fleet-rollout cmd --help' for the flags`,
    );
  });
}

void test('parseCommandArgs: good input parses, a value starting with - goes after =', () => {
  const { values, positionals } = parseCommandArgs('cmd', ['--name=-5', 'pos', '--flag', '-h'], OPTIONS);
  assert.deepEqual({ ...values }, { name: '-5', flag: true, help: true });
  assert.deepEqual(positionals, ['pos']);
});
