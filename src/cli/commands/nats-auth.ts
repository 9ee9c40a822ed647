/**
 * `fleet-rollout nats-auth`: generates a nats-server `authorization` block with one user for the
 * orchestrator and one per node, and writes each user's secret to its own file (mode 0600). No
 * secret is ever printed: the output names the files and the flags that read them.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  AuthMode,
  AuthorizationInputError,
  buildAuthorization,
  PermissionSet,
  type AuthUser,
} from '../../nats/authorization.js';
import { nodeToken } from '../../protocol/index.js';
import { expectPositionals, listFlag, parseCommandArgs } from '../args.js';
import { ExitCode, UsageError } from '../exit.js';
import { loadInventory } from '../inventory-file.js';

const NATS_AUTH_FLAG_OPTIONS = {
  nodes: { type: 'string', multiple: true },
  inventory: { type: 'string' },
  out: { type: 'string' },
  mode: { type: 'string' },
  'localai-compatible': { type: 'boolean' },
  'orchestrator-user': { type: 'string' },
} as const;

const USAGE = `Usage: fleet-rollout nats-auth (--nodes IDS | --inventory FILE) --out DIR [flags]

Generates a nats-server authorization block: one user for the orchestrator and one per node.
A node may subscribe only to nodes.<its id>.>, publish only its own progress subjects
(nodes.<id>.backend.install.*.progress) and answer requests through allow_responses, so it can
neither answer for another node, nor publish its progress, nor read replies meant for it. The
orchestrator may publish nodes.> and subscribe to _INBOX.> and every node's progress.

Writes DIR/authorization.conf (include it from nats-server.conf), DIR/orchestrator.<ext> and
DIR/nodes/<id>.<ext>, each mode 0600; <ext> is "password" or "nk" (an nkey seed). Prints no secret.

Flags:
  --nodes a,b,c             node ids (repeatable)
  --inventory FILE          node ids from an inventory file (YAML or JSON)
  --out DIR                 where to write the files (required; must not hold a block already)
  --mode nkey|password      nkey: the config holds public keys only (default); password: the config
                            holds the passwords too, keep it as secret as the credentials
  --localai-compatible      LocalAI's own permission sets instead (nodes may publish and subscribe
                            _INBOX.>, so a node can read other nodes' replies)
  --orchestrator-user NAME  user name of the orchestrator in password mode (default fleet-rollout)
  -h, --help                this help

Examples:
  fleet-rollout nats-auth --inventory fleet.yaml --out /etc/nats/fleet-auth
  fleet-rollout nats-auth --nodes gpu-1,gpu-2 --mode password --out ./auth
`;

/** The file extension of a secret in `mode`. */
const SECRET_EXT = { [AuthMode.Password]: 'password', [AuthMode.Nkey]: 'nk' } as const;

/** A file name for a node's token (tokens may hold `/` and other characters unsafe in paths). */
function fileNameOf(nodeId: string): string {
  return encodeURIComponent(nodeToken(nodeId));
}

function connectFlags(mode: AuthMode, user: AuthUser, file: string): string {
  return mode === AuthMode.Password
    ? `--nats-user ${user.user} --nats-password-file ${file}`
    : `--nats-nkey-seed-file ${file}`;
}

/** Generates the block and the credential files; resolves to the exit code. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('nats-auth', args, NATS_AUTH_FLAG_OPTIONS);
  if (values.help === true) {
    process.stdout.write(USAGE);
    return ExitCode.Ok;
  }
  expectPositionals('nats-auth', positionals, []);
  const mode = values.mode ?? AuthMode.Nkey;
  if (mode !== AuthMode.Nkey && mode !== AuthMode.Password)
    throw new UsageError(`--mode "${mode}": expected nkey or password`);
  const out = values.out;
  if (out === undefined || out === '') throw new UsageError('--out DIR is required, e.g. --out ./nats-auth');
  const fromFlags = (values.nodes ?? []).flatMap(listFlag);
  const fromInventory = values.inventory === undefined ? [] : loadInventory(values.inventory).map((n) => n.id);
  const nodeIds = [...new Set([...fromFlags, ...fromInventory])];
  if (nodeIds.length === 0) throw new UsageError('--nodes or --inventory is required, e.g. --nodes gpu-1,gpu-2');
  const orchestratorUser = values['orchestrator-user'];
  if (orchestratorUser !== undefined && !/^[\w.@:-]+$/.test(orchestratorUser))
    throw new UsageError(`--orchestrator-user "${orchestratorUser}": use letters, digits and _ . @ : - only`);

  let auth;
  try {
    auth = buildAuthorization({
      mode,
      set: values['localai-compatible'] === true ? PermissionSet.LocalAI : PermissionSet.Strict,
      nodeIds,
      ...(orchestratorUser !== undefined ? { orchestratorUser } : {}),
    });
  } catch (err) {
    if (err instanceof AuthorizationInputError) throw new UsageError(`--nodes/--inventory: ${err.message}`);
    throw err;
  }

  const nodesDir = path.join(out, 'nodes');
  mkdirSync(nodesDir, { recursive: true, mode: 0o700 });
  if (readdirSync(out).includes('authorization.conf') || readdirSync(nodesDir).length > 0)
    throw new UsageError(`--out ${out}: already holds generated credentials; choose a new directory or remove it`);
  const write = (file: string, text: string): void => writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  const ext = SECRET_EXT[mode];
  const confFile = path.join(out, 'authorization.conf');
  write(confFile, auth.config);
  let orchestratorLine = '';
  let example = '';
  for (const user of auth.users) {
    const file =
      user.role === 'orchestrator'
        ? path.join(out, `orchestrator.${ext}`)
        : path.join(nodesDir, `${fileNameOf(user.nodeId ?? '')}.${ext}`);
    write(file, `${user.secret}\n`);
    if (user.role === 'orchestrator') orchestratorLine = connectFlags(mode, user, file);
    else if (example === '') example = `--node-id ${user.nodeId ?? ''} ${connectFlags(mode, user, file)}`;
  }
  const setName = auth.set === PermissionSet.LocalAI ? 'LocalAI-compatible' : 'strict';
  process.stdout.write(
    [
      `wrote ${confFile} (${mode} mode, ${setName} permissions, 1 orchestrator + ${nodeIds.length} node user${nodeIds.length === 1 ? '' : 's'})`,
      `add to nats-server.conf:  include "${path.resolve(confFile)}"`,
      `orchestrator (worker, plan):  ${orchestratorLine}`,
      `each node (agent):  ${example}`,
      mode === AuthMode.Password
        ? `node users are node-<id>; their passwords are in ${nodesDir}/<id>.${ext}`
        : `node seeds are in ${nodesDir}/<id>.${ext}`,
      '',
    ].join('\n'),
  );
  return await Promise.resolve(ExitCode.Ok);
}
