/**
 * `fleet-rollout plan`: the rollout flags of `start`, but a dry run: asks the targets over NATS
 * which have the backend and prints the waves, the replica and failure budgets and the nodes left
 * out and why. Upgrades nothing and needs no Temporal.
 */
import { planRollout, type RolloutPlan } from '../../client/index.js';
import { frontendPlan, type FrontendPlan } from '../../client/frontend-plan.js';
import { parseDuration } from '../../domain/duration.js';
import { connectNats } from '../../nats/index.js';
import { expectPositionals, parseCommandArgs } from '../args.js';
import { effectiveEnv } from '../connection-flags.js';
import { ExitCode, UsageError } from '../exit.js';
import { NATS_FLAG_OPTIONS, NATS_FLAGS_HELP, natsOptionsFromFlags } from '../nats-flags.js';
import { specWithFrontend } from '../frontend-spec.js';
import { LOCALAI_FLAG_OPTIONS, LOCALAI_FLAGS_HELP } from '../localai-flags.js';
import { formatTable } from '../render.js';
import { OUTPUT_FLAG_OPTIONS, OUTPUT_FLAGS_HELP, outputFrom, writeDocument } from '../output.js';
import { ROLLOUT_FLAG_OPTIONS, ROLLOUT_FLAGS_HELP } from '../spec-flags.js';

const OPTIONS = {
  ...ROLLOUT_FLAG_OPTIONS,
  ...NATS_FLAG_OPTIONS,
  ...LOCALAI_FLAG_OPTIONS,
  config: { type: 'string' },
  'list-timeout': { type: 'string' },
  ...OUTPUT_FLAG_OPTIONS,
} as const;

const HELP = `Usage: fleet-rollout plan --backend NAME (--nodes IDS | --inventory FILE | --localai-url URL) [-o text|json|jsonl|yaml] [flags]

Dry run of 'start' with the same flags: asks every target over NATS (backend.list, and
models.running for replicas the inventory does not give) and prints the waves in order, the
budgets, and the nodes left out and why. Upgrades nothing; needs NATS, not Temporal. With a
LocalAI frontend it also lists the frontend's nodes by status and labels, the drain order, and
the models LocalAI will not load again by itself (no min_replicas or spread_all).

Flags:
  --list-timeout D            backend.list timeout per node (default 30s)
${OUTPUT_FLAGS_HELP}  --config FILE               JSON or YAML with a nats section (see 'fleet-rollout start --help')
  -h, --help                  this help

${ROLLOUT_FLAGS_HELP}
${NATS_FLAGS_HELP}
${LOCALAI_FLAGS_HELP}
Examples:
  fleet-rollout plan --backend llama-cpp --inventory fleet.yaml --selector zone=eu --canary 1 --batches 25%
  fleet-rollout plan --backend vllm --nodes gpu-1,gpu-2,gpu-3 --json
  LOCALAI_API_KEY_FILE=admin.key fleet-rollout plan --backend llama-cpp --localai-url http://localai:8080 --selector zone=a
`;

/** Why a passive subscriber on `nodes.>` keeps legacy workers from their fallback (PROTOCOL.md). */
function legacyNote(ids: readonly string[]): string[] {
  return [
    `Legacy workers (no models.running): ${ids.join(', ')}.`,
    'They get the forced backend.install fallback only on "no responders" for backend.upgrade: a passive',
    'subscriber on nodes.> (a debugging `nats sub`) turns that into a timeout and they are never upgraded.',
    'Tap the bus with nats-server tracing instead.',
  ];
}

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
  const legacy = plan.waves.flatMap((w) => w.nodes.filter((n) => n.legacy === true).map((n) => n.id));
  if (legacy.length > 0) lines.push('', ...legacyNote(legacy));
  lines.push('', 'Nothing was upgraded.');
  return lines;
}

/** The frontend's part of the plan as text. */
export function frontendPlanText(frontend: FrontendPlan): string[] {
  const counts = new Map<string, number>();
  for (const n of frontend.nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  const labels = (l: Record<string, string>): string =>
    Object.entries(l)
      .filter(([k]) => !k.startsWith('node.'))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  const lines = [
    '',
    `LocalAI frontend ${frontend.url}: ${frontend.nodes.length} node${frontend.nodes.length === 1 ? '' : 's'} (${summary})`,
    ...formatTable(
      ['NODE', 'NAME', 'STATUS', 'LABELS'],
      frontend.nodes.map((n) => [n.id, n.name === n.id ? '' : n.name, n.status, labels(n.labels)]),
    ).map((l) => `  ${l}`),
    '',
    `Drain order (drain, upgrade, start check, resume): ${frontend.drainOrder.join(', ') || '(none)'}`,
  ];
  if (frontend.unrestored.length === 0) {
    lines.push('Every model on these nodes has min_replicas or spread_all: LocalAI loads it again after resume.');
  } else {
    lines.push('Models LocalAI will not load again by itself (no min_replicas or spread_all):');
    for (const m of frontend.unrestored)
      lines.push(`  ${m.model} on ${m.nodeIds.join(', ')}: loads there again only on its next request`);
  }
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
  const output = outputFrom(values);
  const env = effectiveEnv(values.config);
  const { spec, fleet } = await specWithFrontend(values, env);
  const listTimeoutMs = values['list-timeout'] === undefined ? undefined : parseDuration(values['list-timeout']);
  if (listTimeoutMs === 0 || (values['list-timeout'] !== undefined && listTimeoutMs === undefined)) {
    throw new UsageError(
      `--list-timeout: "${values['list-timeout'] ?? ''}" is not a positive duration; write it like 5s or 30s`,
    );
  }
  const natsOptions = natsOptionsFromFlags(values, env);
  const nc = await connectNats(natsOptions);
  try {
    const options = listTimeoutMs === undefined ? {} : { listTimeoutMs };
    const planned = await planRollout(nc, spec, options);
    const withFrontend = fleet === undefined ? undefined : frontendPlan(fleet, planned);
    const plan = withFrontend?.plan ?? planned;
    writeDocument(output, withFrontend === undefined ? plan : { ...plan, frontend: withFrontend.frontend }, () => {
      const lines = planText(plan);
      if (withFrontend !== undefined) lines.splice(lines.length - 2, 0, ...frontendPlanText(withFrontend.frontend));
      return lines;
    });
    return ExitCode.Ok;
  } finally {
    await nc.close();
  }
}
