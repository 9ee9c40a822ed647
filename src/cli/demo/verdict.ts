/**
 * Did the demo's rollout end as staged? Every node upgraded except the one that fails by design;
 * the legacy node through the `backend.install` fallback; the slow node verified after its timeout
 * without a second request. Pure: a function of the final status.
 */
import { NodeState } from '../../domain/node-state.js';
import { RolloutPhase } from '../../domain/rollout-phase.js';
import type { NodeStatus, RolloutStatus } from '../../workflows/status.js';
import { DEMO_SLOW_HANG_MS, DEMO_TO_VERSION, DEMO_UPGRADE_TIMEOUT_MS, DemoRole, type DemoNode } from './scenario.js';

/** One expectation of the demo and whether the rollout met it. */
export interface DemoCheck {
  ok: boolean;
  text: string;
}

/** The checks and their sum: `asDesigned` decides the demo's exit code (0 when true). */
export interface DemoVerdict {
  asDesigned: boolean;
  checks: DemoCheck[];
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

function describe(node: NodeStatus | undefined): string {
  if (node === undefined) return 'missing from the rollout';
  const error = node.lastError === undefined ? '' : `: ${node.lastError}`;
  return `${node.state}, ${node.attempts} attempt(s)${node.fallback ? ', legacy fallback' : ''}${error}`;
}

function checkNode(role: DemoRole, id: string, node: NodeStatus | undefined): DemoCheck {
  switch (role) {
    case DemoRole.Failing:
      return node?.state === NodeState.Failed
        ? { ok: true, text: `${id} failed its upgrade to ${DEMO_TO_VERSION} as staged; maxFailures 1 tolerates it` }
        : { ok: false, text: `${id} was staged to fail but is ${describe(node)}` };
    case DemoRole.Legacy:
      return node?.state === NodeState.Succeeded && node.fallback
        ? { ok: true, text: `${id} (no backend.upgrade) was upgraded through the legacy backend.install fallback` }
        : { ok: false, text: `${id} (legacy) should succeed through the fallback but is ${describe(node)}` };
    case DemoRole.Slow:
      return node?.state === NodeState.Succeeded && node.attempts === 1
        ? {
            ok: true,
            text: `${id} replied after ${seconds(DEMO_SLOW_HANG_MS)}, past the ${seconds(DEMO_UPGRADE_TIMEOUT_MS)} timeout: verified with backend.list, not re-sent`,
          }
        : { ok: false, text: `${id} (slow) should succeed with one request but is ${describe(node)}` };
    case DemoRole.Normal:
      return node?.state === NodeState.Succeeded
        ? { ok: true, text: `${id} succeeded` }
        : { ok: false, text: `${id} should succeed but is ${describe(node)}` };
  }
}

/** Judges the final status of the demo's rollout against the staged fleet. */
export function judgeDemo(status: RolloutStatus, nodes: readonly DemoNode[]): DemoVerdict {
  const byId = new Map(status.nodes.map((n) => [n.id, n]));
  const checks: DemoCheck[] = [];
  const ended = status.phase === RolloutPhase.Succeeded || status.phase === RolloutPhase.Failed;
  checks.push(
    ended
      ? { ok: true, text: `the rollout ran to its end on its own (phase ${status.phase}: ${status.message})` }
      : { ok: false, text: `the rollout stopped early: ${status.phase}: ${status.message}` },
  );
  const normal = nodes.filter((n) => n.role === DemoRole.Normal);
  const normalChecks = normal.map((n) => checkNode(n.role, n.id, byId.get(n.id)));
  const badNormal = normalChecks.filter((c) => !c.ok);
  if (badNormal.length === 0) checks.push({ ok: true, text: `the ${normal.length} ordinary nodes succeeded` });
  else checks.push(...badNormal);
  for (const node of nodes.filter((n) => n.role !== DemoRole.Normal)) {
    checks.push(checkNode(node.role, node.id, byId.get(node.id)));
  }
  return { asDesigned: checks.every((c) => c.ok), checks };
}
