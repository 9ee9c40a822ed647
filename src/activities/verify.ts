/**
 * `verifyNode`: did the upgrade land? Optionally listens for progress on the op first (a worker
 * past the request timeout is often still installing and says so), then asks `backend.list`.
 * Applied means `installed_at` or `digest` differs from the pre-upgrade record and, when a target
 * version is given, the node reports that version (or digest).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { FailureType } from '../domain/failures.js';
import type { UpgradeHeartbeat } from '../domain/heartbeat.js';
import { MessageType, subjects } from '../protocol/index.js';
import { listenProgress, NatsRequestError, RequestFailure, requestMessage } from '../nats/index.js';
import type { ActivityDeps } from './deps.js';
import type { LateReply } from './late-replies.js';
import { LIST_TIMEOUT_MS } from '../nats/discovery.js';
import { findMisnamedInstall, installedRecordOf, judgeInstall } from '../domain/verification.js';
import {
  VerifyVerdict,
  type InstalledRecord,
  type TargetCheck,
  type LateUpgradeReply,
  type VerifyInput,
  type VerifyOutput,
} from './types.js';

export function makeVerifyNode(deps: ActivityDeps) {
  return async function verifyNode(input: VerifyInput): Promise<VerifyOutput> {
    const ctx = Context.current();
    let progressEvents = 0;
    let lastProgressPct: number | undefined;
    const listenMs = input.listenMs ?? 0;
    if (listenMs > 0 && input.opId !== undefined) {
      const listener = await listenProgress(deps.nc, subjects.progress(input.nodeId, input.opId), (event) => {
        progressEvents += 1;
        lastProgressPct = event.percentage;
        const beat: UpgradeHeartbeat = { nodeId: input.nodeId, pct: event.percentage, at: Date.now() };
        if (event.phase !== undefined) beat.phase = event.phase;
        ctx.heartbeat(beat);
      });
      try {
        await ctx.sleep(listenMs);
      } finally {
        listener.stop();
        if (listener.foreign > 0)
          deps.log.warn(
            { nodeId: input.nodeId, dropped: listener.foreign },
            'dropped progress events that named another node than their subject',
          );
      }
    }
    const checked = await checkInstalled(deps, input);
    const out: VerifyOutput = { ...checked, progressEvents };
    if (lastProgressPct !== undefined) out.lastProgressPct = lastProgressPct;
    const late =
      input.opId === undefined
        ? undefined
        : checked.verdict === VerifyVerdict.Applied
          ? await deps.lateReplies?.wait(input.opId, LATE_REPLY_GRACE_MS)
          : deps.lateReplies?.read(input.opId);
    if (late !== undefined) out.lateReply = lateUpgradeReply(late);
    return out;
  };
}

/** How long a verification that found the upgrade applied waits for the upgrade's late reply. */
const LATE_REPLY_GRACE_MS = 2_000;

function lateUpgradeReply(late: LateReply): LateUpgradeReply {
  if (!late.ok) return { kind: 'malformed', error: late.error };
  const { success, error, reportsStoppedProcesses, stoppedProcessKeys } = late.reply;
  return {
    kind: 'replied',
    success,
    ...(error !== undefined && error !== '' ? { error } : {}),
    ...(reportsStoppedProcesses ? { stoppedProcessKeys } : {}),
  };
}

/** What one `backend.list` says about the upgrade. */
export interface InstallCheck {
  verdict: VerifyVerdict;
  detail: string;
  installed?: InstalledRecord;
  decidedBy?: string;
}

/**
 * One `backend.list` judged against the baseline. Used by `verifyNode` and, right after a
 * successful reply, by `upgradeNode` (saving a round trip per node).
 */
export async function checkInstalled(
  deps: ActivityDeps,
  input: { nodeId: string; backend: string; before: InstalledRecord; targetVersion?: string } & TargetCheck,
): Promise<InstallCheck> {
  try {
    const reply = await requestMessage(
      deps.nc,
      subjects.list(input.nodeId),
      MessageType.BackendListRequest,
      {},
      MessageType.BackendListReply,
      deps.listTimeoutMs ?? LIST_TIMEOUT_MS,
    );
    const entry = reply.backends.find((b) => b.name === (input.concrete ?? input.backend));
    const installed = entry === undefined ? undefined : installedRecordOf(entry);
    const check: InstallCheck = judgeInstall(input.before, installed, input.targetVersion, input);
    if (installed !== undefined) check.installed = installed;
    if (check.verdict !== VerifyVerdict.Applied && input.uri !== undefined) {
      const other = findMisnamedInstall(input.uri, input.backend, reply.backends);
      if (other !== undefined) {
        // Polling would never see it under the expected name: fail the node now.
        check.verdict = VerifyVerdict.Mismatch;
        check.detail = `the node installed ${input.uri} as "${other}", not "${input.backend}": pass --name ${input.backend} with --uri`;
        check.decidedBy = 'uri';
      }
    }
    return check;
  } catch (err) {
    if (err instanceof NatsRequestError && err.kind === RequestFailure.MalformedReply) {
      throw ApplicationFailure.nonRetryable(
        `${input.nodeId} sent an invalid backend.list reply: ${err.message}`,
        FailureType.InvalidReply,
        { field: err.field },
      );
    }
    if (err instanceof NatsRequestError) {
      // A node that is restarting or busy may not answer for a while: retried with backoff.
      throw ApplicationFailure.retryable(`cannot verify ${input.nodeId}: ${err.message}`, FailureType.NodeUnreachable);
    }
    throw err;
  }
}
