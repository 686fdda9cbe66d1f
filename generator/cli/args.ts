// The command line, parsed by node:util parseArgs with a configuration derived from the
// option table (generator/api/options.ts). A usage error is a UsageError: the caller
// prints it with the usage text and exits 2.

import { parseArgs, type ParseArgsConfig } from "node:util";
import {
  LEGACY_FLAGS,
  OPTIONS,
  argOf,
  flagOf,
  optionNames,
  valueProblem,
  type CommandName,
  type OptionName,
  type OptionType,
  type OptionValues,
} from "../api/options.js";

export class UsageError extends Error {}

export interface CommandLine {
  command: CommandName;
  /** The options given on the command line (defaults are not filled in). */
  given: Partial<OptionValues>;
  positionals: string[];
  help: boolean;
  version: boolean;
}

type ParseOptions = NonNullable<ParseArgsConfig["options"]>;

function parseOptions(): ParseOptions {
  const options: ParseOptions = { help: { type: "boolean", short: "h" }, version: { type: "boolean" } };
  for (const name of optionNames()) {
    const spec = OPTIONS[name];
    const short: string | undefined = "short" in spec.cli ? spec.cli.short : undefined;
    options[flagOf(name)] = {
      type: spec.type.kind === "boolean" ? "boolean" : "string",
      multiple: spec.type.kind === "list",
      ...(short === undefined ? {} : { short }),
    };
  }
  for (const flag of Object.keys(LEGACY_FLAGS)) options[flag] = { type: "boolean" };
  return options;
}

const PARSE_OPTIONS = parseOptions();
const BY_FLAG = new Map(optionNames().map((name) => [flagOf(name), name]));

/** parseArgs' messages, shortened and in the CLI's style. */
function usageMessage(err: Error & { code?: string }): string {
  const flag = /'(?:-\w, )?(--?[\w-]+)/.exec(err.message)?.[1] ?? "";
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option '${flag}'`;
  if (/argument missing/.test(err.message)) return `option '${flag}' needs a value`;
  if (/does not take an argument/.test(err.message)) return `option '${flag}' takes no value`;
  if (/argument is ambiguous/.test(err.message)) return `option '${flag}' needs a value (write ${flag}=VALUE for one starting with '-')`;
  const first = err.message.split("\n")[0] ?? err.message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** A list option's values with comma-separated ones split, where the option allows it. */
function splitCommas(name: OptionName, value: unknown): unknown {
  const type: OptionType = OPTIONS[name].type;
  if (type.kind !== "list" || type.commas !== true || !Array.isArray(value)) return value;
  return (value as string[]).flatMap((v) => v.split(","));
}

/** `argv` without the node and script names. The first word may name a subcommand. */
export function parseCommandLine(argv: readonly string[], commands: readonly CommandName[]): CommandLine {
  const first = argv[0] as CommandName | undefined;
  const command: CommandName = first !== undefined && commands.includes(first) ? first : "generate";
  const args = command === first ? argv.slice(1) : [...argv];
  let parsed: ReturnType<typeof parseArgs<{ options: ParseOptions; allowPositionals: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args, options: PARSE_OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError(usageMessage(err as Error));
  }
  const line: CommandLine = { command, given: {}, positionals: parsed.positionals, help: false, version: false };
  const given: Record<string, unknown> = line.given;
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    if (token.name === "help" || token.name === "version") {
      line[token.name] = true;
      continue;
    }
    const legacy = LEGACY_FLAGS[token.name];
    const name = legacy?.option ?? (BY_FLAG.get(token.name) as OptionName);
    const commandsOf: readonly CommandName[] = OPTIONS[name].cli.commands;
    if (!commandsOf.includes(command)) throw new UsageError(`option '${token.rawName}' does not apply to ${command}`);
    if (legacy !== undefined) given[name] ??= legacy.value;
    else given[name] = splitCommas(name, parsed.values[token.name]);
  }
  for (const [name, value] of Object.entries(given)) {
    const problem = valueProblem(name as OptionName, value);
    if (problem !== undefined) throw new UsageError(`option '--${flagOf(name as OptionName)}' ${problem}`);
  }
  return line;
}

/** The `--help` lines of the options `command` takes: flags, then the description. */
export function optionHelp(command: CommandName): string {
  const rows: [string, string][] = [];
  for (const name of optionNames()) {
    const spec = OPTIONS[name];
    const commandsOf: readonly CommandName[] = spec.cli.commands;
    if (!commandsOf.includes(command)) continue;
    const short: string | undefined = "short" in spec.cli ? spec.cli.short : undefined;
    const arg = argOf(name);
    const flags = `${short === undefined ? "" : `-${short}, `}--${flagOf(name)}${arg === undefined ? "" : ` ${arg}`}`;
    const dflt = spec.default === undefined || spec.default === false ? "" : ` (default: ${spec.default})`;
    rows.push([flags, spec.description + dflt]);
  }
  const width = Math.max(...rows.map(([flags]) => flags.length)) + 2;
  return rows.map(([flags, text]) => `  ${flags.padEnd(width)}${text}\n`).join("");
}
