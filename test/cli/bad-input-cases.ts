/**
 * Bad command lines and what the one-line error must name. `cli: true` marks the cases the
 * acceptance criteria name, which also run through the built CLI as a child process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-cli-'));
const file = (name: string, content: string): string => {
  const full = path.join(dir, name);
  writeFileSync(full, content);
  return full;
};
const invalidInventory = file('invalid.yaml', 'nodes:\n  - id: gpu-1\n  - name: no-id\n');
const duplicateInventory = file('duplicate.json', JSON.stringify([{ id: 'gpu-1' }, { id: 'gpu-1' }]));
const collidingInventory = file('colliding.json', JSON.stringify([{ id: 'a.b' }, { id: 'a-b' }]));
const badConfig = file('config.yaml', 'temporal:\n  adress: x:1\n');

/** A temp directory for files the cases refer to. */
export const CASES_DIR = dir;

/** Points every command at a port nothing listens on, so a case that got past validation would exit 3, not 2. */
export const NOWHERE = ['--temporal-address', '127.0.0.1:1'];
const start = (...flags: string[]): string[] => ['start', '--backend', 'llama-cpp', ...flags, ...NOWHERE];
const schedule = (...flags: string[]): string[] => [
  'schedule',
  'create',
  '--backend',
  'llama-cpp',
  '--nodes',
  'a',
  ...flags,
  ...NOWHERE,
];

/** One bad command line. */
export interface BadInputCase {
  name: string;
  args: string[];
  /** What the single error line must match (the field and the expected form). */
  field: RegExp;
  cli?: boolean;
}

