// What a run prints: errors always (stderr), doc comment warnings as chosen, and one
// summary line per target on success (stdout) unless --quiet.

import { isAbsolute, relative, sep } from "node:path";
import type { Diagnostic } from "../api/diagnostics.js";
import type { OutputChange } from "../api/generate.js";
import { MAX_WARNINGS, type OptionValues } from "../api/options.js";

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Directory that relative paths are resolved against. */
  cwd: string;
}

export interface Reporting {
  warnings: OptionValues["warnings"];
  quiet: boolean;
}

export function printErrors(io: CliIO, errors: readonly Diagnostic[]): void {
  for (const e of errors) io.stderr(`${e.text}\n`);
}

const HINT = "(--warnings all lists them; --strict makes them errors)";

export function printWarnings(io: CliIO, warnings: readonly Diagnostic[], schema: string, how: Reporting): void {
  const n = warnings.length;
  if (how.quiet || how.warnings === "none" || n === 0) return;
  if (how.warnings === "summary") {
    io.stderr(`qapi-gen: ${schema}: ${n} doc comment warning${n === 1 ? "" : "s"} ${HINT}\n`);
    return;
  }
  const shown = how.warnings === "all" ? warnings : warnings.slice(0, MAX_WARNINGS);
  for (const w of shown) io.stderr(`${w.text}\n`);
  if (n > shown.length) io.stderr(`qapi-gen: ${n - shown.length} more doc comment warnings ${HINT}\n`);
}

/** A folder for messages: relative to the working directory when inside it, ending in '/'. */
export function folder(io: CliIO, dir: string): string {
  const rel = relative(io.cwd, dir) || ".";
  const name = rel.startsWith("..") || isAbsolute(rel) ? dir : rel.split(sep).join("/");
  return name.endsWith("/") ? name : `${name}/`;
}

export function summary(io: CliIO, schema: string, change: OutputChange, ms: number, check: boolean): string {
  const time = `${Math.round(ms)} ms`;
  if (check) return `qapi-gen: ${folder(io, change.dir)} is up to date with ${schema} (${change.unchanged.length} files, ${time})\n`;
  const counts = `${change.changed.length} written, ${change.unchanged.length} unchanged, ${change.removed.length} removed`;
  return `qapi-gen: ${schema} -> ${folder(io, change.dir)}: ${counts} (${time})\n`;
}

/** `--check` found differences: the folder and every path that differs. */
export function printDrift(io: CliIO, change: OutputChange): void {
  const differ = [...change.changed, ...change.removed].sort();
  io.stderr(`${folder(io, change.dir)}: ${differ.length} files differ from what qapi-gen would generate:\n`);
  for (const path of differ) io.stderr(`  ${path}\n`);
}
