/**
 * Every duration flag of every command, found in its `--help` by its placeholder (D, DURATION,
 * D|D-D, MS, …): either its paragraph of the help says what a bare number means, or the command
 * refuses a bare number with a message naming the flag and asking for a unit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from './cli-harness.js';

/** Arguments that get each command past its required flags to the duration flags' checks. */
const BASE_ARGS: Readonly<Record<string, readonly string[]>> = {
  start: ['--backend', 'x', '--nodes', 'a'],
  plan: ['--backend', 'x', '--nodes', 'a'],
  'schedule create': ['--backend', 'x', '--nodes', 'a', '--calendar', 'sat 02:00'],
  watch: ['x'],
  nodes: ['x'],
  agent: ['--node-id', 'n', '--simulate', '--backend', 'x@1'],
  fleet: ['--nodes', '1', '--backend', 'x@1', '--frontend-listen', '127.0.0.1:0'],
  'frontend-sim': ['--nodes', 'a', '--backend', 'x', '--frontend-listen', '127.0.0.1:0'],
};

/** Servers that refuse at once: a command that took a bare number would fail to connect, not hang. */
const ENV = {
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  NATS_URL: 'nats://127.0.0.1:1',
  XDG_CONFIG_HOME: mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-no-config-')),
};

const FLAG_LINE = /^\s+(?:-\w, )?(--[a-z][\w-]*)(?:[ =](\S+))?/;
const DURATION_PART = new Set(['D', 'DURATION', 'MS']);

interface DurationFlag {
  flag: string;
  placeholder: string;
  /** The help's paragraph (up to the next blank line) says what a bare number means. */
  documented: boolean;
}

/** The duration flags of a help text. */
function durationFlags(help: string): DurationFlag[] {
  const found: DurationFlag[] = [];
  for (const paragraph of help.split(/\n\s*\n/)) {
    const documented = /a bare number means/i.test(paragraph);
    for (const line of paragraph.split('\n')) {
      const match = FLAG_LINE.exec(line);
      const placeholder = match?.[2];
      if (match?.[1] === undefined || placeholder === undefined) continue;
      if (placeholder.split(/[|-]/).some((part) => DURATION_PART.has(part)))
        found.push({ flag: match[1], placeholder, documented });
    }
  }
  return found;
}

void test('the help parser finds duration placeholders and the paragraph that documents bare numbers', () => {
  const help = [
    'Flags:',
    '  --node-id ID        not a duration',
    '  --hang D            a duration',
    '  --install-time D|D-D  a range',
    '',
    'Policy:',
    '  --promote manual|DURATION   x',
    '  --upgrade-timeout D         y',
    'Durations: 500ms; a bare number means milliseconds.',
  ].join('\n');
  assert.deepEqual(durationFlags(help), [
    { flag: '--hang', placeholder: 'D', documented: false },
    { flag: '--install-time', placeholder: 'D|D-D', documented: false },
    { flag: '--promote', placeholder: 'manual|DURATION', documented: true },
    { flag: '--upgrade-timeout', placeholder: 'D', documented: true },
  ]);
});

void test('every duration flag takes a unit and refuses a bare number, or its help says what a bare number means', async () => {
  const commands = [...Object.keys(COMMANDS), 'schedule create'];
  let refused = 0;
  let documented = 0;
  for (const command of commands) {
    const words = command.split(' ');
    const help = await runCli([...words, '--help'], { env: ENV });
    assert.equal(help.code, 0, `${command} --help: ${help.stderr}`);
    for (const { flag, documented: says } of durationFlags(help.stdout)) {
      if (says) {
        documented += 1;
        continue;
      }
      const run = await runCli([...words, ...(BASE_ARGS[command] ?? []), flag, '30'], { env: ENV, timeoutMs: 20_000 });
      assert.equal(run.code, 2, `${command} ${flag} 30 is refused: ${run.stderr}`);
      assert.ok(
        run.stderr.includes(`${flag}: "30" has no unit; write it like 90s`),
        `${command} ${flag} 30 names the flag and asks for a unit: ${run.stderr}`,
      );
      refused += 1;
    }
  }
  assert.ok(refused >= 15, `bare numbers refused by ${refused} flags`);
  assert.ok(documented >= 8, `${documented} flags document bare numbers`);
});

void test('the old -ms spellings still parse, as milliseconds, with a one-line warning on stderr naming the new flag', async () => {
  const agent = BASE_ARGS['agent'] ?? [];
  const run = await runCli(
    ['agent', ...agent, '--hang-ms', '20000', '--install-ms', '500-3000', '--ready-timeout', '5'],
    {
      env: ENV,
    },
  );
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /warning: --hang-ms is deprecated and will be removed: write --hang 20s\n/);
  assert.match(run.stderr, /warning: --install-ms is deprecated and will be removed: write --install-time 500ms-3s\n/);
  assert.match(run.stderr, /--ready-timeout: "5" has no unit/);
  const both = await runCli(
    ['fleet', '--nodes', '1', '--backend', 'x@1', '--shutdown-grace', '1s', '--shutdown-grace-ms', '1000'],
    {
      env: ENV,
    },
  );
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /--shutdown-grace and --shutdown-grace-ms: give one of them, not both/);
});
