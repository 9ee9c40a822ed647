/**
 * The rollout flags shared by `start`, `plan` and `schedule create`, mapped onto the rollout spec.
 * Each flag is checked on its own first, so a mistake names the flag and its expected form; the
 * whole spec is then checked by the client (schema, target collisions) with fields mapped back to flags.
 */
import { InvalidSpecError, checkRolloutSpec } from '../client/index.js';
import { parseCountOrPercent, parseDuration } from '../domain/duration.js';
import { OnFailure, type RolloutSpecInput } from '../domain/spec.js';
import { intFlag, listFlag } from './args.js';
import { UsageError } from './exit.js';
import { checkGalleriesFlag } from './galleries-flag.js';
import { loadInventory } from './inventory-file.js';
import { parseWindowFlag } from './time-flags.js';

/** `util.parseArgs` options of the rollout flags. */
export const ROLLOUT_FLAG_OPTIONS = {
  backend: { type: 'string' },
  nodes: { type: 'string', multiple: true },
  selector: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  inventory: { type: 'string' },
  'max-parallel': { type: 'string' },
  'max-unavailable': { type: 'string' },
  batches: { type: 'string' },
  canary: { type: 'string' },
  promote: { type: 'string' },
  'max-failures': { type: 'string' },
  'on-failure': { type: 'string' },
  'upgrade-timeout': { type: 'string' },
  'healthy-deadline': { type: 'string' },
  'unreachable-grace': { type: 'string' },
  'drain-grace': { type: 'string' },
  'min-healthy-time': { type: 'string' },
  'progress-deadline': { type: 'string' },
  'max-attempts': { type: 'string' },
  'start-check': { type: 'string' },
  'replica-ready-timeout': { type: 'string' },
  window: { type: 'string' },
  'target-version': { type: 'string' },
  'target-digest': { type: 'string' },
  index: { type: 'string' },
  force: { type: 'boolean' },
  galleries: { type: 'string' },
  uri: { type: 'string' },
  name: { type: 'string' },
  alias: { type: 'string' },
  reason: { type: 'string' },
  'requested-by': { type: 'string' },
} as const;

/** Values of the rollout flags as `util.parseArgs` returns them. */
export type RolloutFlagValues = {
  [K in keyof typeof ROLLOUT_FLAG_OPTIONS]?: (typeof ROLLOUT_FLAG_OPTIONS)[K] extends { multiple: true }
    ? string[] | undefined
    : (typeof ROLLOUT_FLAG_OPTIONS)[K] extends { type: 'boolean' }
      ? boolean | undefined
      : string | undefined;
};

/** Help lines of the rollout flags. */
export const ROLLOUT_FLAGS_HELP = `What to upgrade:
  --backend NAME              backend to upgrade, e.g. llama-cpp (required)
  --target-version V          the version nodes must end up with (not with --uri: LocalAI records none)
  --target-digest sha256:…    the image digest nodes must end up with
  --index URL                 gallery index (file:// or http(s)://) to resolve the target from
  --galleries JSON            galleries as on the wire, e.g. '[{"name":"localai","url":"…"}]'
  --uri URI [--name N] [--alias A]   install from this URI instead of a gallery
  --force                     also reinstall nodes that already run the target
Where:
  --nodes a,b,c               node ids (repeatable)
  --inventory FILE            YAML or JSON list of { id, name?, labels?, replicas? }
  --selector k=v[,k=v]        label selector over the inventory (repeatable)
  --exclude a,b               node ids never to touch (repeatable)
Policy:
  --max-parallel N            nodes upgrading at once (default 1)
  --max-unavailable N|P%      replicas down at once (default 25%)
  --batches 1,10%,50%         wave sizes; the last repeats
  --canary N                  canary wave of N nodes first
  --promote manual|DURATION   how the canary is promoted (default manual)
  --max-failures N|P%         failures tolerated before --on-failure acts (default 0)
  --on-failure halt|continue|revert   (default halt)
  --upgrade-timeout D         NATS request timeout (default 15m)
  --healthy-deadline D        per node, until verified (default 30m)
  --unreachable-grace D       retry a node with no responders this long before it fails (default 3m)
  --min-healthy-time D        soak after verification (default 10s)
  --progress-deadline D       halt when no node finished for this long (default 1h)
  --max-attempts N            upgrade requests per node (default 3)
  --start-check=false         skip starting a probe process from the new build (default true)
  --replica-ready-timeout D   per replica, until it serves again (default 5m)
  --drain-grace D             with --localai-url: after a node's drain, how long requests already
                              running may finish; waited only if some were in flight (default 30s)
  --window "[DAYS ]HH:MM-HH:MM[ ZONE]"   start nodes only inside, e.g. "sat,sun 02:00-06:00 Europe/Berlin"
Audit:
  --reason TEXT               why (kept in the memo and history)
  --requested-by WHO          who (default $USER@hostname)
Durations: 500ms, 30s, 15m, 1h30m; a bare number means milliseconds (--min-healthy-time 0 is none).
`;

