/** The command table: name → lazily loaded module with `run(args)`, and the top-level help. */

/** A CLI command module. */
export interface CommandModule {
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

/** Every command, in the order `--help` lists them. */
export const COMMANDS: Record<string, CommandEntry | undefined> = {
  start: {
    summary: 'start the rollout of a backend (--wait follows it live)',
    load: async () => await import('./commands/start.js'),
  },
  plan: {
    summary: 'dry run: discover targets over NATS and print the waves',
    load: async () => await import('./commands/plan.js'),
  },
  status: {
    summary: "show a rollout's phase, counts and nodes (--json)",
    load: async () => await import('./commands/status.js'),
  },
  watch: {
    summary: 'follow a rollout live until it ends; exits with its outcome',
    load: async () => await import('./commands/watch.js'),
  },
  pause: {
    summary: 'stop starting nodes (in-flight nodes finish)',
    load: async () => await import('./commands/pause.js'),
  },
  resume: { summary: 'go on after a pause or a halt', load: async () => await import('./commands/resume.js') },
  abort: {
    summary: 'end a rollout, cancelling upgrades in flight',
    load: async () => await import('./commands/abort.js'),
  },
  promote: { summary: 'open the canary gate', load: async () => await import('./commands/promote.js') },
  skip: { summary: 'skip a pending or failed node', load: async () => await import('./commands/skip.js') },
  retry: { summary: 'retry a failed or skipped node', load: async () => await import('./commands/retry.js') },
  'set-max-parallel': {
    summary: 'change how many nodes upgrade at once',
    load: async () => await import('./commands/set-max-parallel.js'),
  },
  nodes: {
    summary: 'what each node has installed of a backend now',
    load: async () => await import('./commands/nodes.js'),
  },
  list: { summary: 'list rollouts (by backend, phase, running)', load: async () => await import('./commands/list.js') },
  history: {
    summary: "past runs of a backend's rollout, with outcomes",
    load: async () => await import('./commands/history.js'),
  },
  undo: {
    summary: 'send the nodes a run changed back to their earlier install',
    load: async () => await import('./commands/undo.js'),
  },
  schedule: {
    summary: 'scheduled fleet upgrades: create, list, describe, pause, unpause, trigger, delete',
    load: async () => await import('./commands/schedule.js'),
  },
  completion: {
    summary: 'print a shell completion script (bash, zsh, fish)',
    load: async () => await import('./commands/completion.js'),
  },
  worker: {
    summary: 'run the orchestrator worker (workflows and NATS activities)',
    load: async () => await import('./commands/worker.js'),
  },
  agent: {
    summary: 'run a node agent (real installer, or --simulate)',
    load: async () => await import('./commands/agent.js'),
  },
  fleet: {
    summary: 'serve a simulated fleet of N nodes from one process',
    load: async () => await import('./commands/fleet.js'),
  },
  'nats-auth': {
    summary: 'generate nats-server users and permissions for the orchestrator and each node',
    load: async () => await import('./commands/nats-auth.js'),
  },
  dashboard: {
    summary: 'live web view of rollouts, with controls',
    load: async () => await import('./commands/dashboard.js'),
  },
  'frontend-sim': {
    summary: 'a simulated LocalAI frontend for nodes served over NATS',
    load: async () => await import('./commands/frontend-sim.js'),
  },
  demo: { summary: 'a real rollout on a local stack', load: async () => await import('./commands/demo.js') },
};

/** Prints the list of commands. */
export function printUsage(out: NodeJS.WritableStream): void {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  out.write('Usage: fleet-rollout <command> [flags]\n\nCommands:\n');
  for (const [name, entry] of Object.entries(COMMANDS)) {
    if (entry !== undefined) out.write(`  ${name.padEnd(width)}  ${entry.summary}\n`);
  }
  out.write("\nRun 'fleet-rollout <command> --help' for a command's flags and examples.\n");
}
