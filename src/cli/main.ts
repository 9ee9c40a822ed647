#!/usr/bin/env node
/**
 * `fleet-rollout <command> …`: dispatches to one module per command. Exit codes: 0 success;
 * 1 the rollout failed, halted or was aborted; 2 bad usage or input; 3 Temporal or NATS unreachable.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../local/tools.js';
import { COMMANDS, printUsage } from './commands.js';
import { ExitCode, UsageError, exitCodeFor } from './exit.js';

function packageVersion(): string {
  const parsed: unknown = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  const version = (parsed as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    printUsage(process.stdout);
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === '--version') {
    console.log(packageVersion());
    return ExitCode.Ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) throw new UsageError(`unknown command "${name}"; run 'fleet-rollout --help' for the list`);
  const module = await command.load();
  return await module.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { code, message } = exitCodeFor(err);
    console.error(`fleet-rollout: ${message}`);
    process.exitCode = code;
  },
);
