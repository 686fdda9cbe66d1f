// The options of qapi-gen, defined once. The command line (node:util parseArgs), the
// config file's keys and the API's option types all derive from OPTIONS: adding an
// option is one entry here plus its use.

/** What values an option takes. */
export type OptionType =
  | { readonly kind: "boolean" }
  | { readonly kind: "string"; readonly arg: string }
  | { readonly kind: "choice"; readonly values: readonly string[] }
  /**
   * Repeatable on the command line, an array in the config file and the API; with
   * `commas`, a command-line value may also list several, comma-separated.
   */
  | { readonly kind: "list"; readonly arg: string; readonly pattern: RegExp; readonly what: string; readonly commas?: boolean };

/** The subcommands an option can be given to on the command line. */
export type CommandName = "generate" | "dump" | "defines";

export interface OptionSpec {
  readonly type: OptionType;
  /** The value when the option is not given; undefined for a list means "none given". */
  readonly default: boolean | string | undefined;
  /** One line for `--help` and the README. */
  readonly description: string;
  /** On the command line: the long flag is the option's name, or `flag` when it differs. */
  readonly cli: { readonly commands: readonly CommandName[]; readonly flag?: string; readonly short?: string };
  /** A key of the config file's targets (and of its top level, as a default for all targets). */
  readonly config: boolean;
  /** In the API's options: of checkSchema and generate ("check"), or of generate only. */
  readonly api?: "check" | "generate";
}

const SYMBOL = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How many doc comment warnings `--warnings first` lists. */
export const MAX_WARNINGS = 20;

