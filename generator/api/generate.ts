// The programmatic API: load and check a schema; generate from it, and write or check
// the output folder when asked. Nothing here prints, exits or throws for bad input:
// problems come back as Diagnostics. The command line is a thin layer over this.

import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { loadSchema } from "../frontend/check.js";
import { QapiError, makeDiagnostics } from "../frontend/errors.js";
import type { Schema } from "../frontend/model.js";
import { showName } from "../frontend/files.js";
import { optimizedBackEnd } from "./tiers.js";
import { nodeFileReader, type FileReader } from "../frontend/parse.js";
import { MARKER, OutputError, diffOutput, writeOutput } from "../cli/writer.js";
import { diagnostic, fromQapiError, type Diagnostic } from "./diagnostics.js";
import {
  OPTIONS,
  resolveOptions,
  valueProblem,
  type CheckOptionKey,
  type GenerateOptionKey,
  type OptionName,
  type OptionValues,
  type ResolvedOptions,
} from "./options.js";

/** Where a schema comes from. */
export interface SchemaSource {
  /** The main schema file, relative to `cwd` or absolute. Messages name it as given. */
  schema: string;
  /** The folder relative paths are resolved against (default: the process's working directory). */
  cwd?: string;
  /**
   * Schema files held in memory, by path (relative to `cwd` or absolute). When given,
   * the schema and its includes are read from here only, never from disk.
   */
  files?: Readonly<Record<string, string | Uint8Array>>;
}

type OptionsOf<Key extends OptionName> = { -readonly [K in Key]?: OptionValues[K] };

/** Options of {@link checkSchema}: the source, and `strict` as on the command line. */
export type CheckOptions = SchemaSource & OptionsOf<CheckOptionKey>;

/**
 * Options of {@link generate}: the source, the generation options as on the command
 * line (`output`, `int64`, `defines`, `strict`, `check`; see the README's option table),
 * and `write`.
 */
export type GenerateOptions = SchemaSource &
  OptionsOf<GenerateOptionKey> & {
    /** Replace the `output` folder with the generated files. Without it (and without `check`) nothing is written. */
    write?: boolean;
  };

/** A generated file. */
export interface GeneratedFile {
  /** Path relative to the output folder, '/'-separated. */
  readonly path: string;
  readonly content: string;
}

/** What {@link checkSchema} found. */
export interface CheckResult {
  /** No errors (warnings may remain). */
  readonly ok: boolean;
  /** The checked model; undefined when there are errors. */
  readonly schema: Schema | undefined;
  /** Errors: the front end stops at the first, as QEMU's generator does. */
  readonly errors: readonly Diagnostic[];
  /** Doc comment problems, which `strict` turns into errors. */
  readonly warnings: readonly Diagnostic[];
  /** Absolute paths of the files the schema read or tried to read: the main file and its includes, as of this run. */
  readonly inputs: readonly string[];
}

/** How the output folder differs from the generated files, and whether it was written. */
export interface OutputChange {
  /** The output folder, absolute. */
  readonly dir: string;
  /** Files new or different from what the folder held. */
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
  /** Files the folder held that are no longer generated. */
  readonly removed: readonly string[];
  /** Whether the folder was replaced: never with `check`, nor when nothing changed. */
  readonly written: boolean;
}

/** What {@link generate} produced. */
export interface GenerateResult extends Omit<CheckResult, "schema"> {
  /** The generated files, in path order; empty when there are errors. */
  readonly files: readonly GeneratedFile[];
  /** With `write` or `check` and no schema error: the output folder's changes (made, or with `check` that would be made). */
  readonly output: OutputChange | undefined;
}

/** A FileReader over `files`, or the disk; records every file asked for (the watch set). */
function recordingReader(source: SchemaSource, cwd: string, inputs: Set<string>): FileReader {
  const reader = source.files === undefined ? nodeFileReader(cwd) : memoryReader(source.files, cwd);
  return {
    resolve: (name) => reader.resolve(name),
    read(name) {
      inputs.add(reader.resolve(name));
      return reader.read(name);
    },
  };
}

function memoryReader(files: Readonly<Record<string, string | Uint8Array>>, cwd: string): FileReader {
  const byPath = new Map(Object.entries(files).map(([name, text]) => [resolve(cwd, name), text]));
  return {
    resolve: (name) => resolve(cwd, name),
    read(name) {
      const text = byPath.get(resolve(cwd, name));
      if (text === undefined) throw Object.assign(new Error(`${name}: not among the files given`), { code: "ENOENT" });
      return typeof text === "string" ? Buffer.from(text, "utf8") : text;
    },
  };
}

const SOURCE_KEYS = new Set(["schema", "cwd", "files"]);

/** API misuse (a wrong key or value) is a programming error: a TypeError, with the option named. */
function validate(options: object, keys: ReadonlySet<string>, fn: string): void {
  if (typeof (options as SchemaSource).schema !== "string") throw new TypeError(`qapi-gen ${fn}: 'schema' must be a path`);
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || SOURCE_KEYS.has(key)) continue;
    if (!keys.has(key)) throw new TypeError(`qapi-gen ${fn}: unknown option '${key}'`);
    const problem = key in OPTIONS ? valueProblem(key as OptionName, value) : typeof value === "boolean" ? undefined : "takes true or false";
    if (problem !== undefined) throw new TypeError(`qapi-gen ${fn}: option '${key}' ${problem}`);
  }
}

function apiKeys(scope: "check" | "generate"): Set<string> {
  const keys = Object.entries(OPTIONS).filter(([, spec]) => "api" in spec && (scope === "generate" || spec.api === "check"));
  return new Set(keys.map(([name]) => name));
}
const CHECK_KEYS = apiKeys("check");
const GENERATE_KEYS = new Set([...apiKeys("generate"), "write"]);

