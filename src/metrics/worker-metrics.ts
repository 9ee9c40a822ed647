/**
 * Recording helpers for the orchestrator worker's own metrics outside workflows: NATS requests
 * (through the request observer hook) and legacy fallbacks (from the upgrade activity). They take
 * the meter to record on: the runtime's, or an activity's `Context.current().metricMeter`.
 */
import type { MetricMeter } from '@temporalio/common';
import type { RequestObservation } from '../nats/request-observer.js';
import { METRIC_HELP, NatsResult, subjectKind, WorkerMetric } from './definitions.js';

/** The name to give the meter: the exporter appends `_total` to counters itself. */
export function meterName(metric: string): string {
  return metric.replace(/_total$/, '');
}

const NATS_RESULT: Readonly<Record<RequestObservation['result'], NatsResult>> = {
  ok: NatsResult.Ok,
  'no-responders': NatsResult.NoResponders,
  timeout: NatsResult.Timeout,
  'malformed-reply': NatsResult.Malformed,
  'connection-lost': NatsResult.ConnectionLost,
};

/** Records one NATS request on `meter`. */
export function recordNatsRequest(meter: MetricMeter, observation: RequestObservation): void {
  const tags = { subject_kind: subjectKind(observation.subject), result: NATS_RESULT[observation.result] };
  meter
    .createCounter(meterName(WorkerMetric.NatsRequests), undefined, METRIC_HELP[WorkerMetric.NatsRequests])
    .add(1, tags);
  meter
    .createHistogram(
      WorkerMetric.NatsRequestDuration,
      'float',
      undefined,
      METRIC_HELP[WorkerMetric.NatsRequestDuration],
    )
    .record(observation.durationMs / 1000, tags);
}

/** Records a legacy fallback (from the upgrade activity). */
export function recordLegacyFallback(meter: MetricMeter, backend: string): void {
  meter
    .createCounter(meterName(WorkerMetric.LegacyFallbacks), undefined, METRIC_HELP[WorkerMetric.LegacyFallbacks])
    .add(1, { backend });
}
