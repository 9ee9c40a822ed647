/**
 * Deduplication by op id (our extension, PROTOCOL.md §6): a request carrying the op id of an
 * operation in flight joins it and gets the same reply; one carrying the op id of a finished
 * operation gets the recorded reply without running again. Finished entries are kept for a
 * bounded time and count, oldest evicted first.
 */

/** Bounds of the finished-operation record. */
export interface OpDedupOptions {
  /** How long a finished reply is kept. @default 3_600_000 (one hour) */
  ttlMs?: number;
  /** How many finished replies are kept. @default 10_000 */
  maxEntries?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** How a call to {@link OpDedup.run} was served. */
export const DedupOutcome = { Ran: 'ran', Joined: 'joined', Recorded: 'recorded' } as const;
export type DedupOutcome = (typeof DedupOutcome)[keyof typeof DedupOutcome];

/** Runs operations at most once per key while their result is remembered. */
export class OpDedup<T> {
  private readonly inFlight = new Map<string, Promise<T>>();
  private readonly finished = new Map<string, { value: T; at: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: OpDedupOptions = {}) {
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Runs `fn` under `key`, joins the run in flight, or returns the recorded result. A run that
   * throws is not recorded: the next request with that key runs again.
   */
  async run(key: string, fn: () => Promise<T>): Promise<{ value: T; outcome: DedupOutcome }> {
    const running = this.inFlight.get(key);
    if (running !== undefined) return { value: await running, outcome: DedupOutcome.Joined };
    const recorded = this.lookup(key);
    if (recorded !== undefined) return { value: recorded, outcome: DedupOutcome.Recorded };
    const promise = fn();
    this.inFlight.set(key, promise);
    try {
      const value = await promise;
      this.record(key, value);
      return { value, outcome: DedupOutcome.Ran };
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Number of finished operations remembered. */
  get size(): number {
    return this.finished.size;
  }

  private lookup(key: string): T | undefined {
    const entry = this.finished.get(key);
    if (entry === undefined) return undefined;
    if (this.now() - entry.at > this.ttlMs) {
      this.finished.delete(key);
      return undefined;
    }
    return entry.value;
  }

  private record(key: string, value: T): void {
    const now = this.now();
    this.finished.delete(key);
    this.finished.set(key, { value, at: now });
    // Map iteration is insertion order, so the first entries are the oldest.
    for (const [oldKey, entry] of this.finished) {
      if (this.finished.size <= this.maxEntries && now - entry.at <= this.ttlMs) break;
      this.finished.delete(oldKey);
    }
  }
}