export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  {
    name: 'unknown flag',
    args: start('--nodes', 'a', '--max-paralel', '2'),
    field: /unknown flag --max-paralel; run 'fleet-rollout start --help'/,
    cli: true,
  },
  {
    name: 'bad duration',
    args: start('--nodes', 'a', '--upgrade-timeout', '5parsecs'),
    field: /--upgrade-timeout: "5parsecs" is not a duration; write it like 500ms, 30s/,
    cli: true,
  },
  {
    name: 'bad percentage',
    args: start('--nodes', 'a', '--max-unavailable', '150%'),
    field: /--max-unavailable: "150%" is neither a whole count .* nor a percentage/,
    cli: true,
  },
  {
    name: 'bad cron',
    args: schedule('--cron', '61 * * * *'),
    field: /--cron: "61 \* \* \* \*": minute field: 61 is outside 0-59/,
    cli: true,
  },
  {
    name: 'bad time zone',
    args: schedule('--cron', '0 3 * * *', '--timezone', 'Mars/Olympus'),
    field: /--timezone: unknown time zone "Mars\/Olympus"/,
    cli: true,
  },
  {
    name: 'missing inventory file',
    args: start('--inventory', path.join(dir, 'nope.yaml')),
    field: /--inventory: cannot read .*nope\.yaml: no such file/,
    cli: true,
  },
  {
    name: 'invalid inventory',
    args: start('--inventory', invalidInventory),
    field: /--inventory: .*invalid\.yaml: nodes\[1\]\.id: required \(expected a string\)/,
    cli: true,
  },
  {
    name: 'colliding node ids',
    args: start('--nodes', 'a.b,a-b'),
    field: /--nodes: node ids "a-b" and "a\.b" collide: both address the subject nodes\.a-b/,
    cli: true,
  },
  {
    name: 'duplicate inventory ids',
    args: start('--inventory', duplicateInventory),
    field: /--inventory: duplicate node id "gpu-1"/,
    cli: true,
  },
  { name: 'flag without its value', args: start('--nodes'), field: /--nodes needs a value/ },
  {
    name: 'negative failure budget',
    args: start('--nodes', 'a', '--max-failures=-1'),
    field: /--max-failures: "-1" is neither a whole count/,
  },
  { name: 'bad batch', args: start('--nodes', 'a', '--batches', '1,ten%'), field: /--batches: "ten%"/ },
  {
    name: 'bad on-failure',
    args: start('--nodes', 'a', '--on-failure', 'panic'),
    field: /--on-failure: "panic" is not one of halt, continue, revert/,
  },
  {
    name: 'bad max-parallel',
    args: start('--nodes', 'a', '--max-parallel', '0'),
    field: /--max-parallel: "0" is not a whole number from 1 to 10000/,
  },
  {
    name: 'promote without canary',
    args: start('--nodes', 'a', '--promote', '10m'),
    field: /--promote: only applies with --canary N/,
  },
  {
    name: 'bad promote',
    args: start('--nodes', 'a', '--canary', '1', '--promote', 'later'),
    field: /--promote: "later" is not a duration/,
  },
  {
    name: 'bad window time',
    args: start('--nodes', 'a', '--window', '25:00-04:00'),
    field: /--window: "25:00" is not a 24-hour time/,
  },
  {
    name: 'bad window day',
    args: start('--nodes', 'a', '--window', 'funday 02:00-04:00'),
    field: /--window: "funday" is not a day/,
  },
  {
    name: 'bad window time zone',
    args: start('--nodes', 'a', '--window', '02:00-04:00 Mars/Olympus'),
    field: /--window: unknown time zone "Mars\/Olympus"/,
  },
  {
    name: 'bad selector',
    args: start('--nodes', 'a', '--selector', 'zone'),
    field: /--selector: "zone" is not a label; expected key=value/,
  },
  {
    name: 'selector without inventory',
    args: start('--nodes', 'a', '--selector', 'zone=eu'),
    field: /--selector: a selector needs an inventory/,
  },
  {
    name: 'name without uri',
    args: start('--nodes', 'a', '--name', 'x'),
    field: /--name\/--alias \(with --uri\): name and alias only apply together with uri/,
  },
  {
    name: 'bad galleries',
    args: start('--nodes', 'a', '--galleries', '{}'),
    field: /--galleries: galleries must be a JSON array string/,
  },
  { name: 'cron with too few fields', args: schedule('--cron', '0 3 *'), field: /--cron: "0 3 \*": expected 5 fields/ },
  { name: 'cron step of zero', args: schedule('--cron', '*/0 * * * *'), field: /--cron: .*minute field: bad step/ },
  {
    name: 'schedule without times',
    args: schedule(),
    field: /--cron\/--calendar: a schedule needs a cron expression or a calendar spec/,
  },
  { name: 'bad calendar', args: schedule('--calendar', 'sat 2am'), field: /--calendar: "2am" is not a 24-hour time/ },
  {
    name: 'bad overlap',
    args: schedule('--cron', '@daily', '--overlap', 'queue'),
    field: /--overlap: "queue" is not one of skip, buffer-one/,
  },
  {
    name: 'colliding inventory ids',
    args: start('--inventory', collidingInventory),
    field: /--inventory: node ids "a-b" and "a\.b" collide/,
  },
  { name: 'missing backend', args: ['start', '--nodes', 'a', ...NOWHERE], field: /--backend: required/ },
  { name: 'no targets', args: start(), field: /--nodes: no targets/ },
  {
    name: 'surplus argument',
    args: start('--nodes', 'a', 'extra'),
    field: /unexpected argument "extra": 'fleet-rollout start' takes flags only/,
  },
  {
    name: 'missing positional',
    args: ['status', ...NOWHERE],
    field: /missing BACKEND: usage 'fleet-rollout status BACKEND'/,
  },
  {
    name: 'missing node',
    args: ['skip', 'llama-cpp', ...NOWHERE],
    field: /missing NODE: usage 'fleet-rollout skip BACKEND NODE'/,
  },
  {
    name: 'bad phase filter',
    args: ['list', '--phase', 'done', ...NOWHERE],
    field: /--phase: "done" is not one of discovering, running/,
  },
  {
    name: 'flag of another schedule subcommand',
    args: ['schedule', 'list', '--note', 'x', ...NOWHERE],
    field: /unknown flag --note for 'schedule list'/,
  },
  {
    name: 'bad temporal address',
    args: ['status', 'x', '--temporal-address', 'localhost'],
    field: /--temporal-address \(TEMPORAL_ADDRESS\): expected host:port/,
  },
  {
    name: 'missing config file',
    args: ['status', 'x', '--config', path.join(dir, 'none.yaml')],
    field: /--config: cannot read .*none\.yaml: no such file/,
  },
  {
    name: 'invalid config file',
    args: ['status', 'x', '--config', badConfig],
    field: /--config: .*config\.yaml: temporal: Unrecognized key: "adress"/,
  },
  {
    name: 'half a NATS TLS pair',
    args: ['plan', '--backend', 'x', '--nodes', 'a', '--nats-tls-cert', 'c.pem'],
    field: /--nats-tls-cert\/--nats-tls-key: /,
  },
];
