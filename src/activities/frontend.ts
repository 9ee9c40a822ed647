/**
 * Activities that take a node out of a LocalAI frontend's routing around its upgrade and put it
 * back: `readNodeModels`, `drainNode` (reads the rows and their `in_flight` first, because drain
 * deletes them, then waits a bounded grace only when something was in flight), `resumeNode` (only
 * a draining node: resume forces `healthy`, even for a node never approved) and `waitModelLoaded`
 * (the frontend's reconciler reloads `min_replicas` models within a tick).
 *
 * The logic lives in plain functions of a {@link FrontendClient} and {@link ActivityHooks}, so it
 * runs the same inside an activity and against a frontend in a test.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { FailureType } from '../domain/failures.js';
import {
  FrontendError,
  FrontendFailure,
  restoredByFrontend,
  type FrontendClient,
  type ModelRow,
} from '../frontend/index.js';
import type { ActivityDeps } from './deps.js';
import {
  DrainOutcome,
  ResumeOutcome,
  type DrainNodeInput,
  type DrainNodeOutput,
  type NodeModelRow,
  type ReadNodeModelsInput,
  type ReadNodeModelsOutput,
  type ReadServingInput,
  type ReadServingOutput,
  type ResumeNodeInput,
  type ResumeNodeOutput,
  type WaitModelLoadedInput,
  type WaitModelLoadedOutput,
} from './frontend-types.js';

/** What the frontend functions need from their host: an activity's heartbeat and sleep, or plain timers. */
export interface ActivityHooks {
  heartbeat(details?: unknown): void;
  /** Resolves after `ms`; inside an activity it rejects when the activity is cancelled. */
  sleep(ms: number): Promise<void>;
  now(): number;
  /** The activity's attempt (1 for the first). @default 1 */
  attempt?: number;
}

