// `qapi-gen [generate]`: the targets (one SCHEMA from the command line, or a config
// file's), each generated through the API, then written or checked.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { CONFIG_FILE, loadConfig, overrideTarget, targetFlags, type ConfigTarget } from "../api/config.js";
import type { Diagnostic } from "../api/diagnostics.js";
import { generate, updateOutput, type GenerateResult } from "../api/generate.js";
import { OPTIONS, flagOf } from "../api/options.js";
import { OutputError, recoverOutput } from "./writer.js";
import { UsageError, type CommandLine } from "./args.js";
import { printDrift, printErrors, printWarnings, summary, type CliIO } from "./report.js";

export interface Targets {
  readonly targets: readonly ConfigTarget[];
  /** The config file's absolute path, when the targets come from one. */
  readonly config: string | undefined;
  /** Problems with the config file. */
  readonly errors: readonly Diagnostic[];
}

function commandLineTarget(schema: string, line: CommandLine, cwd: string): ConfigTarget {
  const target: ConfigTarget = {
    options: { schema, output: OPTIONS.output.default, cwd },
    warnings: OPTIONS.warnings.default,
    where: "the command line",
  };
  return overrideTarget(target, line.given);
}

/**
 * The targets to run: SCHEMA with the command line's options, or else the config file
 * (--config, or qapi-gen.config.json in the working directory) with the command line's
 * target options over a one-target config. Throws UsageError.
 */
export async function resolveTargets(line: CommandLine, cwd: string): Promise<Targets> {
  const { given, positionals } = line;
  if (positionals.length > 1) throw new UsageError("expected at most one SCHEMA file");
  const schema = positionals[0];
  if (schema !== undefined) {
    if (given.config !== undefined) throw new UsageError("give a SCHEMA or --config, not both");
    return { targets: [commandLineTarget(schema, line, cwd)], config: undefined, errors: [] };
  }
  if (given.config === undefined && !existsSync(resolve(cwd, CONFIG_FILE))) {
    throw new UsageError(`missing SCHEMA file (and no ${CONFIG_FILE} here to run)`);
  }
  const file = given.config ?? CONFIG_FILE;
  const config = await loadConfig({ file, cwd });
  if (!config.ok) return { targets: [], config: config.file, errors: config.errors };
  const flags = targetFlags(given);
  const [first] = config.targets;
  if (flags.length === 0 || first === undefined) return { targets: config.targets, config: config.file, errors: [] };
  if (config.targets.length > 1) {
    const flag = flagOf(flags[0] as (typeof flags)[number]);
    throw new UsageError(`option '--${flag}' would apply to all ${config.targets.length} targets of ${file}: set it there`);
  }
  return { targets: [overrideTarget(first, given)], config: config.file, errors: [] };
}

export interface TargetRun {
  readonly target: ConfigTarget;
  readonly result: GenerateResult;
  readonly ms: number;
}

/** Generate a target in memory, printing its warnings and errors. */
export async function generateTarget(target: ConfigTarget, io: CliIO, quiet: boolean): Promise<TargetRun> {
  const start = performance.now();
  const result = await generate(target.options);
  printWarnings(io, result.warnings, target.options.schema, { warnings: target.warnings, quiet });
  printErrors(io, result.errors);
  return { target, result, ms: performance.now() - start };
}

/** Puts right a target's output folder that a killed writer left mid-swap (see writer.ts). */
export async function recoverTarget(target: ConfigTarget, io: CliIO): Promise<void> {
  try {
    recoverOutput(resolve(target.options.cwd, target.options.output));
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    io.stderr(`qapi-gen: ${err.message}\n`);
  }
}

/** Write (or check) generated targets, printing a summary line each. Returns the exit status. */
export async function writeTargets(runs: readonly TargetRun[], check: boolean, io: CliIO, quiet: boolean): Promise<number> {
  let status = 0;
  for (const { target, result, ms } of runs) {
    const start = performance.now();
    const { cwd, output, schema } = target.options;
    try {
      const change = await updateOutput(resolve(cwd, output), result.files, check);
      if (check && change.changed.length + change.removed.length > 0) {
        printDrift(io, change);
        status = 1;
      } else if (!quiet) io.stdout(summary(io, schema, change, ms + performance.now() - start, check));
    } catch (err) {
      if (!(err instanceof OutputError)) throw err;
      io.stderr(`qapi-gen: ${err.message}\n`);
      status = 1;
    }
  }
  return status;
}

/** Generate every target, then write them all: an error in any target writes nothing. */
export async function runTargets(targets: readonly ConfigTarget[], check: boolean, io: CliIO, quiet: boolean): Promise<number> {
  // A writer killed mid-way is put right first, even when a schema has an error.
  if (!check) for (const t of targets) await recoverTarget(t, io);
  const runs: TargetRun[] = [];
  for (const target of targets) runs.push(await generateTarget(target, io, quiet));
  if (runs.some((r) => !r.result.ok)) return 1;
  return writeTargets(runs, check, io, quiet);
}
