// The config file, qapi-gen.config.json: one or more targets, each a schema and an
// output folder with any option a target can take (the option table's config keys).
// Keys at the top level are defaults for every target. Paths are relative to the
// config file's folder. A target's schema may be a glob pattern (fast-glob), making one
// target per match; its output then names each with [name] (the file name without
// .json) or [dir] (the folder holding it).
//
// JSON rather than a .js/.ts module: it is data (no code runs to read it), every
// problem can be located at FILE:LINE:COL, it is re-read on every watch cycle without
// module caches, and Node 20 cannot import a .ts config without a loader.

import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";
import fg from "fast-glob";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import { type JsonMember, type JsonNode, JsonTreeError, jsonValue, lineColumn, parseJsonTree } from "./json-tree.js";
import { OPTIONS, optionNames, valueProblem, type ConfigKey, type OptionName, type OptionValues } from "./options.js";
import type { GenerateOptions } from "./generate.js";

/** The config file `qapi-gen` runs when given no SCHEMA. */
export const CONFIG_FILE = "qapi-gen.config.json";

const CONFIG_KEYS: readonly ConfigKey[] = optionNames().filter((n): n is ConfigKey => OPTIONS[n].config);
const TARGET_KEYS = ["schema", ...CONFIG_KEYS];
const TOP_KEYS = ["$schema", "targets", ...CONFIG_KEYS];

/** The options a config target sets, as the API takes them, plus how it reports. */
export interface ConfigTarget {
  /** The API options for this target: `schema` and `output` relative to `cwd` (the working directory). */
  readonly options: GenerateOptions & { schema: string; output: string; cwd: string };
  /** Doc comment warnings: all, summary or none. */
  readonly warnings: OptionValues["warnings"];
  /** Where the target is defined: `FILE:LINE:COL`. */
  readonly where: string;
}

/** What {@link loadConfig} found: the targets, or located errors. */
export type ConfigResult =
  | { readonly ok: true; readonly file: string; readonly targets: readonly ConfigTarget[]; readonly errors: readonly [] }
  | { readonly ok: false; readonly file: string; readonly targets: readonly []; readonly errors: readonly Diagnostic[] };

class ConfigReader {
  readonly errors: Diagnostic[] = [];

  constructor(
    /** The config file as named in messages. */
    readonly name: string,
    readonly text: string,
  ) {}

  where(offset: number): string {
    const { line, column } = lineColumn(this.text, offset);
    return `${this.name}:${line}:${column}`;
  }

  error(offset: number, message: string): void {
    const { line, column } = lineColumn(this.text, offset);
    this.errors.push(diagnostic(this.name, line, column, message));
  }

  /** The object's members whose keys are known; unknown keys are errors. */
  members(node: JsonNode, known: readonly string[], what: string): Map<string, JsonMember> | undefined {
    if (node.kind !== "object") {
      this.error(node.offset, `${what} must be an object`);
      return undefined;
    }
    const members = new Map<string, JsonMember>();
    for (const m of node.members) {
      if (known.includes(m.key)) members.set(m.key, m);
      else this.error(m.keyOffset, `unknown key '${m.key}' in ${what} (known: ${known.filter((k) => k !== "$schema").join(", ")})`);
    }
    return members;
  }

  /** Valid option values among `members`. */
  options(members: Map<string, JsonMember>): Partial<Record<ConfigKey, unknown>> {
    const out: Partial<Record<ConfigKey, unknown>> = {};
    for (const key of CONFIG_KEYS) {
      const m = members.get(key);
      if (m === undefined) continue;
      const value = jsonValue(m.value);
      const problem = valueProblem(key, value);
      if (problem === undefined) out[key] = value;
      else this.error(m.value.offset, `'${key}' ${problem}`);
    }
    return out;
  }
}

interface RawTarget {
  schema: string;
  schemaOffset: number;
  outputOffset: number;
  options: Partial<Record<ConfigKey, unknown>>;
  offset: number;
}

function readTargets(reader: ConfigReader, root: JsonNode): RawTarget[] {
  const top = reader.members(root, TOP_KEYS, "the config");
  if (top === undefined) return [];
  const defaults = reader.options(top);
  const targets = top.get("targets");
  if (targets === undefined || targets.value.kind !== "array" || targets.value.items.length === 0) {
    reader.error(targets?.value.offset ?? root.offset, "'targets' must be a non-empty array of targets ({ \"schema\": …, \"output\": … })");
    return [];
  }
  const raw: RawTarget[] = [];
  targets.value.items.forEach((node, i) => {
    const members = reader.members(node, TARGET_KEYS, `target ${i + 1}`);
    if (members === undefined) return;
    const options = { ...defaults, ...reader.options(members) };
    const schema = members.get("schema");
    if (schema === undefined) reader.error(node.offset, `target ${i + 1} has no 'schema'`);
    else if (typeof jsonValue(schema.value) !== "string" || jsonValue(schema.value) === "")
      reader.error(schema.value.offset, "'schema' takes a path or a glob pattern");
    else {
      const outputOffset = members.get("output")?.value.offset ?? node.offset;
      raw.push({ schema: jsonValue(schema.value) as string, schemaOffset: schema.value.offset, outputOffset, options, offset: node.offset });
    }
  });
  return raw;
}

