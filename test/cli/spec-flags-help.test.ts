/**
 * The rollout flags come from one table over the spec schema: every schema field has a flag or a
 * reason not to, the help of `start`, `plan` and `schedule create` and the README's policy table
 * print the schema's defaults, and spec problems are reported under the flag that sets the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HELP as PLAN_HELP } from '../../src/cli/commands/plan.js';
import { HELP as START_HELP } from '../../src/cli/commands/start.js';
import { HELP as SCHEDULE_CREATE_HELP } from '../../src/cli/schedule-create.js';
import {
  ROLLOUT_FLAG_OPTIONS,
  ROLLOUT_FLAGS_HELP,
  specFromFlags,
  usageFromSpecProblems,
  type RolloutFlagValues,
} from '../../src/cli/spec-flags.js';
import { checkRolloutSpec } from '../../src/client/spec-check.js';
import {
  FIELDS_WITHOUT_FLAG,
  SPEC_FLAGS,
  specFlags,
  type SpecFlag,
  type SpecFlagName,
} from '../../src/domain/spec-fields.js';
import { RolloutSpecSchema, type RolloutSpec, type RolloutSpecInput } from '../../src/domain/spec.js';

const HELPS = { start: START_HELP, plan: PLAN_HELP, 'schedule create': SCHEDULE_CREATE_HELP };
const BASE = { backend: 'x', nodes: ['a'] };

function isFlag(name: string): name is SpecFlagName {
  return Object.hasOwn(SPEC_FLAGS, name);
}

/** `(default X)` of each rollout flag in a help text, read from its line or the lines continuing it. */
function printedDefaults(help: string): Map<SpecFlagName, string> {
  const out = new Map<SpecFlagName, string>();
  let current: SpecFlagName | undefined;
  for (const line of help.split('\n')) {
    const flag = /^ {2}--([a-z-]+)/.exec(line)?.[1];
    if (flag !== undefined) current = isFlag(flag) ? flag : undefined;
    else if (!/^ {4,}\S/.test(line)) current = undefined;
    const printed = /\(default ([^)]+)\)/.exec(line)?.[1];
    if (current !== undefined && printed !== undefined) out.set(current, printed);
  }
  return out;
}

/** The value at the flag's field (or key inside it) of a parsed spec. */
function valueAt(spec: RolloutSpec, name: SpecFlagName): unknown {
  const flag = SPEC_FLAGS[name];
  const value: unknown = spec[flag.field];
  return 'sub' in flag ? (value as Record<string, unknown> | undefined)?.[flag.sub] : value;
}

/** The spec the schema makes of the smallest flags that let `name` apply. */
function withoutTheFlag(name: SpecFlagName): RolloutSpec {
  return RolloutSpecSchema.parse(name === 'promote' ? { ...BASE, canary: { nodes: 1 } } : BASE);
}

void test('every default printed in the help of start, plan and schedule create is the schema default', () => {
  for (const [command, help] of Object.entries(HELPS)) {
    const printed = printedDefaults(help);
    assert.ok(printed.size > 10, `${command}: only ${printed.size} defaults found`);
    for (const [name, text] of printed) {
      const flag: SpecFlag = SPEC_FLAGS[name];
      const expected = valueAt(withoutTheFlag(name), name);
      if (flag.clientDefault !== undefined) {
        assert.equal(expected, undefined, `${command} --${name}: the schema has a default, print it`);
        assert.equal(text, flag.clientDefault, `${command} --${name}`);
        continue;
      }
      // The printed default, given back as the flag's value, makes the spec that leaving the flag out makes.
      const values: RolloutFlagValues = { ...BASE, ...(name === 'promote' ? { canary: '1' } : {}), [name]: text };
      const given = checkRolloutSpec(specFromFlags(values)).spec;
      assert.deepEqual(valueAt(given, name), expected, `${command} --${name} prints (default ${text})`);
    }
  }
});

void test("the README's policy table gives the schema's defaults", () => {
  const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| policy '));
  const rows = [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| `(\w+)` +\| ([^|]+?) +\|/gm)];
  assert.ok(rows.length > 10, `only ${rows.length} policy rows found`);
  for (const [, field = '', written = ''] of rows) {
    const [name] = specFlags().find(([, flag]) => flag.field === field) ?? [];
    assert.ok(name !== undefined, `README policy ${field} has no flag`);
    const expected = valueAt(withoutTheFlag(name), name);
    if (expected === undefined) {
      assert.match(written, /^(none|one wave|always open)$/, `README: ${field} has no default in the schema`);
      continue;
    }
    const given = checkRolloutSpec(specFromFlags({ ...BASE, [name]: written.replaceAll('`', '') })).spec;
    assert.deepEqual(valueAt(given, name), expected, `README: ${field} defaults to ${written}`);
  }
});

