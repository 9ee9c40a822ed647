/**
 * The audit trail of a rollout's controls: every update the workflow accepted (pause, resume,
 * abort, promote, skip, retry, setMaxParallel), who sent it (the client's identity, `user@host`
 * from the CLI), when, and the reason it carried, read from the workflow history of the run and
 * of the runs it continued from, oldest first.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

/** One accepted control. */
export interface ControlEvent {
  /** ISO 8601 time the workflow accepted it. */
  at: string;
  /** The update's name: `pause`, `abort`, `skipNode`, … */
  control: string;
  /** Identity of the client that sent it. */
  by: string | null;
  /** The `reason` it carried (pause, resume, promote, abort), if any. */
  reason: string | null;
  /** Its other argument (a node id, a number, `--full` of a promote), as text. */
  argument: string | null;
  runId: string;
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type Timestamp = { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null | undefined;

function isoOf(ts: Timestamp): string {
  const seconds = ts?.seconds ?? 0;
  const whole = typeof seconds === 'number' ? seconds : seconds.toNumber();
  return new Date(whole * 1_000 + (ts?.nanos ?? 0) / 1e6).toISOString();
}

function decode(payload: Parameters<typeof defaultPayloadConverter.fromPayload>[0] | undefined): unknown {
  if (payload === undefined) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(payload);
  } catch {
    return undefined;
  }
}

/** How many earlier runs of one rollout are read at most (continue-as-new chains). */
const MAX_RUNS = 50;

/**
 * The accepted controls of `runId` and the runs it continued from, oldest first.
 * @param options.maxRuns how many runs of the chain to read, newest first. @default 50
 */
export async function controlEvents(
  client: Client,
  workflowId: string,
  runId: string,
  options: { maxRuns?: number } = {},
): Promise<ControlEvent[]> {
  const perRun: ControlEvent[][] = [];
  let current: string | undefined = runId;
  while (current !== undefined && current !== '' && perRun.length < (options.maxRuns ?? MAX_RUNS)) {
    const history: History = await client.workflow.getHandle(workflowId, current).fetchHistory();
    const events: ControlEvent[] = [];
    for (const event of history.events ?? []) {
      const request = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      if (request === undefined || request === null) continue;
      const arg = decode(request.input?.args?.payloads?.[0] ?? undefined);
      const reason = (arg as { reason?: unknown } | undefined)?.reason;
      const full = (arg as { full?: unknown } | undefined)?.full === true;
      const plain = typeof arg === 'string' || typeof arg === 'number' ? String(arg) : full ? '--full' : null;
      events.push({
        at: isoOf(event.eventTime),
        control: request.input?.name ?? '?',
        by: request.meta?.identity ?? null,
        reason: typeof reason === 'string' ? reason : null,
        argument: plain,
        runId: current,
      });
    }
    perRun.unshift(events);
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    current = started?.continuedExecutionRunId ?? undefined;
  }
  return perRun.flat();
}
