/**
 * Scraping `/metrics` in tests: fetch, parse with a Prometheus text-format parser
 * (prom2javascript: it keeps the labels, sum and count of every labelled histogram series and
 * rejects malformed lines), look samples up by labels, and run `promtool check metrics` on the text.
 */
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { getMetricsFromStream, type PromData, type PromHistogramData, type PromMetrics } from 'prom2javascript';

/** The raw text and the parsed families of one scrape. */
export interface Scrape {
  text: string;
  metrics: PromMetrics;
}

/** GETs `url` and parses the Prometheus text it answers. */
export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const text = await res.text();
  return { text, metrics: await getMetricsFromStream(Readable.from([text])) };
}

function matches(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** Sum of the samples of counter or gauge `name` whose labels include `labels` (0 when none). */
export function sampleSum(metrics: PromMetrics, name: string, labels: Record<string, string> = {}): number {
  const family = metrics[name];
  if (family === undefined) return 0;
  if (family.type !== 'counter' && family.type !== 'gauge') throw new Error(`${name} is a ${family.type}`);
  return (family.data as PromData[]).filter((d) => matches(d.labels, labels)).reduce((sum, d) => sum + d.value, 0);
}

/** The series of histogram `name` whose labels include `labels`. */
export function histogramSeries(
  metrics: PromMetrics,
  name: string,
  labels: Record<string, string> = {},
): PromHistogramData[] {
  const family = metrics[name];
  if (family === undefined) return [];
  if (family.type !== 'histogram') throw new Error(`${name} is a ${family.type}`);
  return (family.data as PromHistogramData[]).filter((d) => matches(d.labels, labels));
}

/** Runs `promtool check metrics` on `text`; returns its complaints ('' when there are none). */
export function promtoolCheck(promtool: string, text: string): string {
  try {
    return execFileSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message;
  }
}
