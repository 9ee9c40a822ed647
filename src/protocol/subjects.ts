/**
 * NATS subjects of LocalAI's distributed mode (PROTOCOL.md §2).
 *
 * Node and op IDs become single subject tokens the way LocalAI's `sanitizeSubjectToken` makes
 * them: each `.` `*` `>` space, tab and newline becomes `-`. LocalAI stops there; we also refuse
 * an empty ID and any control character left after sanitising, because such a subject is either
 * invalid for the NATS server or addresses something other than the node that was meant.
 */

// The characters LocalAI replaces, one for one (its strings.Replacer has only single-character rules).
const SUBJECT_SPECIAL = /[.*> \t\n]/g;

/** C0 controls (U+0000–U+001F) and DEL; tab and newline are already gone after sanitising. */
function hasControlCharacter(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Longest node or op id, in UTF-16 code units (at most 768 bytes of UTF-8). Together they stay far
 * below nats-server's 4,096-byte control line, which a longer progress subject overflows: the
 * server then disconnects the publisher and the reply is lost.
 */
export const MAX_ID_LENGTH = 256;

/** Why a subject token was refused. */
export type SubjectTokenRefusal = 'empty' | 'control-character' | 'too-long';

/** What a refused token was meant to identify. */
export type SubjectTokenRole = 'node' | 'op';

/** A node or op ID that cannot be made into a subject token. Thrown by the subject builders. */
export class SubjectTokenError extends Error {
  override readonly name = 'SubjectTokenError';

  constructor(
    readonly reason: SubjectTokenRefusal,
    /** The ID as given, before sanitising. */
    readonly token: string,
    readonly role: SubjectTokenRole,
  ) {
    super(
      reason === 'empty'
        ? `${role} id is empty: a subject needs a non-empty ${role} id`
        : reason === 'too-long'
          ? `${role} id too long: ${token.length} characters, at most ${MAX_ID_LENGTH}`
          : `${role} id ${JSON.stringify(token)} contains a control character: use printable ${role} ids only`,
    );
  }
}

/** Replaces each of `.` `*` `>` space, tab and newline with `-`, exactly as LocalAI does (`a.b*c` → `a-b-c`). */
export function sanitizeToken(raw: string): string {
  return raw.replace(SUBJECT_SPECIAL, '-');
}

function checkedToken(raw: string, role: SubjectTokenRole): string {
  if (raw === '') throw new SubjectTokenError('empty', raw, role);
  if (raw.length > MAX_ID_LENGTH) throw new SubjectTokenError('too-long', raw, role);
  const token = sanitizeToken(raw);
  if (hasControlCharacter(token)) throw new SubjectTokenError('control-character', raw, role);
  return token;
}

/**
 * The subject token of a node ID: sanitised and validated. Two node IDs with the same token
 * address the same worker, so planners compare tokens to refuse such fleets.
 * @throws SubjectTokenError when the ID is empty, longer than {@link MAX_ID_LENGTH} or holds a control character.
 */
export function nodeToken(node: string): string {
  return checkedToken(node, 'node');
}

/** Every per-node subject an orchestrator or agent uses. */
export const SubjectKind = {
  Upgrade: 'upgrade',
  Install: 'install',
  Progress: 'progress',
  List: 'list',
  Stop: 'stop',
  Delete: 'delete',
  ModelsRunning: 'modelsRunning',
} as const;
export type SubjectKind = (typeof SubjectKind)[keyof typeof SubjectKind];

/**
 * Subject builders. Each throws `SubjectTokenError` for an empty node (or op) ID, one longer than
 * {@link MAX_ID_LENGTH} or one holding a control character.
 */
export const subjects = {
  /** `nodes.<node>.backend.upgrade`: request-reply, force-reinstall a backend. */
  upgrade: (node: string): string => `nodes.${nodeToken(node)}.backend.upgrade`,
  /** `nodes.<node>.backend.install`: request-reply, install and start (or legacy force-reinstall). */
  install: (node: string): string => `nodes.${nodeToken(node)}.backend.install`,
  /** `nodes.<node>.backend.install.<op>.progress`: the worker publishes progress of one operation. */
  progress: (node: string, op: string): string =>
    `nodes.${nodeToken(node)}.backend.install.${checkedToken(op, 'op')}.progress`,
  /** `nodes.<node>.backend.list`: request-reply, installed backends. */
  list: (node: string): string => `nodes.${nodeToken(node)}.backend.list`,
  /** `nodes.<node>.backend.stop`: publish only, no reply. */
  stop: (node: string): string => `nodes.${nodeToken(node)}.backend.stop`,
  /** `nodes.<node>.backend.delete`: request-reply. */
  delete: (node: string): string => `nodes.${nodeToken(node)}.backend.delete`,
  /** `nodes.<node>.models.running`: request-reply, live backend processes. */
  modelsRunning: (node: string): string => `nodes.${nodeToken(node)}.models.running`,
} as const;

/**
 * Builds the subject of `kind` for `node`; `op` is required for (and only for) `progress`. For
 * callers that hold the kind as data, such as test vectors.
 * @throws SubjectTokenError for a refused node or op ID (a missing op counts as empty).
 * @throws TypeError when an op is given for a kind other than `progress`.
 */
export function buildSubject(kind: SubjectKind, node: string, op?: string): string {
  if (kind === SubjectKind.Progress) return subjects.progress(node, op ?? '');
  if (op !== undefined) throw new TypeError(`subject kind "${kind}" takes no op id`);
  return subjects[kind](node);
}
