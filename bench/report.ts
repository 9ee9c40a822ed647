/**
 * The shape of a benchmark result file, the target checks of each scenario, and the Markdown table
 * printed at the end. Pure: rendering and checks take data and return data.
 */
import type { ScenarioId } from './config.js';
import { overheadRatio } from './stats.js';

/** A headline number (or flag) of a scenario; `null` when it could not be measured. */
export type Metric = number | boolean | string | null;

/** One target of a scenario, checked against a measured value. */
export interface TargetCheck {
  /** What is compared, e.g. `efficiency`. */
  metric: string;
  /** The target as text, e.g. `≥ 0.97`. */
  target: string;
  value: Metric;
  /** `null` when the value is missing. */
  met: boolean | null;
}

/** The result of one scenario. Scenarios a and b carry `efficiency` and `overheadRatio` at this level. */
export interface ScenarioResult {
  id: ScenarioId;
  title: string;
  status: 'ok' | 'error';
  /** Sizes and knobs the scenario ran with. */
  params: Record<string, number | string>;
  startedAt: string;
  /** `os.loadavg()` (1, 5, 15 min) when the scenario started: other work on the machine skews timings. */
  loadAverage: number[];
  /** Wall time of the whole scenario, set-up and clean-up included. */
  wallMs: number;
  /** Why the scenario could not be measured (status `error`). */
  error?: string;
  /** ideal / makespan (scenarios a and b). */
  efficiency?: number | null;
  /** ours / baseline makespan (scenarios a and b; `null` when the other one failed). */
  overheadRatio?: number | null;
  /** Headline measurements, in table order. */
  metrics: Record<string, Metric>;
  targets: TargetCheck[];
  /** Breakdowns that explain the headline numbers (history, resources, distributions). */
  details?: Record<string, unknown>;
}

export interface MachineInfo {
  platform: string;
  arch: string;
  osRelease: string;
  cpuModel: string;
  cores: number;
  totalMemoryBytes: number;
  totalMemoryGiB: number;
  /** `os.loadavg()` (1, 5, 15 min) when the run started. */
  loadAverage: number[];
}

export interface VersionInfo {
  node: string;
  temporalCli: string;
  natsServer: string;
  packages: Record<string, string>;
}

export interface BenchReport {
  mode: 'full' | 'quick';
  startedAt: string;
  finishedAt?: string;
  machine: MachineInfo;
  versions: VersionInfo;
  /** Where the servers' and workers' logs of this run are. */
  logDir: string;
  /** Why the run stopped before its scenarios (servers could not start). */
  error?: string;
  scenarios: Partial<Record<ScenarioId, ScenarioResult>>;
}

/** `value ≥ min`. */
export function atLeast(metric: string, value: number | null | undefined, min: number): TargetCheck {
  return {
    metric,
    target: `≥ ${formatMetric(metric, min)}`,
    value: value ?? null,
    met: value === undefined || value === null ? null : value >= min,
  };
}

/** `value ≤ max`; the target is rendered in the metric's unit (`perNodeMs` → `≤ 20 ms`). */
export function atMost(metric: string, value: number | null | undefined, max: number): TargetCheck {
  return {
    metric,
    target: `≤ ${formatMetric(metric, max)}`,
    value: value ?? null,
    met: value === undefined || value === null ? null : value <= max,
  };
}

/** `value === expected`. */
export function equals(metric: string, value: Metric | undefined, expected: number | boolean): TargetCheck {
  return {
    metric,
    target: `= ${formatMetric(metric, expected)}`,
    value: value ?? null,
    met: value === undefined || value === null ? null : value === expected,
  };
}