interface Loaded extends CheckResult {
  readonly cwd: string;
}

function load(source: SchemaSource, strict: boolean): Loaded {
  const cwd = resolve(source.cwd ?? process.cwd());
  const inputs = new Set<string>();
  const diags = makeDiagnostics(strict);
  let schema: Schema | undefined;
  let errors: Diagnostic[] = [];
  try {
    schema = loadSchema(source.schema, recordingReader(source, cwd, inputs), diags);
  } catch (err) {
    if (!(err instanceof QapiError)) throw err;
    errors = [fromQapiError(err, "error")];
  }
  const warnings = diags.warnings.map((w) => fromQapiError(w, "warning"));
  return { ok: errors.length === 0, schema, errors, warnings, inputs: [...inputs], cwd };
}

/**
 * Load and check a schema: parse it and its includes, check it as QEMU's generator
 * does, and build the model. Problems come back in the result; nothing is written.
 *
 * @example
 * const { ok, schema, errors } = await checkSchema({ schema: "qapi/qapi-schema.json" });
 * if (!ok) for (const e of errors) console.error(e.text);
 */
export async function checkSchema(options: CheckOptions): Promise<CheckResult> {
  validate(options, CHECK_KEYS, "checkSchema");
  const { cwd: _cwd, ...result } = load(options, options.strict ?? OPTIONS.strict.default);
  return result;
}

/** The schema path for file headers: relative to the output folder, '/'-separated, whatever the working directory. */
function headerPath(schema: string, cwd: string, output: string): string {
  return relative(resolve(cwd, output), resolve(cwd, schema)).split("\\").join("/");
}

/**
 * `moduleFormat: "auto"`: files with explicit extensions (.mts/.mjs) when the output
 * folder lies in a CommonJS package (a package.json without `"type": "module"`,
 * npm's default), where tsc would compile `.ts` files to ES syntax that Node then
 * loads as CommonJS; else (an ES module package, or none) the output folder's own
 * package.json marks them.
 */
function resolveModuleFormat(format: ResolvedOptions["moduleFormat"], outDir: string): "package" | "extension" {
  if (format !== "auto") return format;
  for (let dir = dirname(outDir); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { type?: unknown };
      return pkg.type === "module" ? "package" : "extension";
    } catch {
      // no (readable) package.json here: look further up
    }
    if (dirname(dir) === dir) return "package";
  }
}

/**
 * The one call into the back end: the model and the options in, the files out (or
 * an error for options the schema cannot satisfy). Loaded on demand, so that
 * checking alone does not load the emitters.
 */
async function emit(schema: Schema, options: ResolvedOptions, outDir: string, schemaPath: string): Promise<GeneratedFile[] | Diagnostic> {
  optimizedBackEnd();
  const backend = await import("../backend/generate.js");
  const { GenerateOptionsError, OUTPUTS } = await import("../backend/context.js");
  const defines = options.defines === undefined ? undefined : new Set(options.defines);
  try {
    return backend.generate(
      schema,
      {
        int64: options.int64,
        defines,
        target: options.target,
        moduleFormat: resolveModuleFormat(options.moduleFormat, outDir),
        importExtension: options.importExtension,
        emit: new Set(options.emit ?? OUTPUTS) as ReadonlySet<(typeof OUTPUTS)[number]>,
        commands: options.commands,
        events: options.events,
      },
      schemaPath,
    );
  } catch (err) {
    if (!(err instanceof GenerateOptionsError)) throw err;
    return diagnostic(undefined, undefined, undefined, err.message);
  }
}

/**
 * Compare the output folder with `files`; replace it unless checking or unchanged.
 * Throws OutputError (the CLI writes several targets after generating them all).
 */
export async function updateOutput(dir: string, files: readonly GeneratedFile[], check: boolean): Promise<OutputChange> {
  // The marker is the writer's: written when missing, but not counted as output.
  const differ = new Set(diffOutput(dir, files));
  const generated = new Set(files.map((f) => f.path));
  const changed = [...differ].filter((p) => generated.has(p));
  const removed = [...differ].filter((p) => !generated.has(p) && p !== MARKER);
  const unchanged = files.map((f) => f.path).filter((p) => !differ.has(p));
  const written = !check && differ.size > 0;
  if (written) await writeOutput(dir, files);
  return { dir, changed, unchanged, removed, written };
}

/**
 * Generate TypeScript from a schema. Returns the files; writes the `output` folder
 * (default `out`, relative to `cwd`) only with `write: true`, and with `check: true`
 * compares it instead (`output.changed` and `output.removed` empty: up to date).
 * Problems (schema errors, an output folder that cannot be written) come back as
 * `errors`; with any error nothing is written.
 *
 * @example
 * const result = await generate({ schema: "qapi/qapi-schema.json", output: "src/qmp", write: true });
 * for (const d of [...result.errors, ...result.warnings]) console.error(d.text);
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  validate(options, GENERATE_KEYS, "generate");
  const resolved = resolveOptions(options);
  const { schema, cwd, ...loaded } = load(options, resolved.strict);
  if (schema === undefined) return { ...loaded, files: [], output: undefined };
  const outDir = resolve(cwd, resolved.output);
  const files = await emit(schema, resolved, outDir, showName(headerPath(options.schema, cwd, resolved.output)));
  if (!Array.isArray(files)) return { ...loaded, ok: false, errors: [files], files: [], output: undefined };
  if (options.write !== true && !resolved.check) return { ...loaded, files, output: undefined };
  try {
    const output = await updateOutput(outDir, files, resolved.check);
    return { ...loaded, files, output };
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    return { ...loaded, ok: false, errors: [diagnostic(undefined, undefined, undefined, err.message)], files, output: undefined };
  }
}
