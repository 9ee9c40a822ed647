/**
 * The invariants a rollout must keep whatever faults hit it, checked from what crossed the wire
 * (the requests to the nodes and their replies, read from the nats-server trace) and from the
 * rollout's final status. Pure: every input is explicit, every violation a sentence.
 */
import type { NodeRequest } from './wire-trace.js';

/** The final state of one node, as the rollout's status reports it. */
export interface FinalNode {
  id: string;
  token: string;
  state: string;
  lastError?: string | undefined;
}

/** What the checks read. */
export interface InvariantInput {
  backend: string;
  /** The rollout's final phase; `undefined` when it never reached one. */
  phase: string | undefined;
  /** Why it is in that phase (the status message). */
  message: string;
  nodes: readonly FinalNode[];
  /** Every node id the rollout targeted. */
  targets: readonly string[];
  /** Targets left out at discovery, with the reason. */
  skippedAtDiscovery: readonly { id: string; reason: string }[];
  /** Replicas each node runs (all nodes alike in a campaign). */
  replicasPerNode: number;
  /** `maxUnavailable` as a replica count. */
  replicaBudget: number;
  /** Requests to this rollout's nodes, in time order, up to the moment the rollout ended. */
  requests: readonly NodeRequest[];
  /** `installed_at` of the backend on each node token before the rollout. */
  before: ReadonlyMap<string, string>;
  /** The backend entry of `backend.list` on each node token after the rollout (`undefined`: no answer). */
  after: ReadonlyMap<string, { installedAt?: string; version?: string } | undefined>;
  /** With an orchestrator that restores replicas: the model replicas `models.running` lists per node token after the rollout. */
  replicasRunning?: ReadonlyMap<string, number | undefined>;
  /** The version every succeeded node must run. */
  expectedVersion: string;
  /** Node ids whose failure a staged fault explains. */
  stagedFailures: ReadonlySet<string>;
  /** Text of the orchestrator worker's logs. */
  workerLog: string;
  /** Whether the status query answered at the end. */
  statusQueryOk: boolean;
}

/** One broken invariant. */
export interface Violation {
  invariant:
    | 'terminal'
    | 'node-reason'
    | 'collateral-failure'
    | 'op-id'
    | 'unexplained-resend'
    | 'replica-budget'
    | 'new-install'
    | 'replicas-restored'
    | 'nondeterminism';
  detail: string;
}

const TERMINAL_PHASES = new Set(['succeeded', 'failed', 'halted', 'aborted']);
const TERMINAL_NODE_STATES = new Set(['succeeded', 'failed', 'skipped', 'up-to-date']);

/** An upgrade request: `backend.upgrade`, or the legacy `backend.install` with `force`. */
export function isUpgradeRequest(r: NodeRequest): boolean {
  return r.kind === 'upgrade' || (r.kind === 'install' && r.body['force'] === true);
}

function installedAtIn(listReply: Record<string, unknown>, backend: string): string | undefined {
  const backends = listReply['backends'];
  if (!Array.isArray(backends)) return undefined;
  const entry = (backends as Record<string, unknown>[]).find((b) => b['name'] === backend);
  return typeof entry?.['installed_at'] === 'string' ? entry['installed_at'] : undefined;
}

