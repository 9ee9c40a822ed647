/**
 * `fleet-rollout plan`: the rollout flags of `start`, but a dry run: asks the targets over NATS
 * which have the backend and prints the waves, the replica and failure budgets and the nodes left
 * out and why. Upgrades nothing and needs no Temporal.
 */
import { planRollout, type RolloutPlan } from '../../client/index.js';
import { parseDuration } from '../../domain/duration.js';
import { connectNats } from '../../nats/index.js';
import { expectPositionals, parseCommandArgs } from '../args.js';
import { effectiveEnv } from '../connection-flags.js';
import { ExitCode, UsageError } from '../exit.js';
import { NATS_FLAG_OPTIONS, NATS_FLAGS_HELP, natsOptionsFromFlags } from '../nats-flags.js';
import { formatTable } from '../render.js';
import { printJson, printLines } from '../session.js';
import { checkedSpecFromFlags, ROLLOUT_FLAG_OPTIONS, ROLLOUT_FLAGS_HELP } from '../spec-flags.js';

const OPTIONS = {
  ...ROLLOUT_FLAG_OPTIONS,
  ...NATS_FLAG_OPTIONS,
  config: { type: 'string' },
  'list-timeout': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: fleet-rollout plan --backend NAME (--nodes IDS | --inventory FILE) [flags]

Dry run of 'start' with the same flags: asks every target over NATS (backend.list, and
models.running for replicas the inventory does not give) and prints the waves in order, the
budgets, and the nodes left out and why. Upgrades nothing; needs NATS, not Temporal.

Flags:
  --list-timeout D            backend.list timeout per node (default 30s)
  --json                      print the plan as JSON
  --config FILE               JSON or YAML with a nats section (see 'fleet-rollout start --help')
  -h, --help                  this help

${ROLLOUT_FLAGS_HELP}
${NATS_FLAGS_HELP}
Examples:
  fleet-rollout plan --backend llama-cpp --inventory fleet.yaml --selector zone=eu --canary 1 --batches 25%
  fleet-rollout plan --backend vllm --nodes gpu-1,gpu-2,gpu-3 --json
`;

/** The plan as text. */
export function planText(plan: RolloutPlan): string[] {
  const nodes = plan.waves.reduce((sum, w) => sum + w.nodes.length, 0);
  const lines = [
    `Plan for ${plan.backend}: ${nodes} node${nodes === 1 ? '' : 's'} in ${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}`,
    `maxParallel ${plan.maxParallel} · replicas down at once ≤ ${plan.replicaBudget} of ${plan.totalReplicas} · failures tolerated ${plan.allowedFailures}`,
  ];
  if (plan.window !== undefined) {
    lines.push(
      plan.window.open
        ? 'maintenance window: open now'
        : `maintenance window: closed; opens ${new Date(plan.window.opensAt ?? 0).toISOString()}`,
    );
  }
  plan.waves.forEach((wave, index) => {
    lines.push('', `Wave ${index + 1} (${wave.kind}, ${wave.nodes.length} node${wave.nodes.length === 1 ? '' : 's'}):`);
    const rows = wave.nodes.map((n) => [
      n.id,
      n.name === n.id ? '' : n.name,
      n.zone,
      String(n.replicas),
      n.installed.version ?? n.installed.digest ?? n.installed.installedAt ?? '?',
    ]);
    lines.push(...formatTable(['NODE', 'NAME', 'ZONE', 'REPLICAS', 'INSTALLED'], rows).map((l) => `  ${l}`));
  });
  if (plan.skipped.length > 0) lines.push('', 'Left out:', ...plan.skipped.map((s) => `  ${s.id}: ${s.reason}`));
  lines.push('', 'Nothing was upgraded.');
  return lines;
}

/** Discovers and prints the plan. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('plan', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  expectPositionals('plan', positionals, []);
  const spec = checkedSpecFromFlags(values);
  const listTimeoutMs = values['list-timeout'] === undefined ? undefined : parseDuration(values['list-timeout']);
  if (listTimeoutMs === 0 || (values['list-timeout'] !== undefined && listTimeoutMs === undefined)) {
    throw new UsageError(
      `--list-timeout: "${values['list-timeout'] ?? ''}" is not a positive duration; write it like 5s or 30s`,
    );
  }
  const natsOptions = natsOptionsFromFlags(values, effectiveEnv(values.config));
  const nc = await connectNats(natsOptions);
  try {
    const plan = await planRollout(nc, spec, listTimeoutMs === undefined ? {} : { listTimeoutMs });
    if (values.json === true) printJson(plan);
    else printLines(planText(plan));
    return ExitCode.Ok;
  } finally {
    await nc.close();
  }
}