export const OPTIONS = {
  output: {
    type: { kind: "string", arg: "DIR" },
    default: "out",
    description: "where generated files go",
    cli: { commands: ["generate"], short: "o" },
    config: true,
    api: "generate",
  },
  check: {
    type: { kind: "boolean" },
    default: false,
    description: "write nothing; exit 1 listing the files that differ",
    cli: { commands: ["generate"] },
    config: false,
    api: "generate",
  },
  int64: {
    type: { kind: "choice", values: ["number", "bigint"] },
    default: "number",
    description: "TypeScript type of 64-bit integers",
    cli: { commands: ["generate"] },
    config: true,
    api: "generate",
  },
  defines: {
    type: { kind: "list", arg: "SYMBOL", pattern: SYMBOL, what: "a symbol name" },
    default: undefined,
    description: "evaluate 'if' conditions as a build with SYMBOL would (repeatable)",
    cli: { commands: ["generate"], flag: "define" },
    config: true,
    api: "generate",
  },
  target: {
    type: { kind: "choice", values: ["ts", "js"] },
    default: "ts",
    description: "ts: TypeScript files; js: JavaScript files with declarations (.d.ts) beside them",
    cli: { commands: ["generate"] },
    config: true,
    api: "generate",
  },
  moduleFormat: {
    type: { kind: "choice", values: ["auto", "package", "extension"] },
    default: "auto",
    description:
      "what makes the files ES modules: the output folder's package.json (.ts, .js), or their extension (.mts, .mjs); auto: the extension inside a CommonJS package",
    cli: { commands: ["generate"], flag: "module-format" },
    config: true,
    api: "generate",
  },
  importExtension: {
    type: { kind: "choice", values: ["js", "ts", "none"] },
    default: "js",
    description: "the extension of import specifiers: js, ts (for Node's type stripping) or none (for bundlers)",
    cli: { commands: ["generate"], flag: "import-extension" },
    config: true,
    api: "generate",
  },
  emit: {
    type: { kind: "list", arg: "OUTPUT", pattern: /^(types|validators|client|server|introspection|jsonschema)$/, what: "an output (types, validators, client, server, introspection, jsonschema)", commas: true },
    default: undefined,
    description: "generate only these outputs, and what they need (default: all)",
    cli: { commands: ["generate"] },
    config: true,
    api: "generate",
  },
  commands: {
    type: { kind: "list", arg: "NAME", pattern: /^[A-Za-z0-9_.-]+$/, what: "a command's wire name", commas: true },
    default: undefined,
    description: "generate only these commands and the types they reach (with --events: those too)",
    cli: { commands: ["generate"] },
    config: true,
    api: "generate",
  },
  events: {
    type: { kind: "list", arg: "NAME", pattern: /^[A-Za-z0-9_.-]+$/, what: "an event's wire name", commas: true },
    default: undefined,
    description: "generate only these events and the types they reach (with --commands: those too)",
    cli: { commands: ["generate"] },
    config: true,
    api: "generate",
  },
  strict: {
    type: { kind: "boolean" },
    default: false,
    description: "doc comment problems are errors, as in QEMU 10",
    cli: { commands: ["generate", "dump", "defines"] },
    config: true,
    api: "check",
  },
  warnings: {
    type: { kind: "choice", values: ["first", "all", "summary", "none"] },
    default: "first",
    description: `doc comment warnings: the first ${MAX_WARNINGS} and a count of the rest, all, only their count, or none`,
    cli: { commands: ["generate", "dump", "defines"] },
    config: true,
  },
  quiet: {
    type: { kind: "boolean" },
    default: false,
    description: "print only errors",
    cli: { commands: ["generate", "dump", "defines"], short: "q" },
    config: false,
  },
  watch: {
    type: { kind: "boolean" },
    default: false,
    description: "regenerate when the schema, its includes or the config change",
    cli: { commands: ["generate"], short: "w" },
    config: false,
  },
  config: {
    type: { kind: "string", arg: "FILE" },
    default: undefined,
    description: "run the targets of FILE (without SCHEMA: qapi-gen.config.json)",
    cli: { commands: ["generate"], short: "c" },
    config: false,
  },
  from: {
    type: { kind: "string", arg: "SOCKET|FILE" },
    default: undefined,
    description: "a QEMU's QMP socket, or its saved query-qmp-schema reply",
    cli: { commands: ["defines"] },
    config: false,
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** Older spellings kept working: `--all-warnings` is `--warnings all`. */
export const LEGACY_FLAGS: Readonly<Record<string, { readonly option: OptionName; readonly value: string }>> = {
  "all-warnings": { option: "warnings", value: "all" },
};

type ValueOf<T extends OptionType> = T extends { kind: "boolean" }
  ? boolean
  : T extends { kind: "choice"; values: readonly (infer V)[] }
    ? V
    : T extends { kind: "list" }
      ? readonly string[]
      : string;

/** The value type of each option. */
export type OptionValues = { -readonly [K in OptionName]: ValueOf<(typeof OPTIONS)[K]["type"]> };

type KeysWhere<P> = { [K in OptionName]: (typeof OPTIONS)[K] extends P ? K : never }[OptionName];

/** The options a config file's target (or its top level) may set. */
export type ConfigKey = KeysWhere<{ config: true }>;
/** The options of the API's checkSchema (and of generate). */
export type CheckOptionKey = KeysWhere<{ api: "check" }>;
/** The options of the API's generate. */
export type GenerateOptionKey = KeysWhere<{ api: "check" | "generate" }>;

/** Every option with a value: given ones, else the defaults. */
export type ResolvedOptions = Partial<OptionValues> & Omit<OptionValues, "defines" | "config" | "from" | "emit" | "commands" | "events">;

export function optionNames(): OptionName[] {
  return Object.keys(OPTIONS) as OptionName[];
}

/** The command-line flag of an option, without dashes. */
export function flagOf(name: OptionName): string {
  const cli: OptionSpec["cli"] = OPTIONS[name].cli;
  return cli.flag ?? name;
}

/** How an option's value is written in messages and help: `number|bigint`, `DIR`. */
export function argOf(name: OptionName): string | undefined {
  const type: OptionType = OPTIONS[name].type;
  if (type.kind === "boolean") return undefined;
  return type.kind === "choice" ? type.values.join("|") : type.arg;
}

const quoted = (v: unknown): string => (typeof v === "string" ? `'${v}'` : JSON.stringify(v) ?? String(v));

/**
 * The problem with `value` as the value of option `name`, or undefined when it is
 * valid. Command-line values are strings (a list gets one item at a time); config and
 * API values are JSON values.
 */
export function valueProblem(name: OptionName, value: unknown): string | undefined {
  const type: OptionType = OPTIONS[name].type;
  switch (type.kind) {
    case "boolean":
      return typeof value === "boolean" ? undefined : `takes true or false, not ${quoted(value)}`;
    case "string":
      return typeof value === "string" && value !== "" ? undefined : `takes a non-empty string, not ${quoted(value)}`;
    case "choice":
      return typeof value === "string" && type.values.includes(value)
        ? undefined
        : `takes ${type.values.map((v) => `'${v}'`).join(" or ")}, not ${quoted(value)}`;
    case "list": {
      if (!Array.isArray(value)) return `takes an array, each ${type.what}, not ${quoted(value)}`;
      const bad = value.find((v) => typeof v !== "string" || !type.pattern.test(v));
      return bad === undefined ? undefined : `takes ${type.what}, not ${quoted(bad)}`;
    }
  }
}

/** Options given (from the config file, the API, the command line) over the defaults. */
export function resolveOptions(given: Partial<OptionValues>): ResolvedOptions {
  const resolved: Record<string, unknown> = {};
  for (const name of optionNames()) {
    const value = given[name] ?? OPTIONS[name].default;
    if (value !== undefined) resolved[name] = value;
  }
  return resolved as ResolvedOptions;
}