/** Numbers with at most 4 significant digits after the point, without trailing zeros. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 4;
  return Number(value.toFixed(digits)).toString();
}

/** Milliseconds as `850 ms`, `12.3 s` or `2 min 05 s`. */
export function formatDuration(ms: number): string {
  if (Math.abs(ms) < 1_000) return `${formatNumber(Math.round(ms * 10) / 10)} ms`;
  if (Math.abs(ms) < 120_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 1_000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** `makespanMs` → `makespan`, `historyEventsPerNode` → `history events per node`. */
export function labelOf(key: string): string {
  const base = key.replace(/(Ms|MiB|Bytes)$/, '');
  return base
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
}

/** A metric rendered for a table cell; the unit follows from the key's suffix (`…Ms`, `…MiB`). */
export function formatMetric(key: string, value: Metric): string {
  if (value === null) return 'n/a';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  if (key.endsWith('Ms')) return formatDuration(value);
  if (key.endsWith('MiB')) return `${formatNumber(value)} MiB`;
  return formatNumber(value);
}

/** Escapes what would break a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A Markdown table. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

function metFlag(met: boolean | null): string {
  if (met === null) return '?';
  return met ? 'yes' : 'NO';
}

/** One row per scenario: what ran, what was measured, each target with its value and whether it was met. */
export function renderScenarioRows(scenarios: readonly ScenarioResult[]): string[][] {
  return scenarios.map((s) => {
    const params = Object.entries(s.params)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`)
      .join(' ');
    const measured =
      s.status === 'error'
        ? `error: ${s.error ?? 'unknown'}`
        : Object.entries(s.metrics)
            .map(([k, v]) => `${labelOf(k)} ${formatMetric(k, v)}`)
            .join(', ');
    const targets =
      s.targets.length === 0
        ? '—'
        : s.targets.map((t) => `${t.metric} ${t.target}: ${formatMetric(t.metric, t.value)}`).join('; ');
    const met = s.targets.length === 0 ? '—' : s.targets.map((t) => metFlag(t.met)).join(', ');
    return [s.id, s.title, params, measured, targets, met];
  });
}

/** The Markdown summary of a run: a heading naming the machine and versions, then the table. */
export function renderMarkdown(report: BenchReport): string {
  const order = Object.values(report.scenarios).filter((s): s is ScenarioResult => s !== undefined);
  const m = report.machine;
  const v = report.versions;
  const heading = [
    `### fleet-rollout benchmark (${report.mode}), ${report.startedAt}`,
    '',
    `Machine: ${m.cores} cores (${m.cpuModel}), ${formatNumber(m.totalMemoryGiB)} GiB, ${m.platform} ${m.osRelease}, ` +
      `load average ${m.loadAverage.map((l) => formatNumber(l)).join(' / ')} at the start. ` +
      `Versions: node ${v.node}, Temporal CLI ${v.temporalCli}, nats-server ${v.natsServer}, ` +
      `@temporalio/worker ${v.packages['@temporalio/worker'] ?? '?'}, nats.js ${v.packages['nats'] ?? '?'}.`,
    '',
  ];
  const table = renderTable(['', 'scenario', 'parameters', 'measured', 'targets', 'met'], renderScenarioRows(order));
  return [...heading, table, ''].join('\n');
}

/** `2025-01-31T12-34-56.789Z`: an ISO timestamp with the colons a file name cannot always hold replaced. */
export function resultFileName(date: Date): string {
  return `${date.toISOString().replace(/:/g, '-')}.json`;
}

/** Puts ours / baseline into both a and b, and checks the target on b. */
export function linkOverhead(report: BenchReport): void {
  const a = report.scenarios.a;
  const b = report.scenarios.b;
  if (a === undefined || b === undefined) return;
  const ours = a.status === 'ok' ? a.metrics['makespanMs'] : undefined;
  const baseline = b.status === 'ok' ? b.metrics['baselineMakespanMs'] : undefined;
  const ratio = typeof ours === 'number' && typeof baseline === 'number' ? overheadRatio(ours, baseline) : null;
  a.overheadRatio = ratio;
  b.overheadRatio = ratio;
  if (a.status === 'ok') a.metrics['overheadRatio'] = ratio;
  if (b.status === 'ok') {
    b.metrics['overheadRatio'] = ratio;
    b.targets = [atMost('overheadRatio', ratio, 1.03)];
  }
}
