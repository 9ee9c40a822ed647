/**
 * `fleet-rollout plan`: the rollout flags of `start`, but a dry run: asks the targets over NATS
 * which have the backend and prints the waves (each node's install → target), the nodes already up
 * to date, the drift, the replica and failure budgets and the nodes left out and why. Upgrades
 * nothing and needs no Temporal.
 */
import { InvalidSpecError, planRollout, type PlannedNode, type RolloutPlan } from '../../client/index.js';
import { frontendPlan, type FrontendPlan } from '../../client/frontend-plan.js';
import { describeTarget, type Drift } from '../../domain/upgrade-target.js';
import { connectNats } from '../../nats/index.js';
import { durationFlagValue, expectPositionals, parseCommandArgs } from '../args.js';
import { effectiveEnv } from '../connection-flags.js';
import { ExitCode, UsageError } from '../exit.js';
import { NATS_FLAG_OPTIONS, NATS_FLAGS_HELP, natsOptionsFromFlags } from '../nats-flags.js';
import { specWithFrontend } from '../frontend-spec.js';
import { LOCALAI_FLAG_OPTIONS, LOCALAI_FLAGS_HELP } from '../localai-flags.js';
import { formatTable } from '../render.js';
import { OUTPUT_FLAG_OPTIONS, OUTPUT_FLAGS_HELP, outputFrom, writeDocument } from '../output.js';
import { installText, shortName } from '../status-text.js';
import { ROLLOUT_FLAG_OPTIONS, ROLLOUT_FLAGS_HELP } from '../spec-flags.js';

const OPTIONS = {
  ...ROLLOUT_FLAG_OPTIONS,
  ...NATS_FLAG_OPTIONS,
  ...LOCALAI_FLAG_OPTIONS,
  config: { type: 'string' },
  'list-timeout': { type: 'string' },
  ...OUTPUT_FLAG_OPTIONS,
} as const;

/** The help of `plan`. */
export const HELP = `Usage: fleet-rollout plan --backend NAME (--nodes IDS | --inventory FILE | --localai-url URL) [-o text|json|jsonl|yaml] [flags]

Dry run of 'start' with the same flags: resolves the target as the rollout would (gallery
index and registry, or --uri/--target-version/--target-digest), asks every target over NATS
(backend.list, and models.running for replicas the inventory does not give) and prints the waves
in order with each node's install → target, the nodes already up to date, the drift (nodes that
disagree with the majority), the budgets, and the nodes left out and why. Upgrades nothing;
needs NATS (and the registry the gallery names), not Temporal. With a LocalAI frontend it also
lists the frontend's nodes by status and labels, the drain order, and the models LocalAI will not
load again by itself (no min_replicas or spread_all).

Flags:
  --list-timeout D            backend.list timeout per node, with a unit (default 30s)
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

/** `v1.0.0 → v1.0.1`, `sha256:0123456789ab → up to date`; only the install when no target is known. */
function installCell(node: PlannedNode): string {
  const installed = installText(node.installed) ?? '?';
  const c = node.comparison;
  if (c === undefined) return installed;
  if (!c.upgrade) return `${installed} → up to date`;
  const target = shortName(c.target?.version ?? c.target?.digest ?? c.target?.uri ?? '?');
  return `${installed} → ${target}${c.matches ? ' (forced)' : ''}`;
}

/** `Drift: 4 of 6 nodes run digest sha256:…; 2 disagree: a (digest sha256:…), b (version v1)`. */
function driftLine(drift: Drift, nodes: number): string | undefined {
  if (drift.majority === undefined) return undefined;
  if (drift.drifted.length === 0)
    return `Drift: none, all ${nodes} node${nodes === 1 ? '' : 's'} run ${drift.majority}`;
  const who = drift.drifted.map((d) => `${d.id} (${d.build})`).join(', ');
  return `Drift: ${drift.majorityCount} of ${nodes} nodes run ${drift.majority}; ${drift.drifted.length} disagree: ${who}`;
}

/** The plan as text. */
export function planText(plan: RolloutPlan): string[] {
  const nodes = plan.waves.reduce((sum, w) => sum + w.nodes.length, 0);
  const upToDate = plan.upToDate.length === 0 ? '' : `, ${plan.upToDate.length} up to date`;
  const lines = [
    `Plan for ${plan.backend}: ${nodes} node${nodes === 1 ? '' : 's'} in ${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}${upToDate}`,
  ];
  if (plan.target !== undefined) lines.push(`target: ${describeTarget(plan.target)}`);
  const drift = driftLine(plan.drift, nodes + plan.upToDate.length);
  if (drift !== undefined) lines.push(drift);
  lines.push(
    `maxParallel ${plan.maxParallel} · replicas down at once ≤ ${plan.replicaBudget} of ${plan.totalReplicas} · failures tolerated ${plan.allowedFailures}`,
  );
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
      n.replicasUnknown === true ? '?' : String(n.replicas),
      installCell(n),
    ]);
    const installed = plan.target === undefined ? 'INSTALLED' : 'INSTALLED → TARGET';
    lines.push(...formatTable(['NODE', 'NAME', 'ZONE', 'REPLICAS', installed], rows).map((l) => `  ${l}`));
  });
  if (plan.upToDate.length > 0) {
    lines.push('', `Up to date (no request; --force reinstalls them):`);
    const rows = plan.upToDate.map((n) => [n.id, n.name === n.id ? '' : n.name, n.zone, installCell(n)]);
    lines.push(...formatTable(['NODE', 'NAME', 'ZONE', 'INSTALLED → TARGET'], rows).map((l) => `  ${l}`));
    if (nodes === 0) lines.push('', `Nothing to do: all ${plan.upToDate.length} nodes already run the target.`);
  }
  if (plan.skipped.length > 0) lines.push('', 'Left out:', ...plan.skipped.map((s) => `  ${s.id}: ${s.reason}`));
  const legacy = plan.waves.flatMap((w) => w.nodes.filter((n) => n.legacy === true).map((n) => n.id));
  if (legacy.length > 0) lines.push('', ...legacyNote(legacy));
  const unknown = plan.waves.flatMap((w) => w.nodes.filter((n) => n.replicasUnknown === true).map((n) => n.id));
  if (unknown.length > 0)
    lines.push(
      '',
      `Replica count unknown (no models.running, no inventory replicas): ${unknown.join(', ')}.`,
      'An upgrade may take every replica of such a node with it: each is upgraded only while no other',
      'replica is down, and no other node starts until its replicas serve again.',
    );
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
  const listTimeoutMs = durationFlagValue(values, 'list-timeout');
  const natsOptions = natsOptionsFromFlags(values, env);
  const nc = await connectNats(natsOptions);
  try {
    const options = listTimeoutMs === undefined ? {} : { listTimeoutMs };
    const planned = await planRollout(nc, spec, options).catch((err: unknown) => {
      throw err instanceof InvalidSpecError ? new UsageError(err.message) : err;
    });
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
