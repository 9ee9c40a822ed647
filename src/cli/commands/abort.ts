/** `fleet-rollout abort BACKEND`: end the rollout; in-flight upgrades are cancelled and reported as such. */
import { controlCalls } from '../../client/control-calls.js';
import { runControl } from '../control-command.js';

/** Aborts a rollout. */
export async function run(args: string[]): Promise<number> {
  return await runControl(
    {
      name: 'abort',
      positionals: ['BACKEND'],
      description:
        'Aborts the rollout of BACKEND: no new node starts; upgrades in flight are cancelled and reported\nas "unknown" (check those nodes with backend.list).',
      reason: true,
      examples: ['fleet-rollout abort llama-cpp --reason "bad build"'],
      call: (backend, _args, reason) => controlCalls.abort(backend, reason),
    },
    args,
  );
}
