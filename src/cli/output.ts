/**
 * One output convention for every read command: `-o text|json|jsonl|yaml` (`--json` is `-o json`)
 * and `--color auto|always|never` beside `NO_COLOR`. Documents are the client's objects, with the
 * same field names in every format; `jsonl` writes one object per line (an array's items, or one
 * object per change while watching).
 */
import { UsageError } from './exit.js';
import { outputStyle, type ColorMode, type OutputStyle } from './render.js';

/** The formats of `-o`. */
export const OutputFormat = { Text: 'text', Json: 'json', Jsonl: 'jsonl', Yaml: 'yaml' } as const;
/** One of {@link OutputFormat}. */
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

const FORMATS: readonly string[] = Object.values(OutputFormat);
const COLOR_MODES: readonly string[] = ['auto', 'always', 'never'];

/** `util.parseArgs` options of the output flags. */
export const OUTPUT_FLAG_OPTIONS = {
  output: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  color: { type: 'string' },
} as const;

/** Help lines of the output flags. */
export const OUTPUT_FLAGS_HELP = `  -o, --output FORMAT         text (default), json, jsonl (one object per line) or yaml
  --json                      the same as -o json
  --color WHEN                auto (default: on a terminal), always or never; NO_COLOR=1 means never
`;

/** Values of the output flags as `util.parseArgs` returns them. */
export interface OutputFlagValues {
  output?: string | undefined;
  json?: boolean | undefined;
  color?: string | undefined;
}

/** Where and how a command writes. */
export interface Output {
  format: OutputFormat;
  style: OutputStyle;
  out: NodeJS.WritableStream;
}

/**
 * Reads `-o`, `--json` and `--color`.
 * @throws UsageError naming the flag and the accepted values.
 */
export function outputFrom(
  values: OutputFlagValues,
  stream: NodeJS.WriteStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Output {
  const format = values.output ?? (values.json === true ? OutputFormat.Json : OutputFormat.Text);
  if (!FORMATS.includes(format)) throw new UsageError(`-o/--output: "${format}" is not one of ${FORMATS.join(', ')}`);
  if (values.json === true && format !== OutputFormat.Json)
    throw new UsageError(`--json and -o ${format} disagree; give one of them`);
  const color = values.color ?? 'auto';
  if (!COLOR_MODES.includes(color)) throw new UsageError(`--color: "${color}" is not one of ${COLOR_MODES.join(', ')}`);
  return { format: format as OutputFormat, style: outputStyle(stream, env, color as ColorMode), out: stream };
}

/** `value` as YAML (the library is loaded only when YAML is asked for). */
function toYaml(value: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
  return (require('yaml') as typeof import('yaml')).stringify(value, { lineWidth: 0 });
}

/** Writes `value` in a machine format; `text` lines are written for the text format. */
export function writeDocument(output: Output, value: unknown, text: () => readonly string[]): void {
  const { out } = output;
  switch (output.format) {
    case OutputFormat.Text: {
      const lines = text();
      if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
      return;
    }
    case OutputFormat.Json:
      out.write(`${JSON.stringify(value, null, 2)}\n`);
      return;
    case OutputFormat.Jsonl:
      for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) out.write(`${JSON.stringify(item)}\n`);
      return;
    case OutputFormat.Yaml:
      // Through JSON first, so dates and other objects read the same as in -o json.
      out.write(toYaml(JSON.parse(JSON.stringify(value)) as unknown));
      return;
  }
}
