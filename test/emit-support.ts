// Shared by the emitter tests: inline schemas, running the types/validators/JSON
// Schema emitters, compiling their output under the strict settings generated code
// promises, and loading it (transpiled) to run the validators.

import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { loadSchema } from "../generator/frontend/check.js";
import { DEFAULT_OPTIONS as BACKEND_DEFAULTS, makeContext, type GenerateOptions, type OutputFile } from "../generator/backend/context.js";
import { emitJsonSchema } from "../generator/backend/emit/jsonschema.js";
import { emitRuntime } from "../generator/backend/emit/runtime.js";
import { emitTypes } from "../generator/backend/emit/types.js";
import { emitValidators } from "../generator/backend/emit/validators.js";
import { makeDiagnostics } from "../generator/frontend/errors.js";
import type { Schema } from "../generator/frontend/model.js";
import { nodeFileReader } from "../generator/frontend/parse.js";

export const SHARED = fileURLToPath(new URL("../../shared/", import.meta.url));
export const HAVE_SHARED = existsSync(join(SHARED, "qemu/10.0/qapi/qapi-schema.json"));
export const REPO = fileURLToPath(new URL("../", import.meta.url));

/** A schema from inline files; `main.json` is the root. */
export function inlineSchema(files: Record<string, string>, main = "main.json"): Schema {
  const reader = {
    resolve: (n: string) => "/" + n.replace(/^\.?\//, ""),
    read: (n: string) => {
      const text = files[n.replace(/^\.?\//, "")];
      if (text === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      return new TextEncoder().encode(text);
    },
  };
  return loadSchema(main, reader, makeDiagnostics(false));
}

export function fileSchema(path: string): Schema {
  return loadSchema(path, nodeFileReader(REPO), makeDiagnostics(false));
}

export const DEFAULT_OPTIONS: GenerateOptions = BACKEND_DEFAULTS;

/** The output of this engineer's emitters (runtime, types, validators, schema.json). */
export function emitAll(schema: Schema, options: Partial<GenerateOptions> = {}, path = "main.json"): OutputFile[] {
  const ctx = makeContext(schema, { ...DEFAULT_OPTIONS, ...options }, path);
  return [...emitRuntime(ctx), ...emitTypes(ctx), ...emitValidators(ctx), ...emitJsonSchema(ctx)];
}

export function fileMap(files: OutputFile[]): Map<string, string> {
  return new Map(files.map((f) => [f.path, f.content]));
}

/**
 * The settings generated code compiles under (test/consumer-tsconfig.json: the strict
 * set plus erasableSyntaxOnly, isolatedDeclarations, noUnused*, lib es2022 only), as
 * compiler options; `tsc -p` runs in compile-ts7.test.ts use the same file.
 */
export const CONSUMER_TSCONFIG = fileURLToPath(new URL("./consumer-tsconfig.json", import.meta.url));
export const STRICT_OPTIONS: ts.CompilerOptions = consumerOptions();

function consumerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(CONSUMER_TSCONFIG, { noEmit: true }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  });
  if (parsed === undefined || parsed.errors.length > 0) throw new Error(`${CONSUMER_TSCONFIG}: cannot be read`);
  return parsed.options;
}

/** Type-checks generated files (plus `extra` test files) in memory; returns the diagnostics as text. */
export function typecheck(files: OutputFile[], extra: Record<string, string> = {}): string[] {
  const root = "/gen/";
  const sources = new Map<string, string>();
  for (const f of files) if (f.path.endsWith(".ts")) sources.set(root + f.path, f.content);
  for (const [p, c] of Object.entries(extra)) sources.set(root + p, c);
  sources.set(root + "package.json", '{"type":"module"}');
  const host = ts.createCompilerHost(STRICT_OPTIONS);
  const orig = { ...host };
  host.fileExists = (f) => sources.has(f) || orig.fileExists(f);
  host.readFile = (f) => sources.get(f) ?? orig.readFile(f);
  host.getSourceFile = (f, lang) => {
    const text = sources.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang) : orig.getSourceFile(f, lang);
  };
  host.directoryExists = (d) => d === "/gen" || d.startsWith(root) || (orig.directoryExists?.(d) ?? false);
  const roots = [...sources.keys()].filter((f) => f.endsWith(".ts"));
  const program = ts.createProgram(roots, STRICT_OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file === undefined || d.start === undefined) return msg;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${line + 1}:${character + 1}: ${msg}`;
  });
}

/** Transpiles the generated .ts files into a temp dir and returns its path. */
export function transpileToDir(files: OutputFile[]): string {
  const dir = mkdtempSync(join(tmpdir(), "qapi-gen-emit-"));
  writeFileSync(join(dir, "package.json"), '{"type":"module"}');
  for (const f of files) {
    const out = join(dir, f.path.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(out), { recursive: true });
    const text = f.path.endsWith(".ts")
      ? ts.transpileModule(f.content, {
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
        }).outputText
      : f.content;
    writeFileSync(out, text);
  }
  return dir;
}

/** Imports a module of a transpiled output dir. */
export async function importFrom(dir: string, path: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(join(dir, path)).href)) as Record<string, unknown>;
}

export interface Validator {
  name: string;
  is(value: unknown, mode?: "strict" | "compatible"): boolean;
  problems(value: unknown, mode?: "strict" | "compatible"): { path: string; message: string }[];
  standard(mode: "strict" | "compatible"): { "~standard": StandardProps };
  "~standard": StandardProps;
}

export interface StandardProps {
  version: 1;
  vendor: string;
  validate(value: unknown): { value: unknown } | { issues: { message: string; path?: PropertyKey[] }[] };
}

/** All validators exported by the transpiled validators modules, by TypeScript type name. */
export async function loadValidators(dir: string, files: OutputFile[]): Promise<Map<string, Validator>> {
  const out = new Map<string, Validator>();
  for (const f of files) {
    if (!f.path.startsWith("validators/")) continue;
    const mod = await importFrom(dir, f.path.replace(/\.ts$/, ".js"));
    for (const [k, v] of Object.entries(mod)) {
      if (k.endsWith("Validator") && typeof v === "object" && v !== null) out.set(k.slice(0, -"Validator".length), v as Validator);
    }
  }
  return out;
}
