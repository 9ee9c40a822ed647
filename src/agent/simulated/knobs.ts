/**
 * The knobs of a simulated node, validated with zod (they come from CLI flags and test code),
 * and the small deterministic helpers the simulation uses: a seeded RNG, duration ranges,
 * version patterns and "next patch" arithmetic.
 */
import { z } from 'zod';
import { InstallPhase } from '../../protocol/index.js';

/** A duration in ms, or a range `"500-3000"` sampled uniformly per install. */
export const DurationRangeSchema = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return { min: value, max: value };
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  if (match === null) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a duration in ms; write 2000 or a range such as 500-3000`,
    });
    return z.NEVER;
  }
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (max < min) {
    ctx.addIssue({
      code: 'custom',
      message: `range "${value}" ends before it starts; write it low-high, e.g. 500-3000`,
    });
    return z.NEVER;
  }
  return { min, max };
});
export type DurationRange = z.output<typeof DurationRangeSchema>;

/** `NAME@VERSION`, e.g. `llama-cpp@v1.2.3`. */
export const BackendAtVersionSchema = z.string().transform((value, ctx) => {
  const at = value.lastIndexOf('@');
  const name = at <= 0 ? '' : value.slice(0, at);
  const version = at <= 0 ? '' : value.slice(at + 1);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || version === '') {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not NAME@VERSION; write it like llama-cpp@v1.2.3` });
    return z.NEVER;
  }
  return { name, version };
});

const PHASES = Object.values(InstallPhase) as [InstallPhase, ...InstallPhase[]];

/** One simulated node. Every knob is optional except the id and the backend it has installed. */
export const SimulatedNodeSchema = z.object({
  id: z.string().min(1, 'a node needs an id'),
  /** The backend installed at start. */
  backend: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a backend name such as llama-cpp'),
  version: z.string().min(1, 'the installed version, e.g. v1.2.3'),
  /** Further backends installed at start. @default [] */
  otherBackends: z.array(z.object({ name: z.string().min(1), version: z.string().min(1) })).default([]),
  /** No `backend.upgrade` subscription: an old worker. @default false */
  legacy: z.boolean().default(false),
  /** Reply to upgrade and install only this long after the request (the install itself finishes on time). @default 0 */
  hangMs: z.number().int().nonnegative().default(0),
  /** How long one install takes. @default 1000 */
  installMs: DurationRangeSchema.default({ min: 1000, max: 1000 }),
  /** Fail installs of versions matching this pattern (`*` and `?` wildcards, or `/regex/`). */
  failVersion: z.string().optional(),
  /**
   * Fail the start check of every process started from an install whose version or uri matches
   * this pattern (`*` and `?` wildcards, or `/regex/`): `backend.install` with a model id replies
   * the failure with a stderr-like tail, as a worker whose new binary does not start.
   */
  failStart: z.string().min(1).optional(),
  /** Probability (0–1) that an install fails. @default 0 */
  failRate: z.number().min(0).max(1).default(0),
  /** Serve `models.running` (LocalAI workers that predate `backend.upgrade` do not). @default !legacy */
  modelsRunning: z.boolean().optional(),
  /** Running model replicas per backend at start, `<backend>-model#i`. @default 0 */
  replicas: z.number().int().nonnegative().max(64).default(0),
  /** Crash once when the first install reaches this phase; serve again `crashRestartMs` later with the old version. */
  crashAt: z.enum(PHASES).optional(),
  /** @default 1000 */
  crashRestartMs: z.number().int().nonnegative().default(1000),
});
export type SimulatedNodeInput = z.input<typeof SimulatedNodeSchema>;
export type SimulatedNode = z.output<typeof SimulatedNodeSchema>;

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: string): () => number {
  let state = hash32(seed);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, 32 bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Samples a range with `random`. */
export function sampleRange(range: DurationRange, random: () => number): number {
  return range.min + Math.floor(random() * (range.max - range.min + 1));
}

/** True when `version` matches `pattern`: `/regex/`, or a glob with `*` and `?`, whole string. */
export function versionMatches(pattern: string, version: string): boolean {
  const regex = /^\/(.*)\/$/.exec(pattern);
  if (regex !== null) return new RegExp(regex[1] ?? '').test(version);
  const glob = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${glob}$`).test(version);
}

/** The next patch version: `v1.2.3` → `v1.2.4`, `2.0` → `2.1`; other shapes get `-next`. */
export function nextPatch(version: string): string {
  const match = /^(.*?)(\d+)([^\d]*)$/.exec(version);
  if (match === null) return `${version}-next`;
  const [, head = '', digits = '0', tail = ''] = match;
  return `${head}${Number(digits) + 1}${tail}`;
}
