/**
 * A nats-server `authorization` block for an orchestrator and its nodes, with per-user
 * permissions that stop one node from speaking for another: a node subscribes only to its own
 * subjects, publishes only its own progress, and answers requests through `allow_responses`
 * instead of publishing to `_INBOX.>` (which would let it answer any request it could guess).
 */
import { randomBytes } from 'node:crypto';
import { nkeys } from 'nats';
import { nodeToken } from '../protocol/index.js';
import { describeTokenCollision } from '../domain/targets.js';

/** The part of nats.js's bundled nkeys.js used here; nats.js declares its `nkeys` export as `any`. */
interface NkeysApi {
  createUser(): { getPublicKey(): string; getSeed(): Uint8Array };
}
const nkeyApi = nkeys as NkeysApi;

/** How users prove who they are: a password (in the server config) or an nkey (public key only). */
export const AuthMode = { Password: 'password', Nkey: 'nkey' } as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

/** Which permission set to emit. */
export const PermissionSet = {
  /** Least privilege: nodes cannot read replies to other nodes (`allow_responses`). */
  Strict: 'strict',
  /** The sets LocalAI's `nats-auth-setup.sh` mints: workers may publish and subscribe `_INBOX.>`. */
  LocalAI: 'localai',
} as const;
export type PermissionSet = (typeof PermissionSet)[keyof typeof PermissionSet];

/** Publish and subscribe allow-lists of one user. */
export interface Permissions {
  publish: string[];
  subscribe: string[];
  /** Let the user publish one reply to each request it received. */
  allowResponses: boolean;
}

/** The subjects LocalAI's service user may use besides `nodes.>` (its frontend's other features). */
const LOCALAI_SERVICE_SUBJECTS = [
  'gallery.>',
  'agent.>',
  'staging.>',
  'state.>',
  'jobs.>',
  'mcp.>',
  'cache.>',
  'prefixcache.>',
  'finetune.>',
] as const;

/** Permissions of the orchestrator: request any node, read its inbox and every node's progress. */
export function orchestratorPermissions(set: PermissionSet): Permissions {
  if (set === PermissionSet.LocalAI) {
    return {
      publish: ['nodes.>', ...LOCALAI_SERVICE_SUBJECTS],
      subscribe: ['nodes.>', ...LOCALAI_SERVICE_SUBJECTS.filter((s) => s !== 'finetune.>'), '_INBOX.>'],
      allowResponses: false,
    };
  }
  return { publish: ['nodes.>'], subscribe: ['_INBOX.>', 'nodes.*.backend.install.*.progress'], allowResponses: false };
}

/**
 * Permissions of one node, by its node id (sanitised into its subject token).
 * @throws SubjectTokenError for an empty id or one holding a control character.
 */
export function nodePermissions(nodeId: string, set: PermissionSet): Permissions {
  const token = nodeToken(nodeId);
  const progress = `nodes.${token}.backend.install.*.progress`;
  if (set === PermissionSet.LocalAI) {
    return {
      publish: [progress, `nodes.${token}.files.>`, '_INBOX.>'],
      subscribe: [`nodes.${token}.>`, '_INBOX.>'],
      allowResponses: false,
    };
  }
  return { publish: [progress], subscribe: [`nodes.${token}.>`], allowResponses: true };
}

/** One user of the block, with the secret it connects with. */
export interface AuthUser {
  /** `orchestrator` or the node id. */
  role: 'orchestrator' | 'node';
  nodeId?: string;
  /** Password mode: the user name; nkey mode: the public key (`U…`). */
  user: string;
  /** Password mode: the password; nkey mode: the seed (`SU…`). Never log it. */
  secret: string;
  permissions: Permissions;
}

/** What {@link buildAuthorization} made: the config text and every user's credentials. */
export interface Authorization {
  mode: AuthMode;
  set: PermissionSet;
  users: AuthUser[];
  /** The `authorization { … }` block, ready for a nats-server config (or `include`). */
  config: string;
}

/** Characters a node token may not have in the generated config (quoting and variable syntax). */
const UNSAFE_IN_CONFIG = /["\\$']/;

/** Largest fleet one block is generated for (the server loads every user into memory). */
export const MAX_AUTH_NODES = 20_000;

/** A readable refusal of the inputs of {@link buildAuthorization}. */
export class AuthorizationInputError extends Error {
  override readonly name = 'AuthorizationInputError';
}

/** Generates users (fresh passwords or nkeys) for the orchestrator and each node, and the block. */
export function buildAuthorization(input: {
  mode: AuthMode;
  set: PermissionSet;
  nodeIds: readonly string[];
  /** @default "fleet-rollout" */
  orchestratorUser?: string;
}): Authorization {
  if (input.nodeIds.length === 0) throw new AuthorizationInputError('no nodes: name at least one node');
  if (input.nodeIds.length > MAX_AUTH_NODES)
    throw new AuthorizationInputError(`${input.nodeIds.length} nodes: at most ${MAX_AUTH_NODES} per block`);
  const seen = new Map<string, string>();
  for (const id of input.nodeIds) {
    let token: string;
    try {
      token = nodeToken(id);
    } catch (err) {
      throw new AuthorizationInputError((err as Error).message);
    }
    if (UNSAFE_IN_CONFIG.test(token))
      throw new AuthorizationInputError(`node id ${JSON.stringify(id)}: quotes, backslashes and $ are not supported`);
    const other = seen.get(token);
    if (other !== undefined) throw new AuthorizationInputError(describeTokenCollision({ token, ids: [other, id] }));
    seen.set(token, id);
  }
  const credentials = (name: string): { user: string; secret: string } => {
    if (input.mode === AuthMode.Password) return { user: name, secret: randomBytes(24).toString('base64url') };
    const kp = nkeyApi.createUser();
    return { user: kp.getPublicKey(), secret: new TextDecoder().decode(kp.getSeed()) };
  };
  const users: AuthUser[] = [
    {
      role: 'orchestrator',
      ...credentials(input.orchestratorUser ?? 'fleet-rollout'),
      permissions: orchestratorPermissions(input.set),
    },
    ...input.nodeIds.map((id) => ({
      role: 'node' as const,
      nodeId: id,
      ...credentials(`node-${nodeToken(id)}`),
      permissions: nodePermissions(id, input.set),
    })),
  ];
  return { mode: input.mode, set: input.set, users, config: renderAuthorization(input.mode, users) };
}

const list = (subjects: readonly string[]): string => `[${subjects.map((s) => JSON.stringify(s)).join(', ')}]`;

/** The `authorization { users = [...] }` text of `users`. */
export function renderAuthorization(mode: AuthMode, users: readonly AuthUser[]): string {
  const lines = ['authorization {', '  users = ['];
  for (const u of users) {
    const who =
      mode === AuthMode.Password
        ? `user: ${JSON.stringify(u.user)}, password: ${JSON.stringify(u.secret)}`
        : `nkey: ${JSON.stringify(u.user)}`;
    const p = u.permissions;
    const responses = p.allowResponses ? ', allow_responses: true' : '';
    lines.push(`    # ${u.role === 'node' ? `node ${JSON.stringify(u.nodeId)}` : 'orchestrator'}`);
    lines.push(
      `    { ${who}, permissions: { publish: { allow: ${list(p.publish)} }, subscribe: { allow: ${list(p.subscribe)} }${responses} } }`,
    );
  }
  lines.push('  ]', '}', '');
  return lines.join('\n');
}
