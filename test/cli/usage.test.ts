/**
 * Every bad-input case, in process: the command's `run` rejects before anything is sent with an
 * error that maps to exit 2 and whose one-line message names the field. Every operator command
 * is registered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../src/cli/commands.js';
import { exitCodeFor } from '../../src/cli/exit.js';
import { BAD_INPUT_CASES } from './bad-input-cases.js';

for (const c of BAD_INPUT_CASES) {
  void test(`usage error naming the field: ${c.name}`, async () => {
    const [name = '', ...args] = c.args;
    const command = COMMANDS[name];
    assert.ok(command !== undefined, `command ${name}`);
    const module = await command.load();
    const err = await module.run(args).then(
      (code) => new Error(`resolved with ${code} instead of rejecting`),
      (e: unknown) => e,
    );
    const { code, message } = exitCodeFor(err);
    assert.equal(code, 2, `exit code for ${c.args.join(' ')}: ${message}`);
    assert.doesNotMatch(message, /\n/, 'one line');
    assert.match(message, c.field);
  });
}

void test('the operator commands are registered next to the other commands', () => {
  const names = Object.keys(COMMANDS);
  for (const name of [
    'start',
    'plan',
    'status',
    'watch',
    'pause',
    'resume',
    'abort',
    'promote',
    'skip',
    'retry',
    'list',
    'history',
    'schedule',
    'worker',
    'agent',
    'fleet',
  ]) {
    assert.ok(names.includes(name), name);
  }
});