/** Hooks for use outside an activity. */
export const plainHooks: ActivityHooks = {
  heartbeat: () => undefined,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

/** Default bounded wait for requests in flight when a node is drained. */
export const DEFAULT_DRAIN_GRACE_MS = 30_000;
/** Longest sleep between two heartbeats while a drain grace runs. */
const DRAIN_HEARTBEAT_MS = 2_000;

const rowOf = (row: ModelRow): NodeModelRow => ({
  model: row.model_name,
  replicaIndex: row.replica_index,
  address: row.address,
  state: row.state,
  inFlight: row.in_flight,
});

/** The node's status and model rows. */
export async function readNodeModelsWith(
  client: FrontendClient,
  input: ReadNodeModelsInput,
): Promise<ReadNodeModelsOutput> {
  const [node, rows] = await Promise.all([client.node(input.nodeId), client.nodeModels(input.nodeId)]);
  const mapped = rows.map(rowOf);
  return { status: node.status, rows: mapped, inFlight: mapped.some((r) => r.inFlight > 0) };
}

/**
 * Reads the rows, drains a healthy node, then returns at once when nothing was in flight, else
 * waits the whole drain grace: after a drain the frontend no longer shows that work, so there is
 * nothing to poll. A retry that finds the node draining already cannot know what was in flight
 * (the first attempt's read is lost), so it waits the grace too.
 */
export async function drainNodeWith(
  client: FrontendClient,
  hooks: ActivityHooks,
  input: DrainNodeInput,
): Promise<DrainNodeOutput> {
  const before = await readNodeModelsWith(client, input);
  const retried = (hooks.attempt ?? 1) > 1;
  const base = {
    statusBefore: before.status,
    rowsBefore: before.rows,
    hadInFlight: before.inFlight,
    waitedMs: 0,
    byRetry: retried,
  };
  if (before.status === 'draining') {
    const waitedMs = retried ? await graceWait(hooks, input) : 0;
    return { ...base, outcome: DrainOutcome.AlreadyDraining, waitedMs };
  }
  if (before.status !== 'healthy') return { ...base, outcome: DrainOutcome.NotServing };
  await client.drain(input.nodeId);
  if (!before.inFlight) return { ...base, outcome: DrainOutcome.Drained };
  return { ...base, outcome: DrainOutcome.Drained, waitedMs: await graceWait(hooks, input) };
}

/** Sleeps the drain grace, heartbeating, so a lost worker is noticed within the heartbeat timeout. */
async function graceWait(hooks: ActivityHooks, input: DrainNodeInput): Promise<number> {
  const grace = input.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS;
  const started = hooks.now();
  for (;;) {
    const left = started + grace - hooks.now();
    hooks.heartbeat({ nodeId: input.nodeId, phase: 'draining', graceMs: grace, leftMs: Math.max(0, left) });
    if (left <= 0) return hooks.now() - started;
    await hooks.sleep(Math.min(left, DRAIN_HEARTBEAT_MS));
  }
}

/**
 * The frontend's view of who serves what: every node's status, the models loaded on healthy
 * nodes, and the models the frontend reloads by itself after a drain (`min_replicas`/`spread_all`).
 */
export async function readServingWith(client: FrontendClient): Promise<ReadServingOutput> {
  const [nodes, rows, configs] = await Promise.all([client.listNodes(), client.loadedModels(), client.scheduling()]);
  const serving: Record<string, string[]> = {};
  for (const row of rows) {
    const models = (serving[row.node_id] ??= []);
    if (!models.includes(row.model_name)) models.push(row.model_name);
  }
  return {
    nodes: nodes.map((n) => ({ id: n.id, status: n.status })),
    serving,
    reloaded: configs.filter((c) => restoredByFrontend(c.model_name, configs)).map((c) => c.model_name),
  };
}

/** Resumes a draining node; reports a node that is already healthy (its worker restarted) or not serving. */
export async function resumeNodeWith(client: FrontendClient, input: ResumeNodeInput): Promise<ResumeNodeOutput> {
  const node = await client.node(input.nodeId);
  if (node.status === 'healthy')
    return {
      outcome: ResumeOutcome.AlreadyHealthy,
      statusBefore: node.status,
      detail: 'already healthy: its worker restarted and re-registered, which ends a drain',
    };
  if (node.status !== 'draining')
    return {
      outcome: ResumeOutcome.NotResumed,
      statusBefore: node.status,
      detail: `not resumed: the frontend shows it ${node.status} (resume would force it healthy)`,
    };
  await client.resume(input.nodeId);
  return { outcome: ResumeOutcome.Resumed, statusBefore: node.status, detail: 'resumed' };
}

/** Polls the node's rows until every model has a `loaded` row or `timeoutMs` passes. */
export async function waitModelLoadedWith(
  client: FrontendClient,
  hooks: ActivityHooks,
  input: WaitModelLoadedInput,
): Promise<WaitModelLoadedOutput> {
  const started = hooks.now();
  const pollMs = input.pollMs ?? 1_000;
  for (;;) {
    const rows = await client.nodeModels(input.nodeId);
    const loaded = new Set(rows.filter((r) => r.state === 'loaded').map((r) => r.model_name));
    const missing = input.models.filter((m) => !loaded.has(m));
    const waitedMs = hooks.now() - started;
    hooks.heartbeat({ nodeId: input.nodeId, phase: 'replicas', missing });
    if (missing.length === 0 || waitedMs >= input.timeoutMs)
      return { loaded: input.models.filter((m) => loaded.has(m)), missing, waitedMs };
    await hooks.sleep(Math.min(pollMs, Math.max(1, input.timeoutMs - waitedMs)));
  }
}

/** A frontend failure as the workflow sees it: refusals are final, unavailability is retried. */
export function frontendFailure(err: unknown, nodeId: string): unknown {
  if (!(err instanceof FrontendError)) return err;
  const message = `node ${nodeId}: ${err.message}`;
  const transient =
    err.kind === FrontendFailure.Unreachable || (err.kind === FrontendFailure.Rejected && (err.status ?? 0) >= 500);
  return transient
    ? ApplicationFailure.retryable(message, FailureType.FrontendUnavailable)
    : ApplicationFailure.nonRetryable(message, FailureType.FrontendRefused);
}

function activityHooks(): ActivityHooks {
  const ctx = Context.current();
  return {
    heartbeat: (d) => ctx.heartbeat(d),
    sleep: (ms) => ctx.sleep(ms),
    now: () => Date.now(),
    attempt: ctx.info.attempt,
  };
}

function clientOf(deps: ActivityDeps): FrontendClient {
  if (deps.frontend !== undefined) return deps.frontend;
  throw ApplicationFailure.nonRetryable(
    'this rollout uses a LocalAI frontend, but the orchestrator worker has none: start it with --localai-url and an admin key',
    FailureType.FrontendRefused,
  );
}

const baseUrl = (url: string): string => url.replace(/\/+$/, '');

/** Refuses a rollout whose frontend is not the one the worker was started with: it would drain the wrong registry. */
export function checkSameFrontend(client: FrontendClient, url: string | undefined): void {
  if (url === undefined || baseUrl(url) === baseUrl(client.url)) return;
  throw ApplicationFailure.nonRetryable(
    `this rollout drains through the LocalAI frontend at ${url}, but the orchestrator worker was started with --localai-url ${client.url}; start the worker with --localai-url ${url}`,
    FailureType.FrontendRefused,
  );
}

/** The frontend activities bound to the worker's frontend client. */
export function makeFrontendActivities(deps: ActivityDeps) {
  const guarded =
    <I extends { nodeId: string }, O>(body: (client: FrontendClient, input: I) => Promise<O>) =>
    async (input: I): Promise<O> => {
      const client = clientOf(deps);
      try {
        return await body(client, input);
      } catch (err) {
        throw frontendFailure(err, input.nodeId);
      }
    };
  return {
    readNodeModels: guarded((client, input: ReadNodeModelsInput) => readNodeModelsWith(client, input)),
    readServing: guarded((client, input: ReadServingInput) => {
      checkSameFrontend(client, input.url);
      return readServingWith(client);
    }),
    drainNode: guarded((client, input: DrainNodeInput) => drainNodeWith(client, activityHooks(), input)),
    resumeNode: guarded((client, input: ResumeNodeInput) => resumeNodeWith(client, input)),
    waitModelLoaded: guarded((client, input: WaitModelLoadedInput) =>
      waitModelLoadedWith(client, activityHooks(), input),
    ),
  };
}
