/**
 * Finding rollouts with Temporal's visibility store: the search attributes RolloutBackend and
 * RolloutPhase (kept current by the workflow), and the past runs of `rollout:<backend>`.
 */
import {
  WorkflowFailedError,
  type Client,
  type WorkflowExecutionInfo,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import {
  backendOfWorkflowId,
  MemoKey,
  ROLLOUT_WORKFLOW_TYPE,
  rolloutWorkflowId,
  SCHEDULED_WORKFLOW_TYPE,
  UP_TO_DATE_PHASE,
} from '../addressing.js';
import type { rolloutWorkflow } from '../workflows/rollout.js';
import {
  RolloutBackendKey,
  RolloutFailedNodesKey,
  RolloutPhaseKey,
  RolloutProgressPctKey,
} from '../workflows/search-attributes.js';
import type { RolloutCounts, RolloutPhase } from '../workflows/status.js';
import { installChanges, type InstallChange } from './install-name.js';

/** One run of a rollout, as the visibility store knows it. */
export interface RolloutSummary {
  backend: string;
  workflowId: string;
  runId: string;
  execution: WorkflowExecutionStatusName;
  /** Last published phase (search attribute RolloutPhase). */
  phase?: string;
  /** Percentage of nodes done, in 5% steps (search attribute RolloutProgressPct). */
  progressPct?: number;
  /** Failed nodes (search attribute RolloutFailedNodes). */
  failedNodes?: number;
  startedAt: Date;
  closedAt?: Date;
  requestedBy?: string;
  reason?: string;
  /** What the run upgrades to and where that came from (memo `target`), when it resolved one. */
  target?: string;
}

/** Filters of {@link listRollouts}. */
export interface ListRolloutsOptions {
  backend?: string;
  phase?: RolloutPhase;
  /** Only runs that are still running. @default false */
  running?: boolean;
  /** Most runs returned. @default 100 */
  limit?: number;
}

/** Quotes a value for a visibility query. */
export function quoteQueryValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The visibility query of {@link listRollouts}; continued-as-new runs are left out (their successor is listed). */
export function rolloutListQuery(options: Omit<ListRolloutsOptions, 'limit'>): string {
  const clauses = [`WorkflowType = ${quoteQueryValue(ROLLOUT_WORKFLOW_TYPE)}`, `ExecutionStatus != 'ContinuedAsNew'`];
  if (options.backend !== undefined) clauses.push(`${RolloutBackendKey.name} = ${quoteQueryValue(options.backend)}`);
  if (options.phase !== undefined) clauses.push(`${RolloutPhaseKey.name} = ${quoteQueryValue(options.phase)}`);
  if (options.running === true) clauses.push(`ExecutionStatus = 'Running'`);
  return clauses.join(' AND ');
}

function summaryOf(info: WorkflowExecutionInfo): RolloutSummary {
  const attrs = info.typedSearchAttributes;
  const summary: RolloutSummary = {
    backend: attrs.get(RolloutBackendKey) ?? backendOfWorkflowId(info.workflowId),
    workflowId: info.workflowId,
    runId: info.runId,
    execution: info.status.name,
    startedAt: info.startTime,
  };
  const phase = attrs.get(RolloutPhaseKey);
  const pct = attrs.get(RolloutProgressPctKey);
  const failed = attrs.get(RolloutFailedNodesKey);
  if (phase !== undefined) summary.phase = phase;
  if (pct !== undefined) summary.progressPct = pct;
  if (failed !== undefined) summary.failedNodes = failed;
  if (info.closeTime !== undefined) summary.closedAt = info.closeTime;
  const memo = info.memo ?? {};
  const text = (key: string): string | undefined => (typeof memo[key] === 'string' ? memo[key] : undefined);
  const requestedBy = text(MemoKey.RequestedBy);
  const reason = text(MemoKey.Reason);
  const target = text(MemoKey.Target);
  if (requestedBy !== undefined) summary.requestedBy = requestedBy;
  if (reason !== undefined) summary.reason = reason;
  if (target !== undefined) summary.target = target;
  return summary;
}

async function collect<T extends RolloutSummary = RolloutSummary>(
  client: Client,
  query: string,
  limit: number,
  toSummary: (info: WorkflowExecutionInfo) => T = summaryOf as (info: WorkflowExecutionInfo) => T,
): Promise<T[]> {
  const out: T[] = [];
  for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 1_000) })) {
    out.push(toSummary(info));
    if (out.length >= limit) break;
  }
  return out.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}

/** Rollouts matching the filters, newest first. */
export async function listRollouts(client: Client, options: ListRolloutsOptions = {}): Promise<RolloutSummary[]> {
  return await collect(client, rolloutListQuery(options), options.limit ?? 100);
}

/** A past (or the current) run of a backend's rollout, with how it ended. */
export interface RolloutRun extends RolloutSummary {
  /** `running (<phase>)`, the final phase (`succeeded`, `failed`, `aborted`), or how Temporal ended it and why. */
  outcome: string;
  /** Node counts of a completed run. */
  counts?: RolloutCounts;
  /** What the upgraded nodes had before → after, most common first (a completed run). */
  installs?: InstallChange[];
}

async function outcomeOf(
  client: Client,
  run: RolloutSummary,
): Promise<{ outcome: string; counts?: RolloutCounts; installs?: InstallChange[] }> {
  if (run.execution === 'RUNNING') return { outcome: `running (${run.phase ?? 'unknown phase'})` };
  const handle = client.workflow.getHandle<typeof rolloutWorkflow>(run.workflowId, run.runId, { followRuns: false });
  try {
    const status = await handle.result();
    return { outcome: status.phase, counts: status.counts, installs: installChanges(status.nodes) };
  } catch (err) {
    const why = err instanceof WorkflowFailedError ? (err.cause?.message ?? err.message) : (err as Error).message;
    return { outcome: `${run.execution.toLowerCase()}: ${why}` };
  }
}

/** A scheduled trigger run that found every node on the target and started nothing. */
function upToDateRunOf(info: WorkflowExecutionInfo): RolloutRun {
  const outcome = info.memo?.[MemoKey.Outcome];
  return { ...summaryOf(info), outcome: typeof outcome === 'string' ? outcome : 'up to date, nothing started' };
}

/**
 * The runs of `rollout:<backend>`, newest first, each with its outcome, and the scheduled triggers
 * that started nothing because the fleet was already on the target. @param options.limit @default 20
 */
export async function rolloutHistory(
  client: Client,
  backend: string,
  options: { limit?: number } = {},
): Promise<RolloutRun[]> {
  const limit = options.limit ?? 20;
  const query = `WorkflowId = ${quoteQueryValue(rolloutWorkflowId(backend))} AND ExecutionStatus != 'ContinuedAsNew'`;
  const upToDate = [
    `WorkflowType = ${quoteQueryValue(SCHEDULED_WORKFLOW_TYPE)}`,
    `${RolloutBackendKey.name} = ${quoteQueryValue(backend)}`,
    `${RolloutPhaseKey.name} = ${quoteQueryValue(UP_TO_DATE_PHASE)}`,
  ].join(' AND ');
  const [runs, idle] = await Promise.all([
    collect(client, query, limit),
    collect(client, upToDate, limit, upToDateRunOf),
  ]);
  const done = await Promise.all(runs.map(async (run) => ({ ...run, ...(await outcomeOf(client, run)) })));
  return [...done, ...idle].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime()).slice(0, limit);
}
