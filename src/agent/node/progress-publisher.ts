/**
 * Progress events for one operation, debounced like LocalAI's publisher: the first tick after a
 * quiet interval goes out at once, ticks inside the interval overwrite one buffered event that a
 * trailing timer sends, and `flush()` always sends the last buffered event.
 */
import { encodeMessageBytes, MessageType, type InstallPhase } from '../../protocol/index.js';

/** One progress observation from an installer. */
export interface ProgressTick {
  phase: InstallPhase;
  /** 0–100; resets per phase. */
  percentage: number;
  fileName?: string;
  /** Bytes done so far (rendered as an IEC size such as `412.3 MiB`). */
  currentBytes?: number;
  /** Total bytes when known. */
  totalBytes?: number;
}

/** Where installers report progress; a no-op when the request had no op id. */
export type ProgressSink = (tick: ProgressTick) => void;

/** A sink that drops every tick. */
export const NO_PROGRESS: ProgressSink = () => undefined;

/** What a {@link ProgressPublisher} needs. */
export interface ProgressPublisherOptions {
  publish: (subject: string, payload: Uint8Array) => void;
  /** `subjects.progress(node, op)`. */
  subject: string;
  opId: string;
  /** The node id, unsanitised: LocalAI's frontend keys its per-node status on it. */
  nodeId: string;
  backend: string;
  /** Minimum spacing of events. @default 250 */
  intervalMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** Debounced publisher of `BackendInstallProgressEvent`s for one operation. */
export class ProgressPublisher {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private buffered: ProgressTick | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private sent = 0;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ProgressPublisherOptions) {
    this.intervalMs = options.intervalMs ?? 250;
    this.now = options.now ?? Date.now;
  }

  /** The sink to hand to an installer. */
  readonly sink: ProgressSink = (tick) => this.tick(tick);

  /** Number of events published so far. */
  get published(): number {
    return this.sent;
  }

  /** Records a tick: published at once after a quiet interval, else buffered for the trailing timer. */
  tick(tick: ProgressTick): void {
    if (this.closed) return;
    const now = this.now();
    if (this.timer === undefined && now - this.lastSentAt >= this.intervalMs) {
      this.send(tick);
      return;
    }
    this.buffered = tick;
    if (this.timer === undefined) {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          const pending = this.buffered;
          this.buffered = undefined;
          if (pending !== undefined && !this.closed) this.send(pending);
        },
        this.lastSentAt + this.intervalMs - now,
      );
    }
  }

  /** Sends the buffered tick, if any, and stops accepting ticks. Call when the operation ends, success or not. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.buffered;
    this.buffered = undefined;
    if (pending !== undefined && !this.closed) this.send(pending);
    this.closed = true;
  }

  private send(tick: ProgressTick): void {
    this.lastSentAt = this.now();
    this.sent += 1;
    const { opId, nodeId, backend } = this.options;
    const event = {
      opId,
      nodeId,
      backend,
      percentage: clampPercentage(tick.percentage),
      phase: tick.phase,
      ...(tick.fileName !== undefined ? { fileName: tick.fileName } : {}),
      ...(tick.currentBytes !== undefined ? { current: formatIecBytes(tick.currentBytes) } : {}),
      ...(tick.totalBytes !== undefined ? { total: formatIecBytes(tick.totalBytes) } : {}),
    };
    try {
      this.options.publish(this.options.subject, encodeMessageBytes(MessageType.BackendInstallProgressEvent, event));
    } catch {
      // Progress is best effort: a closed connection must not fail the install it reports on.
    }
  }
}

function clampPercentage(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(100, Math.max(0, value));
}

const IEC_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** A byte count as LocalAI's downloader writes it: `812 B`, `412.3 MiB` (IEC units, one decimal). */
export function formatIecBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.max(0, Math.round(bytes))} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < IEC_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${IEC_UNITS[unit] ?? 'PiB'}`;
}
