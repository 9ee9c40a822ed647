/**
 * A per-key async mutex: operations on one backend run one after another, in arrival order;
 * operations on different backends run in parallel. LocalAI's worker uses the same rule
 * (`lockBackend`), keyed by the literal backend name.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier operation on `key` has settled; resolves or rejects with `fn`'s outcome. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    try {
      await previous;
      return await fn();
    } finally {
      release();
      // Forget the key once nobody queued behind this operation, so the map stays bounded.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** True while an operation on `key` runs or waits. */
  isBusy(key: string): boolean {
    return this.tails.has(key);
  }

  /** Number of keys with an operation running or waiting. */
  get busyKeys(): number {
    return this.tails.size;
  }
}