void test('every field the schema defaults has its default printed in each help', () => {
  const defaulted = specFlags()
    .filter(([, flag]) => !Object.hasOwn(BASE, flag.field))
    .map(([name]) => name)
    .filter((name) => valueAt(withoutTheFlag(name), name) !== undefined);
  assert.ok(defaulted.includes('max-parallel') && defaulted.includes('promote') && defaulted.includes('drain-grace'));
  for (const [command, help] of Object.entries(HELPS)) {
    const printed = printedDefaults(help);
    for (const name of defaulted) assert.ok(printed.has(name), `${command} --${name}: no default printed`);
  }
});

void test('the three commands print the same rollout flags', () => {
  for (const [command, help] of Object.entries(HELPS)) assert.ok(help.includes(ROLLOUT_FLAGS_HELP), command);
});

void test('every spec field has a flag, or is listed with the reason it has none', () => {
  for (const field of Object.keys(RolloutSpecSchema.shape)) {
    const flags = specFlags().filter(([, flag]) => flag.field === field);
    const without = (FIELDS_WITHOUT_FLAG as Record<string, { reason: string } | undefined>)[field];
    assert.ok(flags.length > 0 || without !== undefined, `spec field ${field} has no flag and no reason`);
    assert.ok(flags.length === 0 || without === undefined, `spec field ${field} has a flag and is listed without`);
    if (without !== undefined) assert.ok(without.reason.length > 10, `${field}: say why it has no flag`);
  }
  for (const [name, flag] of specFlags()) {
    assert.ok(Object.hasOwn(RolloutSpecSchema.shape, flag.field), `--${name} sets ${flag.field}, not a spec field`);
    assert.ok(Object.hasOwn(ROLLOUT_FLAG_OPTIONS, name), `--${name} is not an option`);
    assert.match(ROLLOUT_FLAGS_HELP, new RegExp(`^ {2}--${name}\\b`, 'm'), `--${name} has no help line`);
  }
});

void test('spec problems are reported under the flag that sets the field', () => {
  const fromInventory: RolloutSpecInput = { backend: 'x', inventory: [{ id: 'a' }] };
  const cases: [path: string, spec: RolloutSpecInput, expected: string][] = [
    ['maxUnavailable', BASE, '--max-unavailable: m'],
    ['batches[1]', BASE, '--batches: m'],
    ['canary', BASE, '--canary: m'],
    ['canary.nodes', BASE, '--canary: m'],
    ['canary.promote', BASE, '--promote: m'],
    ['window.start', BASE, '--window: m'],
    ['name', BASE, '--name/--alias (with --uri): m'],
    ['requestedBy', BASE, '--requested-by: m'],
    ['nodes', BASE, '--nodes: m'],
    ['nodes', fromInventory, '--inventory: m'],
    ['inventory[0].id', fromInventory, '--inventory: m'],
    ['frontend.url', BASE, '--localai-url: m'],
    ['target', BASE, 'target: m'],
    ['', BASE, 'm'],
  ];
  for (const [path, spec, expected] of cases) {
    assert.equal(usageFromSpecProblems([{ path, message: 'm' }], spec).message, expected, path);
  }
  assert.equal(
    usageFromSpecProblems(
      [
        { path: 'selector', message: 'a' },
        { path: 'drainGrace', message: 'b' },
      ],
      BASE,
    ).message,
    '--selector: a; --drain-grace: b',
  );
});

void test('count bounds come from the schema', () => {
  const values: RolloutFlagValues[] = [
    { ...BASE, 'max-parallel': '10001' },
    { ...BASE, 'max-attempts': '11' },
    { ...BASE, canary: '0' },
  ];
  const messages = values.map((v) => {
    try {
      specFromFlags(v);
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  });
  assert.deepEqual(messages, [
    '--max-parallel: "10001" is not a whole number from 1 to 10000',
    '--max-attempts: "11" is not a whole number from 1 to 10',
    '--canary: "0" is not a whole number from 1 to 10000',
  ]);
});