/** Checks every invariant; an empty list means the run kept them all. */
export function checkInvariants(input: InvariantInput): Violation[] {
  const out: Violation[] = [];
  const add = (invariant: Violation['invariant'], detail: string): void => void out.push({ invariant, detail });
  if (input.phase === undefined || !TERMINAL_PHASES.has(input.phase))
    add('terminal', `the rollout did not end: phase ${input.phase ?? '(unknown)'}; ${input.message}`);
  else if (input.phase !== 'succeeded' && input.stagedFailures.size === 0)
    add('terminal', `phase ${input.phase} with no staged failure: ${input.message}`);
  for (const node of input.nodes) {
    if (!TERMINAL_NODE_STATES.has(node.state)) add('node-reason', `${node.id} ended ${node.state}`);
    else if ((node.state === 'failed' || node.state === 'skipped') && (node.lastError ?? '') === '')
      add('node-reason', `${node.id} is ${node.state} without a reason`);
    if (node.state === 'failed' && !input.stagedFailures.has(node.id))
      add('collateral-failure', `${node.id} failed: ${node.lastError ?? '(no reason)'}`);
  }
  const reported = new Set(input.nodes.map((n) => n.id));
  for (const skipped of input.skippedAtDiscovery) {
    reported.add(skipped.id);
    if (!input.stagedFailures.has(skipped.id))
      add('collateral-failure', `${skipped.id} was left out at discovery: ${skipped.reason}`);
  }
  for (const id of input.targets)
    if (!reported.has(id)) add('node-reason', `${id} was targeted but the status does not report it`);
  const byNode = new Map<string, NodeRequest[]>();
  for (const r of input.requests) byNode.set(r.nodeToken, [...(byNode.get(r.nodeToken) ?? []), r]);
  for (const node of input.nodes) checkNodeRequests(node, byNode.get(node.token) ?? [], input, add);
  checkBudget(input, byNode, add);
  for (const node of input.nodes) {
    if (node.state !== 'succeeded') continue;
    const after = input.after.get(node.token);
    if (after === undefined) add('new-install', `${node.id} did not answer backend.list after the rollout`);
    else if (after.installedAt === input.before.get(node.token) || after.version !== input.expectedVersion)
      add(
        'new-install',
        `${node.id} succeeded but runs ${after.version ?? '?'} installed at ${after.installedAt ?? '?'} (expected ${input.expectedVersion}, a new install)`,
      );
  }
  for (const node of input.replicasRunning === undefined ? [] : input.nodes) {
    const count = input.replicasRunning?.get(node.token);
    if (node.state === 'succeeded' && count !== input.replicasPerNode)
      add(
        'replicas-restored',
        `${node.id} succeeded but runs ${count ?? 'an unknown number of'} of its ${input.replicasPerNode} replicas`,
      );
  }
  const nondeterminism = /nondetermin|TMPRL1100/i.exec(input.workerLog);
  if (nondeterminism !== null) {
    const at = nondeterminism.index;
    add('nondeterminism', input.workerLog.slice(Math.max(0, at - 200), at + 200).replace(/\s+/g, ' '));
  }
  if (!input.statusQueryOk) add('nondeterminism', 'the status query did not answer at the end');
  return out;
}

function checkNodeRequests(
  node: FinalNode,
  requests: readonly NodeRequest[],
  input: InvariantInput,
  add: (invariant: Violation['invariant'], detail: string) => void,
): void {
  const upgrades = requests.filter(isUpgradeRequest);
  const opIds = new Set(upgrades.map((r) => (typeof r.body['op_id'] === 'string' ? r.body['op_id'] : '')));
  if (opIds.size > 1 || opIds.has(''))
    add('op-id', `${node.id} got ${upgrades.length} upgrade requests with op ids ${[...opIds].join(', ')}`);
  const before = input.before.get(node.token);
  for (let i = 1; i < upgrades.length; i += 1) {
    const previous = upgrades[i - 1];
    const current = upgrades[i];
    if (previous === undefined || current === undefined) continue;
    // The legacy fallback follows a no-responders upgrade at once; it is not a re-send.
    if (previous.kind === 'upgrade' && current.kind === 'install' && current.at - previous.at < 2_000) continue;
    // A request no subscriber received (no responders: the node was away) reached nobody: asking
    // again within unreachableGrace repeats nothing.
    if (previous.undelivered === true) continue;
    const checks = requests.filter(
      (r) => r.kind === 'list' && r.at > previous.at && r.at < current.at && r.reply !== undefined,
    );
    const seen = checks.map((r) => installedAtIn(r.reply?.body ?? {}, input.backend));
    if (seen.some((at) => at !== undefined && at !== before))
      add('unexplained-resend', `${node.id}: request ${i + 1} was sent after backend.list showed the new install`);
    else if (!seen.some((at) => at === before))
      add('unexplained-resend', `${node.id}: request ${i + 1} was sent with no backend.list showing the old install`);
  }
}

/**
 * A node counts as down from its first upgrade request to the last message the orchestrator
 * exchanged with it (its verification, or the restore of its replicas): the sum over nodes down
 * at the same instant must stay within the budget.
 */
function checkBudget(
  input: InvariantInput,
  byNode: ReadonlyMap<string, NodeRequest[]>,
  add: (invariant: Violation['invariant'], detail: string) => void,
): void {
  const edges: { at: number; delta: number }[] = [];
  for (const requests of byNode.values()) {
    const first = requests.find(isUpgradeRequest);
    if (first === undefined) continue;
    const last = Math.max(...requests.map((r) => r.reply?.at ?? r.at));
    edges.push({ at: first.at, delta: input.replicasPerNode }, { at: last, delta: -input.replicasPerNode });
  }
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let down = 0;
  for (const edge of edges) {
    down += edge.delta;
    if (down > Math.max(input.replicaBudget, input.replicasPerNode)) {
      add(
        'replica-budget',
        `${down} replicas down at ${new Date(edge.at).toISOString()}; budget ${input.replicaBudget}`,
      );
      return;
    }
  }
}
