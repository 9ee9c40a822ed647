/**
 * The orchestrator worker's `/metrics`: the Temporal runtime's Prometheus exporter serves the
 * SDK's own worker metrics and ours on one endpoint. Activities and plain worker code record
 * through the runtime's metric meter; workflows through the workflow `metricMeter`
 * (`src/workflows/metrics.ts`), which the runtime forwards on non-replay only.
 */
import { Runtime, type TelemetryOptions } from '@temporalio/worker';
import { observeRequests } from '../nats/request-observer.js';
import { HISTOGRAM_BUCKETS } from './definitions.js';
import { formatListenAddress, type ListenAddress } from './listen-address.js';
import { recordNatsRequest } from './worker-metrics.js';

/**
 * Telemetry options that serve Prometheus text on `http://address/metrics`: counters end in
 * `_total`, durations are seconds, and our histograms use our buckets.
 */
export function prometheusTelemetry(address: ListenAddress): TelemetryOptions {
  return {
    metrics: {
      prometheus: {
        bindAddress: formatListenAddress(address),
        countersTotalSuffix: true,
        useSecondsForDurations: true,
        histogramBucketOverrides: Object.fromEntries(
          Object.entries(HISTOGRAM_BUCKETS).map(([name, buckets]) => [name, [...buckets]]),
        ),
      },
    },
  };
}

/**
 * Starts counting this process's NATS requests on the runtime's meter (installed first);
 * returns the function that stops it.
 */
export function countNatsRequests(): () => void {
  const meter = Runtime.instance().metricMeter;
  return observeRequests((observation) => recordNatsRequest(meter, observation));
}
