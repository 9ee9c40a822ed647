/**
 * The worker side of the workflows' `fleetMetrics` sink: records on the runtime's metric meter
 * (served by its Prometheus exporter), adds the `namespace` and `task_queue` labels, and runs on
 * non-replay only. Metric objects are cached: creating one is a call into the native runtime.
 */
import type { InjectedSinks } from '@temporalio/worker';
import type { MetricMeter } from '@temporalio/common';
import type { FleetMetricsSinks, MetricLabels } from '../workflows/metrics.js';
import { METRIC_HELP, type WorkerMetric } from './definitions.js';
import { meterName } from './worker-metrics.js';

/** The injected `fleetMetrics` sink, recording on `meter` (evaluated at each call). */
export function workflowMetricsSinks(meter: () => MetricMeter): InjectedSinks<FleetMetricsSinks> {
  const counters = new Map<string, ReturnType<MetricMeter['createCounter']>>();
  const histograms = new Map<string, ReturnType<MetricMeter['createHistogram']>>();
  const gauges = new Map<string, ReturnType<MetricMeter['createGauge']>>();
  const cached = <T>(cache: Map<string, T>, metric: string, create: () => T): T => {
    let found = cache.get(metric);
    if (found === undefined) {
      found = create();
      cache.set(metric, found);
    }
    return found;
  };
  const labelsOf = (info: { namespace: string; taskQueue: string }, labels: MetricLabels): MetricLabels => ({
    ...labels,
    namespace: info.namespace,
    task_queue: info.taskQueue,
  });
  return {
    fleetMetrics: {
      count: {
        fn: (info, metric: WorkerMetric, value: number, labels: MetricLabels) =>
          cached(counters, metric, () => meter().createCounter(meterName(metric), undefined, METRIC_HELP[metric])).add(
            value,
            labelsOf(info, labels),
          ),
        callDuringReplay: false,
      },
      observe: {
        fn: (info, metric: WorkerMetric, value: number, labels: MetricLabels) =>
          cached(histograms, metric, () =>
            meter().createHistogram(metric, 'float', undefined, METRIC_HELP[metric]),
          ).record(value, labelsOf(info, labels)),
        callDuringReplay: false,
      },
      gauge: {
        fn: (info, metric: WorkerMetric, value: number, labels: MetricLabels) =>
          cached(gauges, metric, () => meter().createGauge(metric, 'int', undefined, METRIC_HELP[metric])).set(
            value,
            labelsOf(info, labels),
          ),
        callDuringReplay: false,
      },
    },
  };
}
