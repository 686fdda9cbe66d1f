#!/usr/bin/env node
// Command line. `qapi-gen [generate] [options] SCHEMA` writes TypeScript; `qapi-gen dump`
// prints the checked model; `qapi-gen defines SCHEMA --from LIVE` finds a build's --define
// set. Schema errors print as FILE:LINE[:COL]: message and exit 1; nothing prints a stack
// trace.

import { readFileSync, realpathSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSchema } from "../frontend/check.js";
import { dumpSchema } from "../frontend/dump.js";
import type { GenerateOptions } from "../backend/context.js";
import { QapiError, makeDiagnostics, type Diagnostics } from "../frontend/errors.js";
import { showName } from "../frontend/files.js";
import { nodeFileReader } from "../frontend/parse.js";
import { LiveSchemaError } from "./live-schema.js";
import { processInputs, processOutput } from "./process.js";
import { OutputError, recoverOutput } from "./writer.js";

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Directory that relative paths are resolved against. */
  cwd: string;
}

const USAGE = `usage: qapi-gen [generate] [options] SCHEMA
       qapi-gen dump [--strict] SCHEMA
       qapi-gen defines SCHEMA --from SOCKET|FILE.json

Generate TypeScript from a QAPI schema (types, validators, QMP client and server
stubs, introspection, JSON Schema), or dump the checked schema model.

options:
  -o, --output DIR       where generated files go (default: out)
  --check                write nothing; exit 1 listing the files that differ from DIR
  --int64 number|bigint  TypeScript type of 64-bit integers (default: number)
  --define SYMBOL        evaluate 'if' conditions with SYMBOL defined (repeatable);
                         without any, everything is generated
  --strict               doc comment problems are errors, as in QEMU 10
  --all-warnings         list every doc comment warning (default: the first ${20})
  --from SOCKET|FILE     defines: a QEMU's QMP socket, or its saved query-qmp-schema
  -h, --help             this text
  --version              the version of qapi-gen
`;

const MAX_WARNINGS = 20;

class UsageError extends Error {}

interface Options {
  command: "generate" | "dump" | "defines";
  from: string | undefined;
  strict: boolean;
  allWarnings: boolean;
  schema: string;
  output: string;
  check: boolean;
  int64: "number" | "bigint";
  defines: string[] | undefined;
}

function parseArgs(argv: string[]): Options | "help" | "version" {
  const args = [...argv];
  const opts: Options = {
    command: "generate",
    strict: false,
    allWarnings: false,
    schema: "",
    output: "out",
    check: false,
    int64: "number",
    defines: undefined,
    from: undefined,
  };
  if (args[0] === "dump" || args[0] === "generate" || args[0] === "defines") opts.command = args.shift() as Options["command"];
  const positional: string[] = [];
  const value = (flag: string, inline: string | undefined): string => {
    const v = inline ?? args.shift();
    if (v === undefined) throw new UsageError(`option '${flag}' needs a value`);
    return v;
  };
  while (args.length > 0) {
    const arg = args.shift() as string;
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const generateOnly = (): void => {
      if (opts.command !== "generate") throw new UsageError(`option '${flag}' does not apply to ${opts.command}`);
    };
    switch (flag) {
      case "-h":
      case "--help":
        return "help";
      case "--version":
        return "version";
      case "--strict":
        opts.strict = true;
        break;
      case "--all-warnings":
        opts.allWarnings = true;
        break;
      case "-o":
      case "--output":
        generateOnly();
        opts.output = value(flag, inline);
        break;
      case "--check":
        generateOnly();
        opts.check = true;
        break;
      case "--int64": {
        generateOnly();
        const v = value(flag, inline);
        if (v !== "number" && v !== "bigint") throw new UsageError(`--int64 takes 'number' or 'bigint', not '${v}'`);
        opts.int64 = v;
        break;
      }
      case "--define": {
        generateOnly();
        const v = value(flag, inline);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new UsageError(`--define takes a symbol name, not '${v}'`);
        (opts.defines ??= []).push(v);
        break;
      }
      case "--from":
        if (opts.command !== "defines") throw new UsageError("option '--from' applies to defines only");
        opts.from = value(flag, inline);
        break;
      default:
        throw new UsageError(`unknown option '${arg}'`);
    }
  }
  if (positional.length !== 1) {
    throw new UsageError(positional.length === 0 ? "missing SCHEMA file" : "expected exactly one SCHEMA file");
  }
  opts.schema = positional[0] as string;
  if (opts.command === "defines" && opts.from === undefined) throw new UsageError("defines needs --from SOCKET|FILE.json");
  return opts;
}

