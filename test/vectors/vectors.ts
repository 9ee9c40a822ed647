/**
 * Executes the shared wire vectors (`shared/protocol/vectors.json`) against the protocol module.
 *
 * Pure: the caller reads the file. Every case is checked on its own, so a malformed case is one
 * failure rather than the end of the run; a malformed file is a single failure that says why.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  buildSubject,
  decodeMessage,
  encodeMessage,
  messageSchemas,
  MessageType,
  parseProcessKey,
  SubjectKind,
  SubjectTokenError,
  wireFields,
} from '../../src/protocol/index.js';

/** One failed case: its section, its name (or position) and what went wrong. */
export interface VectorFailure {
  readonly section: string;
  readonly name: string;
  readonly detail: string;
}

/** Outcome of a run. */
export interface VectorReport {
  readonly passed: number;
  readonly failed: VectorFailure[];
}

const subjectKind = z.enum(SubjectKind);
const messageType = z.enum(MessageType);

const subjectCase = z.strictObject({
  kind: subjectKind,
  node: z.string(),
  op: z.string().optional(),
  subject: z.string(),
});
const encodeCase = z.strictObject({
  name: z.string(),
  type: messageType,
  fields: z.record(z.string(), z.unknown()),
  wire: z.string(),
});
const decodeCase = z.strictObject({ name: z.string(), type: messageType, wire: z.string(), expect: z.unknown() });
const processKeyCase = z
  .strictObject({ key: z.string(), model: z.string().nullable(), replica: z.number().int().nullable() })
  .refine((c) => (c.model === null) === (c.replica === null), 'model and replica must both be null or both be set');
const refuseCase = z.strictObject({ kind: subjectKind, node: z.string(), op: z.string().optional() });

const vectorFile = z
  .object({ about: z.string().optional() })
  .catchall(z.array(z.unknown(), { error: 'every section must be a list of cases' }));

type Check<C> = (c: C) => string | undefined;

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

const checkSubject: Check<z.infer<typeof subjectCase>> = (c) => {
  const got = buildSubject(c.kind, c.node, c.op);
  return got === c.subject ? undefined : `expected subject ${c.subject}, got ${got}`;
};

const checkEncode: Check<z.infer<typeof encodeCase>> = (c) => {
  const known = Object.keys(wireFields[c.type]);
  const unknown = Object.keys(c.fields).filter((key) => !known.includes(key));
  if (unknown.length > 0) return `unknown field(s) for ${c.type}: ${unknown.join(', ')}`;
  const fields = messageSchemas[c.type].safeParse(c.fields);
  if (!fields.success) return `fields do not fit ${c.type}: ${z.prettifyError(fields.error)}`;
  const got = encodeMessage(c.type, fields.data);
  return got === c.wire ? undefined : `expected wire\n  ${c.wire}\ngot\n  ${got}`;
};

const checkDecode: Check<z.infer<typeof decodeCase>> = (c) => {
  const result = decodeMessage(c.type, c.wire);
  if (!result.ok) return `decode failed: ${result.error.message}`;
  return isDeepStrictEqual(result.value, c.expect)
    ? undefined
    : `expected ${describe(c.expect)}, got ${describe(result.value)}`;
};

const checkProcessKey: Check<z.infer<typeof processKeyCase>> = (c) => {
  const got = parseProcessKey(c.key);
  const expected = c.model === null || c.replica === null ? null : { modelId: c.model, replica: c.replica };
  return isDeepStrictEqual(got, expected) ? undefined : `expected ${describe(expected)}, got ${describe(got)}`;
};

const checkRefuse: Check<z.infer<typeof refuseCase>> = (c) => {
  try {
    const subject = buildSubject(c.kind, c.node, c.op);
    return `expected SubjectTokenError, got subject ${subject}`;
  } catch (err) {
    return err instanceof SubjectTokenError ? undefined : `expected SubjectTokenError, got ${String(err)}`;
  }
};

/** The name a malformed case gives itself, else its position in the section. */
function caseName(raw: unknown, index: number): string {
  const name: unknown = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['name'] : undefined;
  return typeof name === 'string' ? name : `#${index}`;
}

type CaseOutcome = { readonly name: string; readonly detail: string | undefined };
type CaseRunner = (raw: unknown, index: number) => CaseOutcome;

/** A section's runner: validates one case, names it, checks it; a throw is a failure, not a crash. */
function section<C>(schema: z.ZodType<C>, check: Check<C>, label: (c: C) => string): CaseRunner {
  return (raw, index) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success)
      return { name: caseName(raw, index), detail: `malformed case: ${z.prettifyError(parsed.error)}` };
    const name = label(parsed.data);
    try {
      return { name, detail: check(parsed.data) };
    } catch (err) {
      return { name, detail: `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` };
    }
  };
}

const sections: Readonly<Record<string, CaseRunner>> = {
  subjects: section(
    subjectCase,
    checkSubject,
    (c) => `${c.kind} ${describe(c.node)}${c.op === undefined ? '' : ` ${describe(c.op)}`}`,
  ),
  encode: section(encodeCase, checkEncode, (c) => c.name),
  decode: section(decodeCase, checkDecode, (c) => c.name),
  processKeys: section(processKeyCase, checkProcessKey, (c) => describe(c.key)),
  refuse: section(refuseCase, checkRefuse, (c) => `${c.kind} ${describe(c.node)}`),
};

/**
 * Runs every case of a parsed vectors file. Unknown sections and malformed cases are failures.
 * The number of cases run is `passed + failed.length`.
 */
export function runVectors(fileContents: unknown): VectorReport {
  const file = vectorFile.safeParse(fileContents);
  if (!file.success) {
    return { passed: 0, failed: [{ section: '(file)', name: '(shape)', detail: z.prettifyError(file.error) }] };
  }
  let passed = 0;
  const failed: VectorFailure[] = [];
  for (const [name, cases] of Object.entries(file.data)) {
    if (name === 'about') continue;
    const run = sections[name];
    if (run === undefined) {
      failed.push({
        section: name,
        name: '(section)',
        detail: `unknown section; known: ${Object.keys(sections).join(', ')}`,
      });
      continue;
    }
    for (const [index, raw] of (cases as unknown[]).entries()) {
      const outcome = run(raw, index);
      if (outcome.detail === undefined) passed++;
      else failed.push({ section: name, name: outcome.name, detail: outcome.detail });
    }
  }
  return { passed, failed };
}
