/**
 * Scenario e: control latency. A rollout with slow installs is paused while its first wave is in
 * flight; after the pause is accepted no node may start. Then it is resumed and, with the next
 * wave in flight, aborted: how long until the last in-flight upgrade activity has ended?
 *
 * "Started" is judged twice: by the history (an `upgradeNode` scheduled after the pause update
 * completed: a real violation) and on the wire (a `backend.upgrade` seen after the client got the
 * pause's answer: may be a node scheduled just before the pause whose request was still travelling).
 */
import type { NatsConnection } from 'nats';
import { abort, getStatus, pause, resume, startRollout } from '../src/client/index.js';
import { connectNats } from '../src/nats/index.js';
import type { ControlParams } from './config.js';
import { say, simulatedNodes, sleep, startBenchFleet, uniqueName, withTimeout, type BenchFleet } from './harness.js';
import { fetchRunChain, kindOf, updateCompletions, upgradesScheduledBetween } from './history.js';
import { benchSpec, type ScenarioContext } from './rollout-run.js';

export interface ControlTrial {
  /** Fraction of the install time after the first wave started at which the pause was sent. */
  pauseAt: number;
  /** Pause sent → its answer received. */
  pauseUpdateMs: number;
  /** Nodes in flight when the pause was sent. */
  inFlightAtPause: number;
  /** `upgradeNode` activities the workflow scheduled after the pause completed (must be 0). */
  startsAfterPauseByHistory: number;
  /** `backend.upgrade` requests on the wire after the pause's answer reached the client. */
  requestsAfterPauseOnWire: number;
  /** Last `backend.upgrade` on the wire minus the pause's answer (negative: before it). */
  lastStartRelativeToPauseMs: number | undefined;
  /** Abort sent → its answer received. */
  abortUpdateMs: number;
  /** Nodes in flight when the abort was sent. */
  inFlightAtAbort: number;
  /** Abort answered → no pending activity left (polled with describe every 20 ms). */
  abortToActivitiesEndedMs: number;
  /** In-flight activities the workflow asked to cancel (history `activityTaskCancelRequested`). */
  cancelRequested: number;
  /** Activities whose cancellation the worker confirmed before the workflow closed (`activityTaskCanceled`). */
  cancelConfirmed: number;
  /** Abort answered → workflow result. */
  abortToResultMs: number;
  finalPhase: string;
}

/** Records when `backend.upgrade` requests to nodes of `prefix` cross NATS. */
async function observeUpgrades(natsUrl: string, prefix: string): Promise<{ nc: NatsConnection; times: number[] }> {
  const nc = await connectNats({ servers: [natsUrl], name: 'bench-control-observer' });
  const times: number[] = [];
  nc.subscribe('nodes.*.backend.upgrade', {
    callback: (_err, msg) => {
      if (msg.subject.startsWith(`nodes.${prefix}-`)) times.push(Date.now());
    },
  });
  await nc.flush();
  return { nc, times };
}

