/** Shell completion: bash completes commands, flags and the values of -o and --color; zsh and fish scripts name them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { completionScript, completionWords } from '../../src/cli/commands/completion.js';
import { CLI_MAIN } from './cli-harness.js';

function bashComplete(words: string[]): string[] {
  const script = execFileSync(process.execPath, [CLI_MAIN, 'completion', 'bash'], { encoding: 'utf8' });
  const out = execFileSync(
    'bash',
    [
      '-c',
      `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _fleet_rollout; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter((l) => l !== '');
}

void test('bash completes command names, flags and flag values', () => {
  assert.deepEqual(bashComplete(['fleet-rollout', 'sta']).sort(), ['start', 'status']);
  assert.ok(bashComplete(['fleet-rollout', '']).includes('nodes'));
  assert.deepEqual(bashComplete(['fleet-rollout', 'status', 'x', '-o', 'js']).sort(), ['json', 'jsonl']);
  assert.deepEqual(bashComplete(['fleet-rollout', 'watch', 'x', '--color', 'n']), ['never']);
  assert.ok(bashComplete(['fleet-rollout', 'status', 'x', '--temporal-a']).includes('--temporal-address'));
});

void test('zsh and fish scripts name the commands and values; other shells are refused', () => {
  const words = completionWords();
  assert.ok(words.commands.includes('completion') && words.commands.includes('pause'));
  const zsh = completionScript('zsh');
  assert.match(zsh, /^#compdef fleet-rollout/);
  assert.match(zsh, /compadd -- text json jsonl yaml/);
  const fish = completionScript('fish');
  assert.match(fish, /-n __fish_use_subcommand -a '.*\bpause\b.*'/);
  assert.match(fish, /-s o -l output -x -a 'text json jsonl yaml'/);
  assert.throws(() => completionScript('tcsh'), /completion: "tcsh" is not one of bash, zsh, fish/);
});
