/**
 * `npm run chaos -- --seeds N`: a fault campaign over the real stack, on loopback only. Seed k
 * (1 … N, or from --first-seed) picks 2–4 faults; each rollout's invariants are checked from the
 * wire. Prints a table per seed and a summary on stdout, progress on stderr; exits 1 when any
 * invariant broke, and then keeps the campaign directory (Temporal database, NATS trace, per
 * failing seed its logs and workflow history) and prints where it is.
 *
 *   npm run chaos -- --seeds 20 [--first-seed 1] [--nodes 6] [--dir DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runCampaign, type SeedResult } from './campaign.js';
import { describePlan } from './faults.js';

const USAGE = `Usage: npm run chaos -- --seeds N [--first-seed S] [--nodes N] [--dir DIR]
  --seeds N        how many seeds to run (required), e.g. 20
  --first-seed S   the first seed (default 1)
  --nodes N        nodes per rollout (default 6, 2 replicas each, maxUnavailable 4, maxParallel 2)
  --dir DIR        campaign directory (default a new one under the system temp directory)
`;

/** The per-seed table and the summary. */
export function formatResults(results: readonly SeedResult[]): string {
  const rows = results.map((r) => [
    String(r.seed),
    r.phase,
    `${r.succeeded}/${r.failed}`,
    String(r.upgradeRequests),
    `${(r.durationMs / 1000).toFixed(1)}s`,
    r.violations.length === 0 ? 'ok' : r.violations.map((v) => v.invariant).join(','),
    describePlan(r.plan),
  ]);
  const header = ['seed', 'phase', 'ok/failed', 'upgrades', 'time', 'invariants', 'faults'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const failing = results.filter((r) => r.violations.length > 0);
  const count = (invariant: string): number =>
    results.reduce((n, r) => n + r.violations.filter((v) => v.invariant === invariant).length, 0);
  const faults = results.reduce((n, r) => n + r.plan.faults.length, 0);
  const details = failing.flatMap((r) => [
    `seed ${r.seed}:${r.keptDir !== undefined ? ` kept in ${r.keptDir}` : ''}`,
    ...r.violations.map((v) => `  ${v.invariant}: ${v.detail}`),
  ]);
  return [
    line(header),
    ...rows.map(line),
    '',
    `${results.length - failing.length}/${results.length} seeds kept every invariant under ${faults} faults; ` +
      `collateral failures ${count('collateral-failure')}, unexplained re-sends ${count('unexplained-resend')}, ` +
      `budget violations ${count('replica-budget')}, nondeterminism ${count('nondeterminism')}, ` +
      `not terminal ${count('terminal')}, op-id ${count('op-id')}, old install ${count('new-install')}, node reason ${count('node-reason')}`,
    ...(details.length > 0 ? ['', ...details] : []),
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      'first-seed': { type: 'string' },
      nodes: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const whole = (flag: string, value: string | undefined, min: number, fallback?: number): number => {
    const parsed = z.coerce
      .number()
      .int()
      .min(min)
      .max(10_000)
      .safeParse(value ?? fallback);
    if (!parsed.success)
      throw new Error(`--${flag} ${value ?? '(missing)'}: expected a whole number ≥ ${min}\n${USAGE}`);
    return parsed.data;
  };
  const seeds = whole('seeds', values.seeds, 1);
  const first = whole('first-seed', values['first-seed'], 0, 1);
  const nodes = whole('nodes', values.nodes, 1, 6);
  const dir = values.dir ?? mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-chaos-'));
  const say = (line: string): void => void process.stderr.write(`chaos: ${line}\n`);
  say(`campaign directory ${dir}`);
  const results = await runCampaign({
    seeds: Array.from({ length: seeds }, (_, i) => first + i),
    nodes,
    dir,
    say,
  });
  process.stdout.write(`${formatResults(results)}\n`);
  if (results.every((r) => r.violations.length === 0)) {
    if (values.dir === undefined) rmSync(dir, { recursive: true, force: true });
    return 0;
  }
  process.stdout.write(`\ncampaign directory kept: ${dir} (temporal.db, nats-trace.log, seed-*/)\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
