/**
 * `fleet-rollout completion bash|zsh|fish`: prints a shell completion script for the command
 * names, the connection and output flags, and the values of `-o` and `--color`.
 */
import { expectPositionals, parseCommandArgs } from '../args.js';
import { COMMANDS } from '../commands.js';
import { TEMPORAL_FLAG_OPTIONS } from '../connection-flags.js';
import { ExitCode, UsageError } from '../exit.js';
import { OUTPUT_FLAG_OPTIONS, OutputFormat } from '../output.js';

const HELP = `Usage: fleet-rollout completion bash|zsh|fish

Prints a completion script for the shell: command names, the Temporal and output flags, and
the values of -o and --color.

Examples:
  source <(fleet-rollout completion bash)                 # in ~/.bashrc
  fleet-rollout completion zsh > "\${fpath[1]}/_fleet-rollout"
  fleet-rollout completion fish > ~/.config/fish/completions/fleet-rollout.fish
`;

/** The words each shell completes. */
export interface CompletionWords {
  commands: string[];
  flags: string[];
  formats: string[];
  colors: string[];
}

/** Commands and flags as they are today (new commands show up without touching this file). */
export function completionWords(): CompletionWords {
  const flags = [...Object.keys(TEMPORAL_FLAG_OPTIONS), ...Object.keys(OUTPUT_FLAG_OPTIONS), 'help'];
  return {
    commands: Object.keys(COMMANDS),
    flags: [...new Set(flags)].map((f) => `--${f}`),
    formats: Object.values(OutputFormat),
    colors: ['auto', 'always', 'never'],
  };
}

/** The completion script of `shell`. */
export function completionScript(shell: string, w: CompletionWords = completionWords()): string {
  switch (shell) {
    case 'bash':
      return `# bash completion for fleet-rollout
_fleet_rollout() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  case "$prev" in
    -o|--output) COMPREPLY=($(compgen -W "${w.formats.join(' ')}" -- "$cur")); return ;;
    --color) COMPREPLY=($(compgen -W "${w.colors.join(' ')}" -- "$cur")); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${w.commands.join(' ')}" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "${w.flags.join(' ')} -o" -- "$cur"))
  fi
}
complete -F _fleet_rollout fleet-rollout
`;
    case 'zsh':
      return `#compdef fleet-rollout
_fleet_rollout() {
  if (( CURRENT == 2 )); then
    compadd -- ${w.commands.join(' ')}
  elif [[ \${words[CURRENT-1]} == (-o|--output) ]]; then
    compadd -- ${w.formats.join(' ')}
  elif [[ \${words[CURRENT-1]} == --color ]]; then
    compadd -- ${w.colors.join(' ')}
  else
    compadd -- ${w.flags.join(' ')} -o
  fi
}
compdef _fleet_rollout fleet-rollout
`;
    case 'fish':
      return [
        '# fish completion for fleet-rollout',
        `complete -c fleet-rollout -f -n __fish_use_subcommand -a '${w.commands.join(' ')}'`,
        ...w.flags
          .filter((f) => f !== '--output' && f !== '--color')
          .map((f) => `complete -c fleet-rollout -f -n 'not __fish_use_subcommand' -l ${f.slice(2)}`),
        `complete -c fleet-rollout -f -n 'not __fish_use_subcommand' -s o -l output -x -a '${w.formats.join(' ')}'`,
        `complete -c fleet-rollout -f -n 'not __fish_use_subcommand' -l color -x -a '${w.colors.join(' ')}'`,
        '',
      ].join('\n');
    default:
      throw new UsageError(`completion: "${shell}" is not one of bash, zsh, fish`);
  }
}

/** Prints the completion script. */
export function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('completion', args, {});
  if (values.help === true) {
    process.stdout.write(HELP);
    return Promise.resolve(ExitCode.Ok);
  }
  const [shell = ''] = expectPositionals('completion', positionals, ['SHELL']);
  process.stdout.write(completionScript(shell));
  return Promise.resolve(ExitCode.Ok);
}