function printWarnings(diags: Diagnostics, io: CliIO, all: boolean): void {
  const shown = all ? diags.warnings : diags.warnings.slice(0, MAX_WARNINGS);
  for (const w of shown) io.stderr(`${w.format("warning")}\n`);
  const hidden = diags.warnings.length - shown.length;
  if (hidden > 0) {
    io.stderr(`qapi-gen: ${hidden} more doc comment warnings (--all-warnings lists them; --strict makes them errors)\n`);
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** The schema path for file headers: relative to the working directory, '/'-separated. */
function displayPath(schema: string, cwd: string): string {
  const abs = resolve(cwd, schema);
  const rel = relative(cwd, abs);
  return (rel.startsWith("..") || isAbsolute(rel) ? abs : rel).split("\\").join("/");
}

async function run(opts: Options, io: CliIO, diags: Diagnostics): Promise<number> {
  const dir = resolve(io.cwd, opts.output);
  // A writer killed mid-way is put right even when this run's schema has an error.
  if (opts.command === "generate" && !opts.check) recoverOutput(dir);
  const schema = loadSchema(opts.schema, nodeFileReader(io.cwd), diags);
  printWarnings(diags, io, opts.allWarnings);
  if (opts.command === "dump") {
    io.stdout(dumpSchema(schema));
    return 0;
  }
  if (opts.command === "defines") {
    const [{ deriveDefines, formatDefines }, { readSchemaInfo }] = await Promise.all([import("../backend/defines.js"), import("./live-schema.js")]);
    io.stdout(formatDefines(deriveDefines(schema, await readSchemaInfo(resolve(io.cwd, opts.from as string)))));
    return 0;
  }
  const options: GenerateOptions = {
    int64: opts.int64,
    defines: opts.defines === undefined ? undefined : new Set(opts.defines),
  };
  // The emitters are loaded only to generate (dump does not need them).
  const [{ generate }, { diffOutput, writeOutput }] = await Promise.all([import("../backend/generate.js"), import("./writer.js")]);
  const files = generate(schema, options, showName(displayPath(opts.schema, io.cwd)));
  if (opts.check) {
    const differ = diffOutput(dir, files);
    if (differ.length === 0) return 0;
    io.stderr(`${opts.output}: ${differ.length} files differ from what qapi-gen would generate:\n`);
    for (const path of differ) io.stderr(`  ${path}\n`);
    return 1;
  }
  await writeOutput(dir, files);
  return 0;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  let opts: Options | "help" | "version";
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`qapi-gen: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === "help") {
    io.stdout(USAGE);
    return 0;
  }
  if (opts === "version") {
    io.stdout(`qapi-gen ${version()}\n`);
    return 0;
  }
  const diags = makeDiagnostics(opts.strict);
  try {
    return await run(opts, io, diags);
  } catch (err) {
    if (err instanceof QapiError) {
      printWarnings(diags, io, opts.allWarnings);
      io.stderr(`${err.format()}\n`);
      return 1;
    }
    if (err instanceof OutputError || err instanceof LiveSchemaError) {
      io.stderr(`qapi-gen: ${err.message}\n`);
      return 1;
    }
    // A bug in qapi-gen, not in the schema: say so in one line, without a stack trace.
    const what = err instanceof RangeError ? "input nested too deeply" : String(err);
    io.stderr(`${opts.schema}: internal error in qapi-gen (please report): ${what}\n`);
    return 70;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // One run over a schema is too short for V8's optimizing compiler to pay for itself:
  // compiling the parser's large functions costs more than it saves (about a third of
  // the instructions of a dump of QEMU's full schema). Baseline code is enough.
  setFlagsFromString("--no-opt");
  const output = processOutput();
  const inputs = processInputs();
  if ("problem" in inputs) {
    output.stderr(`qapi-gen: ${inputs.problem}\n`);
    process.exitCode = 2;
  } else {
    const chunks: string[] = [];
    const code = await main(inputs.argv, { stdout: (t) => chunks.push(t), stderr: output.stderr, cwd: inputs.cwd });
    process.exitCode = code;
    output.stdout(chunks.join(""));
  }
}
