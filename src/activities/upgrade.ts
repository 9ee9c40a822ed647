/**
 * `upgradeNode`: one upgrade request to one node, exactly as PROTOCOL.md §5 asks. Subscribes to
 * the op's progress subject and flushes before sending; heartbeats the latest progress; falls
 * back to the legacy forced install on *no responders*; turns every outcome into a typed result
 * or an `ApplicationFailure` whose type the workflow branches on.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { FailureType } from '../domain/failures.js';
import { parseHeartbeat } from '../domain/heartbeat.js';
import { installSourceOf } from '../domain/install-source.js';
import { MessageType, subjects, SubjectTokenError, type MessageInput, type MessageValue } from '../protocol/index.js';
import { listenProgress, NatsRequestError, RequestFailure, requestMessage, type ProgressEvent } from '../nats/index.js';
import { recordLegacyFallback } from '../metrics/worker-metrics.js';
import type { ActivityDeps } from './deps.js';
import { checkInstalled } from './verify.js';
import type { UpgradeHeartbeat, UpgradeInput, UpgradeOutput } from './types.js';

/** Interval of liveness heartbeats while a request is outstanding (delivers cancellation promptly). */
const HEARTBEAT_EVERY_MS = 1_000;

/** Rejects when the activity is cancelled, so a pending NATS request stops being awaited at once. */
async function raceCancel<T>(work: Promise<T>): Promise<T> {
  const cancelled = Context.current().cancelled;
  return await Promise.race([
    work,
    cancelled.then(() => {
      throw new CancelledFailure('upgrade cancelled');
    }),
  ]);
}

export function makeUpgradeNode(deps: ActivityDeps) {
  return async function upgradeNode(input: UpgradeInput): Promise<UpgradeOutput> {
    const ctx = Context.current();
    if (ctx.info.attempt > 1) {
      // A retry means an earlier attempt may have reached the worker: never re-send blindly. Its
      // last heartbeat says whether it had fallen back to the legacy install: keep that fact.
      const earlier = parseHeartbeat(ctx.info.heartbeatDetails);
      throw ApplicationFailure.nonRetryable(
        `attempt ${ctx.info.attempt}: an earlier attempt may have reached ${input.nodeId}; verifying before any re-send`,
        FailureType.WorkerStillInstalling,
        { fallback: earlier?.fallback === true },
      );
    }
    const log = deps.log.child({ nodeId: input.nodeId, opId: input.opId });
    let upgradeSubject: string, installSubject: string, progressSubject: string;
    try {
      upgradeSubject = subjects.upgrade(input.nodeId);
      installSubject = subjects.install(input.nodeId);
      progressSubject = subjects.progress(input.nodeId, input.opId);
    } catch (err) {
      if (err instanceof SubjectTokenError)
        throw ApplicationFailure.nonRetryable(err.message, FailureType.InvalidTargets);
      throw err;
    }
    let latest: ProgressEvent | undefined;
    let fallback = false;
    const beat = (): void => {
      const details: UpgradeHeartbeat = { nodeId: input.nodeId, at: Date.now(), ...(fallback ? { fallback } : {}) };
      if (latest !== undefined) {
        details.pct = latest.percentage;
        if (latest.phase !== undefined) details.phase = latest.phase;
        if (latest.fileName !== undefined) details.fileName = latest.fileName;
      }
      // The context is captured: NATS callbacks and timers run outside the activity's async scope.
      ctx.heartbeat(details);
    };
    const progress = await listenProgress(deps.nc, progressSubject, (event) => {
      latest = event;
      beat();
    });
    const ticker = setInterval(beat, HEARTBEAT_EVERY_MS);
    beat();
    const { galleries, ...explicit } = installSourceOf(input);
    const common = {
      backend: input.backend,
      ...(galleries !== undefined ? { backendGalleries: galleries } : {}),
      ...explicit,
      opId: input.opId,
    };
    try {
      log.info({ subject: upgradeSubject }, 'sending backend.upgrade');
      let result: UpgradeOutput;
      try {
        const reply = await sendUpgrade(deps, input.opId, upgradeSubject, common, input.timeoutMs);
        if (!reply.success) {
          throw ApplicationFailure.nonRetryable(
            `${input.nodeId} rejected the upgrade: ${reply.error ?? '(no error text)'}`,
            FailureType.UpgradeRejected,
            {
              fallback,
              stoppedProcessKeys: reply.reportsStoppedProcesses ? reply.stoppedProcessKeys : [],
            },
          );
        }
        result = {
          fallback,
          stoppedProcessKeys: reply.stoppedProcessKeys,
          reportsStoppedProcesses: reply.reportsStoppedProcesses,
        };
      } catch (err) {
        if (!(err instanceof NatsRequestError && err.kind === RequestFailure.NoResponders)) throw err;
        fallback = true;
        beat();
        recordLegacyFallback(input.backend);
        log.info(
          { subject: installSubject },
          'no responders for backend.upgrade; falling back to backend.install with force',
        );
        const reply = await raceCancel(
          requestMessage(
            deps.nc,
            installSubject,
            MessageType.BackendInstallRequest,
            { ...common, force: true },
            MessageType.BackendInstallReply,
            input.timeoutMs,
          ),
        );
        if (!reply.success) {
          throw ApplicationFailure.nonRetryable(
            `${input.nodeId} rejected the legacy forced install: ${reply.error ?? '(no error text)'}`,
            FailureType.UpgradeRejected,
            {
              fallback,
              stoppedProcessKeys: [],
            },
          );
        }
        result = { fallback, stoppedProcessKeys: [], reportsStoppedProcesses: false };
      }
      if (latest !== undefined) result.lastProgressPct = latest.percentage;
      if (input.verifyAfter !== undefined) {
        try {
          result.verification = await checkInstalled(deps, {
            ...input.verifyAfter,
            nodeId: input.nodeId,
            backend: input.backend,
          });
        } catch (err) {
          // The upgrade itself succeeded; the workflow verifies separately when this check could not run.
          log.warn({ err: (err as Error).message }, 'backend.list after the upgrade failed; verifying separately');
        }
      }
      return result;
    } catch (err) {
      throw toFailure(err, input, fallback);
    } finally {
      clearInterval(ticker);
      progress.stop();
      if (progress.foreign > 0)
        log.warn({ dropped: progress.foreign }, 'dropped progress events that named another node than their subject');
    }
  };
}

