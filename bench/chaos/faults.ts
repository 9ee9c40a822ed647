/**
 * Which faults a seed injects, and when: a pure function of the seed (the same seed always gives
 * the same plan), so a failing seed can be run again exactly.
 */
import { seededRandom } from '../../src/agent/simulated/knobs.js';

/** The faults a campaign knows. */
export const FaultKind = {
  /** SIGKILL the orchestrator worker, start a new one after `durationMs`. */
  WorkerKill: 'worker-kill',
  /** SIGSTOP the worker for `durationMs`, then SIGCONT. */
  WorkerStop: 'worker-stop',
  /** SIGKILL the Temporal dev server and start it again on the same port and database. */
  TemporalRestart: 'temporal-restart',
  /** SIGKILL nats-server and start it again on the same port. */
  NatsRestart: 'nats-restart',
  /** SIGKILL the simulated fleet, start it again on its state directory after `durationMs`. */
  FleetKill: 'fleet-kill',
  /** One node's agent crashes mid-install (staged at fleet start) and comes back with the old install. */
  AgentCrash: 'agent-crash',
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

/** One planned fault. */
export interface Fault {
  kind: FaultKind;
  /** When, in ms after the rollout started (ignored for `agent-crash`, which the install triggers). */
  atMs: number;
  durationMs: number;
}

/** The plan of one seed. */
export interface FaultPlan {
  seed: number;
  faults: Fault[];
  /** Index of the node whose agent crashes mid-install, when the plan has an `agent-crash`. */
  crashNode: number | undefined;
}

const KINDS = Object.values(FaultKind);

/**
 * 2–4 faults for `seed`, at times within `windowMs` of the rollout's start (sorted), each lasting
 * 300–3000 ms; at most one agent crash.
 */
export function planFaults(seed: number, nodes: number, windowMs: number): FaultPlan {
  const random = seededRandom(`chaos:${seed}`);
  const count = 2 + Math.floor(random() * 3);
  const faults: Fault[] = [];
  let crashNode: number | undefined;
  while (faults.length < count) {
    const kind = KINDS[Math.floor(random() * KINDS.length)] ?? FaultKind.WorkerKill;
    const atMs = Math.round(300 + random() * (windowMs - 300));
    const durationMs = Math.round(300 + random() * 2_700);
    if (kind === FaultKind.AgentCrash) {
      if (crashNode !== undefined) continue;
      crashNode = Math.floor(random() * nodes);
    }
    faults.push({ kind, atMs, durationMs });
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  return { seed, faults, crashNode };
}

/** `worker-kill@1.2s(0.8s)`-style summary of a plan. */
export function describePlan(plan: FaultPlan): string {
  return plan.faults
    .map((f) =>
      f.kind === FaultKind.AgentCrash
        ? `agent-crash(node ${plan.crashNode ?? '?'})`
        : `${f.kind}@${(f.atMs / 1000).toFixed(1)}s(${(f.durationMs / 1000).toFixed(1)}s)`,
    )
    .join(' ');
}
