/**
 * What the demo stages: a simulated fleet of 12 nodes in 3 zones with 2 model replicas each, three
 * of them deliberately awkward, and the rollout policy that upgrades it. Plain data, no I/O, so the
 * test of the verdict and the README can rely on the same numbers.
 */
import type { SimulatedNodeInput } from '../../agent/simulated/knobs.js';
import type { InventoryNode, RolloutSpecInput } from '../../domain/spec.js';

/** The backend the demo upgrades. */
export const DEMO_BACKEND = 'llama-cpp';
/** The version every node runs at start. */
export const DEMO_FROM_VERSION = 'v1.4.2';
/** The version the upgrade installs (the simulated gallery's next patch). */
export const DEMO_TO_VERSION = 'v1.4.3';

/** The NATS request timeout of the demo's rollout; the slow node replies only after it. */
export const DEMO_UPGRADE_TIMEOUT_MS = 4_000;
/** How long the slow node keeps the requester waiting for its reply. */
export const DEMO_SLOW_HANG_MS = 7_000;

/** The part a node plays in the demo. */
export const DemoRole = {
  /** An ordinary node. */
  Normal: 'normal',
  /** An old worker without `backend.upgrade`: the orchestrator falls back to `backend.install` with `force`. */
  Legacy: 'legacy',
  /** Replies after the request timeout: the orchestrator verifies with `backend.list` instead of re-sending. */
  Slow: 'slow',
  /** Its install of the new version fails: the one failure the policy tolerates. */
  Failing: 'failing',
} as const;
export type DemoRole = (typeof DemoRole)[keyof typeof DemoRole];

/** One node of the demo fleet. */
export interface DemoNode {
  id: string;
  zone: string;
  role: DemoRole;
}

const ZONES = ['eu-west', 'us-east', 'ap-south'] as const;
const NODES_PER_ZONE = 4;
/** Model replicas each node serves at start. */
export const REPLICAS_PER_NODE = 2;

const SPECIAL: Readonly<Record<string, DemoRole>> = {
  'eu-west-gpu-3': DemoRole.Legacy,
  'us-east-gpu-2': DemoRole.Slow,
  'us-east-gpu-4': DemoRole.Failing,
};

/** The 12 nodes, zone by zone. */
export function demoNodes(): DemoNode[] {
  return ZONES.flatMap((zone) =>
    Array.from({ length: NODES_PER_ZONE }, (_, i) => {
      const id = `${zone}-gpu-${i + 1}`;
      return { id, zone, role: SPECIAL[id] ?? DemoRole.Normal };
    }),
  );
}

/** The knobs of each simulated node: installs of 1–2.5 s, and the awkward nodes' behaviour. */
export function simulatedNodes(nodes: readonly DemoNode[] = demoNodes()): SimulatedNodeInput[] {
  return nodes.map((node): SimulatedNodeInput => {
    const base = {
      id: node.id,
      backend: DEMO_BACKEND,
      version: DEMO_FROM_VERSION,
      replicas: REPLICAS_PER_NODE,
      installMs: '1000-2500',
    };
    switch (node.role) {
      case DemoRole.Legacy:
        return { ...base, legacy: true };
      case DemoRole.Slow:
        return { ...base, installMs: 1_500, hangMs: DEMO_SLOW_HANG_MS };
      case DemoRole.Failing:
        return { ...base, failVersion: DEMO_TO_VERSION };
      case DemoRole.Normal:
        return base;
    }
  });
}

/** The inventory the rollout gets: zone labels and replica counts. */
export function demoInventory(nodes: readonly DemoNode[] = demoNodes()): InventoryNode[] {
  return nodes.map((node) => ({
    id: node.id,
    name: node.id,
    labels: { zone: node.zone },
    replicas: REPLICAS_PER_NODE,
  }));
}

/**
 * The rollout: a canary of one node promoted automatically after 3 s, then three nodes at a time
 * within half of the replicas, tolerating one failed node (so the staged failure does not halt it),
 * a short request timeout (so the slow node times out) and a 1 s soak per node. With the URL of a
 * LocalAI frontend, each node is drained there first (1 s grace) and resumed after.
 */
export function demoSpec(nodes: readonly DemoNode[] = demoNodes(), frontendUrl?: string): RolloutSpecInput {
  return {
    // With the simulated frontend: drain each node before its upgrade and resume it after.
    ...(frontendUrl === undefined ? {} : { frontend: { url: frontendUrl }, drainGrace: '1s' }),
    backend: DEMO_BACKEND,
    inventory: demoInventory(nodes),
    targetVersion: DEMO_TO_VERSION,
    canary: { nodes: 1, promote: '3s' },
    maxParallel: 3,
    maxUnavailable: '50%',
    maxFailures: 1,
    onFailure: 'halt',
    upgradeTimeout: DEMO_UPGRADE_TIMEOUT_MS,
    minHealthyTime: '1s',
    healthyDeadline: '1m',
    progressDeadline: '1m',
    reason: 'fleet-rollout demo',
    requestedBy: 'fleet-rollout demo',
  };
}
