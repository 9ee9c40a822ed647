/**
 * `undo` as a pure decision: from one ended run (its final status and the spec it was started
 * with), the rollout that sends the nodes that run changed back to the install each had before it
 * (recorded at discovery), under the same safety policy. LocalAI installs an earlier build only
 * from a `uri`, so an earlier install without one cannot be named, and the undo is refused with
 * the nodes concerned. One rollout carries one install, so nodes that had different earlier
 * installs are refused too, with one `start` command per install.
 */
import type { InstalledRecord } from '../domain/verification.js';
import type { RolloutSpecInput } from '../domain/spec.js';
import { NodeState } from '../domain/node-state.js';
import { isEnded } from '../domain/rollout-phase.js';
import type { NodeStatus, RolloutStatus } from '../workflows/status.js';
import { installName } from './install-name.js';

/** Node states in which the run may have changed a node's install (unknown: cut off mid-upgrade). */
export const CHANGED_STATES: readonly string[] = [NodeState.Succeeded, NodeState.Unknown];

/** Spec fields that say *how* to roll out (kept by an undo); everything about *what* is replaced. */
const POLICY_FIELDS = [
  'maxParallel',
  'maxUnavailable',
  'batches',
  'canary',
  'healthyDeadline',
  'minHealthyTime',
  'progressDeadline',
  'maxFailures',
  'onFailure',
  'window',
  'upgradeTimeout',
  'startCheck',
  'replicaReadyTimeout',
  'unreachableGrace',
  'maxAttempts',
] as const satisfies readonly (keyof RolloutSpecInput)[];

/** What {@link planUndo} decides from. */
export interface UndoInput {
  runId: string;
  /** The run's final status (every node, with `before`). */
  status: Pick<RolloutStatus, 'backend' | 'phase' | 'nodes'>;
  /** The spec the run was started with. */
  spec: RolloutSpecInput;
  /** Who asks and why (the undo's own audit trail). */
  requestedBy?: string;
  reason?: string;
}

/** An undo that can be started. */
export interface UndoPlan {
  runId: string;
  backend: string;
  /** The nodes sent back, in the run's order. */
  nodeIds: string[];
  /** The install they go back to, as named everywhere (version, digest or uri). */
  to: string;
  /** The installs they have now (what the run left them with), as named everywhere; `?` when unknown. */
  from: string[];
  /** The rollout to start. */
  spec: RolloutSpecInput;
}

/** Either the plan or a sentence saying why there is nothing to undo or it cannot be done. */
export type UndoDecision = { ok: true; plan: UndoPlan } | { ok: false; message: string };

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

function earlierKey(before: InstalledRecord | undefined): string | undefined {
  return before?.uri === undefined || before.uri === '' ? undefined : before.uri;
}

/** Decides the undo of one run. */
export function planUndo(input: UndoInput): UndoDecision {
  const { backend, phase, nodes } = input.status;
  const head = `cannot undo run ${input.runId} of ${backend}`;
  if (!isEnded(phase))
    return { ok: false, message: `${head}: it is still ${phase}; abort it first ('fleet-rollout abort ${backend}')` };
  const changed = nodes.filter((n) => CHANGED_STATES.includes(n.state));
  if (changed.length === 0)
    return { ok: false, message: `${head}: it changed no node (none succeeded or was caught mid-upgrade)` };

  const unnamed = changed.filter((n) => earlierKey(n.before) === undefined);
  if (unnamed.length > 0) {
    const what = (n: NodeStatus): string => `${n.id} (${installName(n.before) ?? 'nothing recorded'})`;
    return {
      ok: false,
      message:
        `${head}: discovery recorded no uri for the earlier install of ${unnamed.map(what).join(', ')}, ` +
        'so it cannot be named to install again; reinstall it with ' +
        `'fleet-rollout start --backend ${backend} --uri URI --nodes ${unnamed.map((n) => n.id).join(',')}'`,
    };
  }

  const groups = new Map<string, NodeStatus[]>();
  for (const n of changed) {
    const key = earlierKey(n.before) as string;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  if (groups.size > 1) {
    const commands = [...groups].map(
      ([uri, group]) =>
        `'fleet-rollout start --backend ${backend} --uri ${uri} --nodes ${group.map((n) => n.id).join(',')}'`,
    );
    return {
      ok: false,
      message: `${head}: its nodes had ${groups.size} different installs before it and one rollout installs one; run ${commands.join(', then ')}`,
    };
  }

  const [uri, group] = [...groups][0] as [string, NodeStatus[]];
  const before = group[0]?.before ?? { uri };
  const ids = new Set(changed.map((n) => n.id));
  const spec: RolloutSpecInput = { backend, nodes: [...ids], uri, name: backend };
  for (const field of POLICY_FIELDS) {
    if (input.spec[field] !== undefined) Object.assign(spec, { [field]: input.spec[field] });
  }
  // The same digest as before, when the node reported one: verification then checks the build itself.
  if (before.digest !== undefined && DIGEST_RE.test(before.digest)) spec.targetDigest = before.digest;
  const inventory = input.spec.inventory?.filter((n) => ids.has(n.id));
  if (inventory !== undefined && inventory.length > 0) spec.inventory = inventory;
  if (input.requestedBy !== undefined) spec.requestedBy = input.requestedBy;
  spec.reason = `undo of run ${input.runId}${input.reason !== undefined ? `: ${input.reason}` : ''}`;
  const from = [...new Set(changed.map((n) => installName(n.after) ?? '?'))];
  return {
    ok: true,
    plan: { runId: input.runId, backend, nodeIds: [...ids], to: installName(before) ?? uri, from, spec },
  };
}