function duration(flag: string, value: string): string {
  if (parseDuration(value) === undefined)
    throw new UsageError(`--${flag}: "${value}" is not a duration; write it like 500ms, 30s, 15m or 1h30m`);
  return value;
}

function countOrPercent(flag: string, value: string): string {
  if (parseCountOrPercent(value) === undefined) {
    throw new UsageError(
      `--${flag}: "${value}" is neither a whole count such as 3 nor a percentage from 0% to 100% such as 25%`,
    );
  }
  return value;
}

function selector(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values.flatMap(listFlag)) {
    const match = /^([^=\s]+)=(.*)$/.exec(item);
    if (match === null)
      throw new UsageError(`--selector: "${item}" is not a label; expected key=value such as zone=eu`);
    out[match[1] ?? ''] = match[2] ?? '';
  }
  return out;
}

const ON_FAILURE = Object.values(OnFailure) as string[];

/**
 * Maps the rollout flags onto a spec (durations and percentages kept as written).
 * @param windowZone time zone of a `--window` that names none. @default "UTC"
 * @throws UsageError naming the flag and its expected form.
 */
export function specFromFlags(v: RolloutFlagValues, windowZone = 'UTC'): RolloutSpecInput {
  if (v.backend === undefined)
    throw new UsageError('--backend: required; name the backend to upgrade, e.g. --backend llama-cpp');
  const spec: RolloutSpecInput = { backend: v.backend };
  if (v.nodes !== undefined) spec.nodes = v.nodes.flatMap(listFlag);
  if (v.exclude !== undefined) spec.exclude = v.exclude.flatMap(listFlag);
  if (v.selector !== undefined) spec.selector = selector(v.selector);
  if (v.inventory !== undefined) spec.inventory = loadInventory(v.inventory);
  if (v['max-parallel'] !== undefined) spec.maxParallel = intFlag('--max-parallel', v['max-parallel'], 1, 10_000);
  if (v['max-unavailable'] !== undefined) spec.maxUnavailable = countOrPercent('max-unavailable', v['max-unavailable']);
  if (v.batches !== undefined) spec.batches = listFlag(v.batches).map((b) => countOrPercent('batches', b));
  if (v.promote !== undefined && v.canary === undefined)
    throw new UsageError('--promote: only applies with --canary N');
  if (v.canary !== undefined) {
    const promote = v.promote ?? 'manual';
    if (promote !== 'manual') duration('promote', promote);
    spec.canary = { nodes: intFlag('--canary', v.canary, 1, 10_000), promote };
  }
  if (v['max-failures'] !== undefined) spec.maxFailures = countOrPercent('max-failures', v['max-failures']);
  if (v['on-failure'] !== undefined) {
    if (!ON_FAILURE.includes(v['on-failure']))
      throw new UsageError(`--on-failure: "${v['on-failure']}" is not one of ${ON_FAILURE.join(', ')}`);
    spec.onFailure = v['on-failure'] as OnFailure;
  }
  if (v['upgrade-timeout'] !== undefined) spec.upgradeTimeout = duration('upgrade-timeout', v['upgrade-timeout']);
  if (v['healthy-deadline'] !== undefined) spec.healthyDeadline = duration('healthy-deadline', v['healthy-deadline']);
  if (v['unreachable-grace'] !== undefined)
    spec.unreachableGrace = duration('unreachable-grace', v['unreachable-grace']);
  if (v['drain-grace'] !== undefined) spec.drainGrace = duration('drain-grace', v['drain-grace']);
  if (v['min-healthy-time'] !== undefined) spec.minHealthyTime = duration('min-healthy-time', v['min-healthy-time']);
  if (v['progress-deadline'] !== undefined)
    spec.progressDeadline = duration('progress-deadline', v['progress-deadline']);
  if (v['max-attempts'] !== undefined) spec.maxAttempts = intFlag('--max-attempts', v['max-attempts'], 1, 10);
  if (v['start-check'] !== undefined) {
    if (v['start-check'] !== 'true' && v['start-check'] !== 'false')
      throw new UsageError(`--start-check: "${v['start-check']}" is neither true nor false; write --start-check=false`);
    spec.startCheck = v['start-check'] === 'true';
  }
  if (v['replica-ready-timeout'] !== undefined)
    spec.replicaReadyTimeout = duration('replica-ready-timeout', v['replica-ready-timeout']);
  if (v.window !== undefined) spec.window = parseWindowFlag(v.window, windowZone);
  if (v.galleries !== undefined) checkGalleriesFlag(v.galleries);
  if (v.force === true) spec.force = true;
  for (const [flag, key] of [
    ['target-version', 'targetVersion'],
    ['target-digest', 'targetDigest'],
    ['index', 'index'],
    ['galleries', 'galleries'],
    ['uri', 'uri'],
    ['name', 'name'],
    ['alias', 'alias'],
    ['reason', 'reason'],
    ['requested-by', 'requestedBy'],
  ] as const) {
    const value = v[flag];
    if (value !== undefined) spec[key] = value;
  }
  return spec;
}

