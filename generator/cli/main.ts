#!/usr/bin/env node
// Command line, a thin layer over the API (generator/api/): `qapi-gen [generate]
// [options] [SCHEMA]` writes TypeScript (without SCHEMA, the targets of
// qapi-gen.config.json); `qapi-gen dump SCHEMA` prints the checked model. Exit status:
// 0 success, 1 errors in the schema, the config or the output (or --check found
// differences), 2 usage errors, 70 a bug in qapi-gen. Nothing prints a stack trace.

import { readFileSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSchema } from "../api/generate.js";
import { unoptimizedFrontEnd } from "../api/tiers.js";
import { OPTIONS, type CommandName } from "../api/options.js";
import { dumpSchema } from "../frontend/dump.js";
import { UsageError, optionHelp, parseCommandLine, type CommandLine } from "./args.js";
import { resolveTargets, runTargets } from "./generate.js";
import { processInputs, processOutput } from "./process.js";
import { printErrors, printWarnings, type CliIO } from "./report.js";
import { watchTargets } from "./watch.js";

export type { CliIO } from "./report.js";

interface Command {
  /** The usage line, after "usage: ". */
  readonly usage: string;
  run(line: CommandLine, io: CliIO): Promise<number>;
}

async function runGenerate(line: CommandLine, io: CliIO): Promise<number> {
  const { check = false, quiet = false, watch = false } = line.given;
  if (watch && check) throw new UsageError("--watch and --check do not go together");
  const found = await resolveTargets(line, io.cwd);
  if (watch) return watchTargets(line, found, io);
  printErrors(io, found.errors);
  if (found.errors.length > 0) return 1;
  return runTargets(found.targets, check, io, quiet);
}

async function runDump(line: CommandLine, io: CliIO): Promise<number> {
  const [schema, ...more] = line.positionals;
  if (schema === undefined) throw new UsageError("missing SCHEMA file");
  if (more.length > 0) throw new UsageError("expected exactly one SCHEMA file");
  const result = await checkSchema({ schema, cwd: io.cwd, strict: line.given.strict ?? false });
  printWarnings(io, result.warnings, schema, { warnings: line.given.warnings ?? OPTIONS.warnings.default, quiet: line.given.quiet ?? false });
  printErrors(io, result.errors);
  if (result.schema === undefined) return 1;
  io.stdout(dumpSchema(result.schema));
  return 0;
}

/** `defines SCHEMA --from LIVE`: the --define set whose introspection a live QEMU's matches. */
async function runDefines(line: CommandLine, io: CliIO): Promise<number> {
  const [schema, ...more] = line.positionals;
  if (schema === undefined) throw new UsageError("missing SCHEMA file");
  if (more.length > 0) throw new UsageError("expected exactly one SCHEMA file");
  const from = line.given.from;
  if (from === undefined) throw new UsageError("defines needs --from SOCKET|FILE.json");
  const result = await checkSchema({ schema, cwd: io.cwd, strict: line.given.strict ?? false });
  printWarnings(io, result.warnings, schema, { warnings: line.given.warnings ?? OPTIONS.warnings.default, quiet: line.given.quiet ?? false });
  printErrors(io, result.errors);
  if (result.schema === undefined) return 1;
  const [{ deriveDefines, formatDefines }, { LiveSchemaError, readSchemaInfo }] = await Promise.all([
    import("../backend/defines.js"),
    import("./live-schema.js"),
  ]);
  try {
    io.stdout(formatDefines(deriveDefines(result.schema, await readSchemaInfo(resolve(io.cwd, from)))));
    return 0;
  } catch (err) {
    if (!(err instanceof LiveSchemaError)) throw err;
    io.stderr(`qapi-gen: ${err.message}\n`);
    return 1;
  }
}

/** The subcommands; the first word of the command line names one, else it is generate. */
const COMMANDS: Record<CommandName, Command> = {
  generate: { usage: "qapi-gen [generate] [options] [SCHEMA]", run: runGenerate },
  dump: { usage: "qapi-gen dump [options] SCHEMA", run: runDump },
  defines: { usage: "qapi-gen defines [options] SCHEMA --from SOCKET|FILE.json", run: runDefines },
};
const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

function usageLines(): string {
  return COMMAND_NAMES.map((name, i) => `${i === 0 ? "usage: " : "       "}${COMMANDS[name].usage}\n`).join("");
}

function help(): string {
  const options = COMMAND_NAMES.map((name) => `${name} options:\n${optionHelp(name)}`);
  return `${usageLines()}

Generate TypeScript from a QAPI schema (types, validators, QMP client and server
stubs, introspection, JSON Schema), or dump the checked schema model. Without SCHEMA,
generate runs the targets of qapi-gen.config.json (or of --config FILE).

${options.join("\n")}
  -h, --help     this text
  --version      the version of qapi-gen

exit status: 0 success; 1 errors in the schema, config or output, or --check found
differences; 2 usage errors
`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const line = parseCommandLine(argv, COMMAND_NAMES);
    if (line.help) io.stdout(help());
    else if (line.version) io.stdout(`qapi-gen ${version()}\n`);
    else return await COMMANDS[line.command].run(line, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`qapi-gen: ${err.message}\n${usageLines()}(qapi-gen --help lists the options)\n`);
      return 2;
    }
    // A bug in qapi-gen, not in the input: say so in one line, without a stack trace.
    const what = err instanceof RangeError ? "input nested too deeply" : String(err);
    io.stderr(`qapi-gen: internal error (please report): ${what}\n`);
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
  const output = processOutput();
  const inputs = processInputs();
  // One run: the front end without V8's optimizing compiler, the back end with it
  // (see api/tiers.ts). A watch session runs many times and keeps it throughout.
  if ("problem" in inputs) {
    output.stderr(`qapi-gen: ${inputs.problem}\n`);
    process.exitCode = 2;
  } else {
    if (!inputs.argv.includes("--watch") && !inputs.argv.includes("-w")) unoptimizedFrontEnd();
    process.exitCode = await main(inputs.argv, { stdout: output.stdout, stderr: output.stderr, cwd: inputs.cwd });
  }
}