/**
 * Sends the upgrade with its own reply inbox. When no reply comes in time the inbox keeps
 * listening, so verification can still learn the process keys the worker killed.
 */
async function sendUpgrade(
  deps: ActivityDeps,
  opId: string,
  subject: string,
  request: MessageInput<typeof MessageType.BackendUpgradeRequest>,
  timeoutMs: number,
): Promise<MessageValue<typeof MessageType.BackendUpgradeReply>> {
  const inbox = deps.lateReplies?.open(opId);
  let timedOut = false;
  try {
    return await raceCancel(
      requestMessage(
        deps.nc,
        subject,
        MessageType.BackendUpgradeRequest,
        request,
        MessageType.BackendUpgradeReply,
        timeoutMs,
        {
          ...(inbox !== undefined ? { inbox: inbox.inbox } : {}),
        },
      ),
    );
  } catch (err) {
    timedOut = err instanceof NatsRequestError && err.kind === RequestFailure.Timeout;
    throw err;
  } finally {
    if (timedOut) inbox?.keep();
    else inbox?.close();
  }
}

function toFailure(err: unknown, input: UpgradeInput, fallback: boolean): unknown {
  if (!(err instanceof NatsRequestError)) return err;
  switch (err.kind) {
    case RequestFailure.NoResponders:
      return ApplicationFailure.nonRetryable(
        `${input.nodeId} is unreachable: no responders for backend.upgrade nor for the legacy backend.install`,
        FailureType.NodeUnreachable,
        { fallback },
      );
    case RequestFailure.Timeout:
      return ApplicationFailure.nonRetryable(
        `no reply from ${input.nodeId} within ${input.timeoutMs} ms: the worker is probably still installing`,
        FailureType.WorkerStillInstalling,
        { fallback },
      );
    case RequestFailure.MalformedReply:
      return ApplicationFailure.nonRetryable(
        `${input.nodeId} sent an invalid reply: ${err.message}`,
        FailureType.InvalidReply,
        { fallback, field: err.field },
      );
    case RequestFailure.ConnectionLost:
      return ApplicationFailure.retryable(err.message, FailureType.ConnectionLost, { fallback });
  }
}