const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  backend: '--backend',
  galleries: '--galleries',
  uri: '--uri',
  name: '--name/--alias (with --uri)',
  alias: '--alias',
  targetVersion: '--target-version',
  targetDigest: '--target-digest',
  index: '--index',
  force: '--force',
  nodes: '--nodes',
  selector: '--selector',
  exclude: '--exclude',
  inventory: '--inventory',
  maxParallel: '--max-parallel',
  maxUnavailable: '--max-unavailable',
  batches: '--batches',
  canary: '--canary/--promote',
  healthyDeadline: '--healthy-deadline',
  unreachableGrace: '--unreachable-grace',
  drainGrace: '--drain-grace',
  frontend: '--localai-url',
  minHealthyTime: '--min-healthy-time',
  progressDeadline: '--progress-deadline',
  maxFailures: '--max-failures',
  onFailure: '--on-failure',
  window: '--window',
  upgradeTimeout: '--upgrade-timeout',
  maxAttempts: '--max-attempts',
  startCheck: '--start-check',
  replicaReadyTimeout: '--replica-ready-timeout',
  requestedBy: '--requested-by',
  reason: '--reason',
};

/** Renders an {@link InvalidSpecError} as a usage error whose problems name flags instead of spec fields. */
export function usageFromSpecError(err: InvalidSpecError, spec: RolloutSpecInput): UsageError {
  const text = err.problems
    .map((p) => {
      let field = /^[A-Za-z]+/.exec(p.path)?.[0] ?? '';
      if (field === 'nodes' && spec.nodes === undefined && spec.inventory !== undefined) field = 'inventory';
      const flag = FLAG_OF_FIELD[field];
      return flag === undefined ? (p.path === '' ? p.message : `${p.path}: ${p.message}`) : `${flag}: ${p.message}`;
    })
    .join('; ');
  return new UsageError(text === '' ? err.message : text);
}

/** Maps the flags to a spec and checks it whole (schema, targets, colliding ids) before anything is sent. */
export function checkedSpecFromFlags(v: RolloutFlagValues, windowZone?: string): RolloutSpecInput {
  const spec = specFromFlags(v, windowZone);
  try {
    checkRolloutSpec(spec);
  } catch (err) {
    if (err instanceof InvalidSpecError) throw usageFromSpecError(err, spec);
    throw err;
  }
  return spec;
}