async function waitFor(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  pollMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

async function runTrial(
  ctx: ScenarioContext,
  params: ControlParams,
  taskQueue: string,
  pauseAt: number,
  trial: number,
): Promise<ControlTrial> {
  const backend = uniqueName(`bench-e${trial}`);
  const prefix = uniqueName(`e${trial}`);
  const client = ctx.servers.client;
  let fleet: BenchFleet | undefined;
  let observer: { nc: NatsConnection; times: number[] } | undefined;
  let workflowId: string | undefined;
  try {
    fleet = await startBenchFleet(
      ctx.servers.nats.url,
      simulatedNodes(prefix, backend, params.nodes, params.installMs),
      ctx.log,
    );
    observer = await observeUpgrades(ctx.servers.nats.url, prefix);
    const seen = observer.times;
    const started = await startRollout(client, benchSpec(backend, fleet.fleet.nodeIds.slice(), params.maxParallel), {
      taskQueue,
    });
    workflowId = started.workflowId;
    const handle = started.handle;

    await waitFor('the first wave', () => seen.length >= params.maxParallel, 60_000);
    const firstWaveAt = seen[0] as number;
    await sleep(Math.max(0, firstWaveAt + pauseAt * params.installMs - Date.now()));
    const inFlightAtPause = (await getStatus(client, backend, { nodes: 'none' })).status.counts.inFlight;
    const pauseSentAt = Date.now();
    await pause(client, backend, { reason: 'benchmark' });
    const pauseAnsweredAt = Date.now();
    say(`[e] trial ${trial + 1}: paused in ${pauseAnsweredAt - pauseSentAt} ms with ${inFlightAtPause} in flight`);

    // In-flight nodes finish; then hold on long enough for any wrongly started node to show.
    await waitFor(
      'the in-flight nodes to finish after the pause',
      async () => (await getStatus(client, backend, { nodes: 'none' })).status.counts.inFlight === 0,
      params.installMs * 4 + 30_000,
      100,
    );
    await sleep(Math.max(2_000, params.installMs));
    const afterPause = seen.filter((t) => t > pauseAnsweredAt);
    const beforePause = seen.filter((t) => t <= pauseAnsweredAt);
    const lastStart = afterPause.at(-1) ?? beforePause.at(-1);

    await resume(client, backend);
    const resumedCount = seen.length;
    await waitFor('the next wave after resume', () => seen.length >= resumedCount + params.maxParallel, 60_000);
    await sleep(params.installMs / 2);
    const inFlightAtAbort = (await getStatus(client, backend, { nodes: 'none' })).status.counts.inFlight;
    const abortSentAt = Date.now();
    await abort(client, backend, { reason: 'benchmark' });
    const abortAnsweredAt = Date.now();
    await waitFor(
      'the in-flight activities to end after the abort',
      async () => {
        const description = await handle.describe();
        return (description.raw.pendingActivities ?? []).length === 0 || description.status.name !== 'RUNNING';
      },
      60_000,
    );
    const activitiesEndedAt = Date.now();
    const result = await withTimeout(handle.result(), 60_000, 'the aborted rollout');
    const resultAt = Date.now();
    say(
      `[e] trial ${trial + 1}: aborted in ${abortAnsweredAt - abortSentAt} ms; activities ended ${activitiesEndedAt - abortAnsweredAt} ms later`,
    );

    const runs = await fetchRunChain(client, started.workflowId, started.runId);
    let startsAfterPause = 0;
    let cancelRequested = 0;
    let cancelConfirmed = 0;
    for (const run of runs) {
      const pauses = updateCompletions(run, 'pause');
      const resumes = updateCompletions(run, 'resume');
      for (const p of pauses) {
        const nextResume = resumes.find((r) => r.eventId > p.eventId)?.eventId ?? Infinity;
        startsAfterPause += upgradesScheduledBetween(run, p.eventId, nextResume);
      }
      for (const event of run.events) {
        const kind = kindOf(event);
        if (kind === 'activityTaskCancelRequested') cancelRequested += 1;
        if (kind === 'activityTaskCanceled') cancelConfirmed += 1;
      }
    }
    return {
      pauseAt,
      pauseUpdateMs: pauseAnsweredAt - pauseSentAt,
      inFlightAtPause,
      startsAfterPauseByHistory: startsAfterPause,
      requestsAfterPauseOnWire: afterPause.length,
      lastStartRelativeToPauseMs: lastStart === undefined ? undefined : lastStart - pauseAnsweredAt,
      abortUpdateMs: abortAnsweredAt - abortSentAt,
      inFlightAtAbort,
      abortToActivitiesEndedMs: activitiesEndedAt - abortAnsweredAt,
      cancelRequested,
      cancelConfirmed,
      abortToResultMs: resultAt - abortAnsweredAt,
      finalPhase: result.phase,
    };
  } catch (err) {
    if (workflowId !== undefined)
      await client.workflow
        .getHandle(workflowId)
        .terminate('benchmark clean-up')
        .catch(() => undefined);
    throw err;
  } finally {
    await observer?.nc.close();
    await fleet?.stop();
  }
}

/** Runs `params.trials` pause/abort trials on one worker process. */
export async function measureControl(ctx: ScenarioContext, params: ControlParams): Promise<ControlTrial[]> {
  const worker = ctx.workers.take('e');
  const taskQueue = worker.taskQueue;
  try {
    await withTimeout(worker.ready, 120_000, 'the worker process start');
    const trials: ControlTrial[] = [];
    for (let trial = 0; trial < params.trials; trial += 1) {
      const pauseAt = params.pauseAt[trial % params.pauseAt.length] ?? 0.5;
      trials.push(
        await withTimeout(
          runTrial(ctx, params, taskQueue, pauseAt, trial),
          params.timeoutMs,
          `control trial ${trial + 1}`,
        ),
      );
    }
    return trials;
  } finally {
    await worker.stop();
  }
}
