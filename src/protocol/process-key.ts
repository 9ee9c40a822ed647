/**
 * Process keys: how a LocalAI worker names one backend process, `modelID#replica`
 * (`Qwen3-8B#1`, or `llama-cpp#0` for an idle process started without a model).
 *
 * Upgrade and delete replies list the keys of the processes they stopped. Model IDs are chosen by
 * users and may themselves contain `#`, so a key splits at its last `#`. Parsing refuses what
 * LocalAI's worker refuses (its `parseProcessKey`), so a malformed key is skipped rather than
 * reported under a wrong identity.
 */

/** A parsed process key. */
export interface ProcessKey {
  readonly modelId: string;
  readonly replica: number;
}

const SEPARATOR = '#';
// strconv.Atoi syntax: an optional sign, then ASCII digits only.
const ATOI = /^[+-]?[0-9]+$/;

/**
 * Splits `modelID#replica` at the last `#`. Returns `null`, as LocalAI does, when there is no `#`,
 * the model part is empty, or the replica is not a decimal integer (optional sign, ASCII digits)
 * or is negative. `-0` and leading zeros are accepted (`m#007` is replica 7), like Go's
 * `strconv.Atoi`. Unlike Go, a replica beyond 2^53 − 1 is refused: a JavaScript number could not
 * hold it exactly.
 */
export function parseProcessKey(key: string): ProcessKey | null {
  const at = key.lastIndexOf(SEPARATOR);
  if (at <= 0) return null;
  const digits = key.slice(at + 1);
  if (!ATOI.test(digits)) return null;
  const replica = Number(digits) + 0;
  if (replica < 0 || !Number.isSafeInteger(replica)) return null;
  return { modelId: key.slice(0, at), replica };
}

/**
 * Builds the key of replica `replica` of `modelId`, as the worker's `buildProcessKey` does.
 * @throws RangeError for an empty model ID or a replica that is not a non-negative safe integer,
 *   which no worker would produce and `parseProcessKey` would refuse.
 */
export function formatProcessKey(modelId: string, replica: number): string {
  if (modelId === '') throw new RangeError('process key needs a non-empty model id');
  if (!Number.isSafeInteger(replica) || replica < 0) {
    throw new RangeError(`process key replica must be a non-negative integer, got ${replica}`);
  }
  return `${modelId}${SEPARATOR}${replica + 0}`;
}
