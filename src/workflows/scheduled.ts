/**
 * The thin workflow a Temporal Schedule starts. Temporal appends a timestamp to scheduled
 * workflow ids, so the schedule cannot be the one-rollout-per-backend lock; this trigger starts
 * the real rollout under the fixed id `rollout:<backend>` and, when one is already running,
 * records the skip instead. When the rollout names a target, the trigger resolves it first and
 * asks the nodes what they run: a fleet already on the target starts no rollout ("up to date,
 * nothing started"), so a schedule does not restart every replica on every tick.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ParentClosePolicy,
  patched,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { NodeState } from '../domain/node-state.js';
import { parseRolloutSpec, type RolloutSpec, type RolloutSpecInput } from '../domain/spec.js';
import { describeTarget, type UpgradeTarget } from '../domain/upgrade-target.js';
import { MemoKey, rolloutMemo, rolloutWorkflowId, UP_TO_DATE_PHASE } from '../addressing.js';
import { discoverAndPlan, resolveTarget } from './plan.js';
import { rolloutWorkflow } from './rollout.js';
import { RolloutBackendKey, RolloutPhaseKey, startSearchAttributes } from './search-attributes.js';

export interface ScheduledRolloutResult {
  started: boolean;
  rolloutId: string;
  /** Why nothing was started. */
  skipped?: string;
  /** Nothing was started because every node already ran the target. */
  upToDate?: boolean;
  /** The target the trigger resolved (one readable line), when the rollout names one. */
  target?: string;
}

/** What the trigger learned before starting: the target, and whether every node already runs it. */
interface FleetCheck {
  target?: UpgradeTarget;
  /** Set when every node that has the backend already runs the target. */
  upToDate?: string;
}

async function checkFleet(spec: RolloutSpec): Promise<FleetCheck> {
  const target = spec.target ?? (await resolveTarget(spec));
  if (target === undefined) return {};
  const plan = await discoverAndPlan({ ...spec, target });
  const upToDate = plan.nodes.filter((n) => n.state === NodeState.UpToDate).length;
  if (plan.nodes.length === 0 || upToDate < plan.nodes.length) return { target };
  return {
    target,
    upToDate: `up to date, nothing started: all ${upToDate} node${upToDate === 1 ? '' : 's'} already run ${describeTarget(target)}`,
  };
}

export async function scheduledRolloutWorkflow(spec: RolloutSpecInput): Promise<ScheduledRolloutResult> {
  const parsed = parseRolloutSpec(spec);
  const rawBackend = (spec as { backend?: unknown }).backend;
  const backend = parsed.ok ? parsed.spec.backend : typeof rawBackend === 'string' ? rawBackend : '?';
  const rolloutId = rolloutWorkflowId(backend);
  const requestedBy = spec.requestedBy ?? `schedule ${workflowInfo().workflowId}`;
  const memo = rolloutMemo({ requestedBy, reason: spec.reason ?? 'scheduled fleet upgrade' });
  let check: FleetCheck = {};
  if (parsed.ok && parsed.spec.force !== true && patched('scheduled-up-to-date')) {
    try {
      check = await checkFleet(parsed.spec);
    } catch (err) {
      const why = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      upsertMemo({ ...memo, [MemoKey.Outcome]: `not started: ${why}` });
      throw err;
    }
    if (check.target !== undefined) memo[MemoKey.Target] = describeTarget(check.target);
    if (check.upToDate !== undefined) {
      upsertMemo({ ...memo, [MemoKey.Outcome]: check.upToDate });
      upsertSearchAttributes([
        { key: RolloutBackendKey, value: backend },
        { key: RolloutPhaseKey, value: UP_TO_DATE_PHASE },
      ]);
      return { started: false, rolloutId, skipped: check.upToDate, upToDate: true, target: memo[MemoKey.Target] ?? '' };
    }
  }
  const target = check.target === undefined ? {} : { target: check.target };
  try {
    await startChild(rolloutWorkflow, {
      workflowId: rolloutId,
      args: [{ spec: { ...spec, requestedBy, ...target } }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: startSearchAttributes(backend),
      memo,
    });
    upsertMemo({ [MemoKey.Outcome]: `started ${rolloutId}` });
    const described = memo[MemoKey.Target];
    return { started: true, rolloutId, ...(described !== undefined ? { target: described } : {}) };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const skipped = `skipped: a rollout of ${backend} is already running (${rolloutId})`;
      upsertMemo({ [MemoKey.Outcome]: skipped });
      return { started: false, rolloutId, skipped };
    }
    throw err;
  }
}
