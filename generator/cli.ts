#!/usr/bin/env node
// Command line: `qapi-gen dump [--strict] SCHEMA`.
// Schema errors print as FILE:LINE[:COL]: message and exit 1; nothing else ever
// prints a stack trace.

import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadSchema } from "./check.js";
import { dumpSchema } from "./dump.js";
import { QapiError, makeDiagnostics, type Diagnostics } from "./errors.js";
import { nodeFileReader } from "./parse.js";

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Directory that relative paths are resolved against. */
  cwd: string;
}

const USAGE = `usage: qapi-gen dump [--strict] SCHEMA

  dump      print the checked schema model in QEMU's test harness format
  --strict  doc comment problems are errors (as QEMU 10 treats them), not warnings
`;

class UsageError extends Error {}

interface Options {
  command: "dump";
  strict: boolean;
  schema: string;
}

function parseArgs(argv: string[]): Options {
  const [command, ...rest] = argv;
  if (command !== "dump") throw new UsageError(command === undefined ? "missing command" : `unknown command '${command}'`);
  let strict = false;
  const positional: string[] = [];
  for (const arg of rest) {
    if (arg === "--strict") strict = true;
    else if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option '${arg}'`);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError("expected exactly one SCHEMA file");
  return { command, strict, schema: positional[0] as string };
}

function printWarnings(diags: Diagnostics, io: CliIO): void {
  for (const w of diags.warnings) io.stderr(`${w.format("warning")}\n`);
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`qapi-gen: ${err.message}\n${USAGE}`);
    return 2;
  }
  const diags = makeDiagnostics(opts.strict);
  try {
    const schema = loadSchema(opts.schema, nodeFileReader(io.cwd), diags);
    printWarnings(diags, io);
    io.stdout(dumpSchema(schema));
    return 0;
  } catch (err) {
    printWarnings(diags, io);
    if (err instanceof QapiError) {
      io.stderr(`${err.format()}\n`);
      return 1;
    }
    const what = err instanceof RangeError ? "input nested too deeply" : String(err);
    io.stderr(`${opts.schema}: internal error in qapi-gen: ${what}\n`);
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
  const chunks: string[] = [];
  const code = await main(process.argv.slice(2), {
    stdout: (t) => chunks.push(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
  });
  process.stdout.write(chunks.join(""));
  process.exitCode = code;
}