/** A path for messages and for the API: relative to the working directory when inside it, '/'-separated. */
function fromCwd(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  if (rel.startsWith("..") || isAbsolute(rel)) return abs;
  return (rel === "" ? "." : rel).split(sep).join("/");
}

/** The targets a raw target stands for: one, or one per match of its schema pattern. */
function expand(reader: ConfigReader, t: RawTarget, dir: string, cwd: string): ConfigTarget[] {
  const output = (t.options.output as string | undefined) ?? OPTIONS.output.default;
  const pattern = fg.isDynamicPattern(t.schema);
  const schemas = pattern ? fg.sync(t.schema, { cwd: dir, onlyFiles: true, absolute: true }).sort() : [resolve(dir, t.schema)];
  if (pattern && schemas.length === 0) reader.error(t.schemaOffset, `schema pattern '${t.schema}' matches no file`);
  if (!pattern && !existsSync(schemas[0] as string)) reader.error(t.schemaOffset, `schema '${t.schema}' does not exist`);
  if (pattern && !/\[(name|dir)\]/.test(output)) {
    reader.error(t.outputOffset, `output '${output}' must name each match of the schema pattern with [name] or [dir]`);
    return [];
  }
  return schemas.map((schema) => {
    const out = output.replaceAll("[name]", basename(schema, ".json")).replaceAll("[dir]", basename(dirname(schema)));
    const target = { schema: fromCwd(cwd, schema), output: fromCwd(cwd, resolve(dir, out)), cwd };
    return withOptions({ options: target, warnings: OPTIONS.warnings.default, where: reader.where(t.offset) }, { ...t.options, output: undefined });
  });
}

/** Two targets writing one folder, or one inside the other's, would destroy each other's output. */
function checkOutputs(reader: ConfigReader, targets: readonly ConfigTarget[], raw: Map<ConfigTarget, RawTarget>, cwd: string): void {
  targets.forEach((t, i) => {
    const out = resolve(cwd, t.options.output);
    for (const other of targets.slice(0, i)) {
      const o = resolve(cwd, other.options.output);
      const clash = o === out ? "is also" : out.startsWith(o + sep) ? "is inside" : o.startsWith(out + sep) ? "contains" : undefined;
      if (clash === undefined) continue;
      reader.error(raw.get(t)?.outputOffset ?? 0, `output '${t.options.output}' ${clash} the output of the target at ${other.where}`);
      return;
    }
  });
}

/**
 * Read and validate a config file (default: qapi-gen.config.json in `cwd`). Problems
 * (syntax, unknown keys, wrong types, missing schemas, clashing outputs) come back as
 * errors located at FILE:LINE:COL; nothing is generated or written.
 */
export async function loadConfig(options: { file?: string; cwd?: string } = {}): Promise<ConfigResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = options.file ?? CONFIG_FILE;
  const abs = resolve(cwd, file);
  const fail = (errors: Diagnostic[]): ConfigResult => ({ ok: false, file: abs, targets: [], errors });
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    return fail([diagnostic(file, undefined, undefined, `can't read config file: ${why}`)]);
  }
  const reader = new ConfigReader(file, text);
  let root: JsonNode;
  try {
    root = parseJsonTree(text);
  } catch (err) {
    if (!(err instanceof JsonTreeError)) throw err;
    reader.error(err.offset, err.message);
    return fail(reader.errors);
  }
  const raw = readTargets(reader, root);
  const byTarget = new Map<ConfigTarget, RawTarget>();
  const targets = raw.flatMap((t) => expand(reader, t, dirname(abs), cwd).map((target) => (byTarget.set(target, t), target)));
  checkOutputs(reader, targets, byTarget, cwd);
  const byPlace = (a: Diagnostic, b: Diagnostic): number => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
  if (reader.errors.length > 0) return fail(reader.errors.sort(byPlace));
  return { ok: true, file: abs, targets, errors: [] };
}

/** `target` with config-key options set: the API's into `options`, `warnings` apart. */
function withOptions(target: ConfigTarget, set: Partial<Record<ConfigKey, unknown>>): ConfigTarget {
  const api = CONFIG_KEYS.filter((key) => set[key] !== undefined && "api" in OPTIONS[key]);
  const options = { ...target.options, ...Object.fromEntries(api.map((key) => [key, set[key]])) };
  const warnings = (set.warnings as OptionValues["warnings"] | undefined) ?? target.warnings;
  return { ...target, options, warnings };
}

/** A one-target config with the command line's target options over its own (`output` relative to `cwd`). */
export function overrideTarget(target: ConfigTarget, given: Partial<OptionValues>): ConfigTarget {
  const cwd = target.options.cwd;
  const output = given.output === undefined ? undefined : fromCwd(cwd, resolve(cwd, given.output));
  return withOptions(target, { ...given, ...(output === undefined ? {} : { output }) });
}

/** Config keys among the options given on the command line. */
export function targetFlags(given: Partial<OptionValues>): OptionName[] {
  return CONFIG_KEYS.filter((k) => given[k] !== undefined);
}
