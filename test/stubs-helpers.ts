// Helpers of the stubs/introspection/type-level tests: generate from an inline schema,
// transpile the output into a temp dir, import it.

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { loadSchema } from "../generator/frontend/check.js";
import { DEFAULT_OPTIONS, makeContext, type GenerateOptions, type OutputFile } from "../generator/backend/context.js";
import { makeDiagnostics } from "../generator/frontend/errors.js";
import { generate } from "../generator/backend/generate.js";
import type { Schema } from "../generator/frontend/model.js";
import { nodeFileReader } from "../generator/frontend/parse.js";
import { STRICT_OPTIONS } from "./emit-support.js";

export function memoryReader(files: Record<string, string>) {
  return {
    resolve: (n: string) => "/" + n,
    read: (n: string) => {
      const text = files[n.replace(/^\//, "")];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${n}`), { code: "ENOENT" });
      return new TextEncoder().encode(text);
    },
  };
}

export function schemaOf(text: string): Schema {
  return loadSchema("s.json", memoryReader({ "s.json": text }) as never, makeDiagnostics(false));
}

export function contextOf(text: string, options: Partial<GenerateOptions> = {}) {
  return makeContext(schemaOf(text), { ...DEFAULT_OPTIONS, ...options }, "s.json");
}

/** The output for a schema file on disk (path relative to the project root). */
export function generateFile(path: string, options: Partial<GenerateOptions> = {}): OutputFile[] {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const schema = loadSchema(path, nodeFileReader(root), makeDiagnostics(false));
  return generate(schema, { ...DEFAULT_OPTIONS, ...options }, path);
}

export function generateOf(text: string, options: Partial<GenerateOptions> = {}): OutputFile[] {
  return generate(schemaOf(text), { ...DEFAULT_OPTIONS, ...options }, "s.json");
}

/** Writes the output transpiled to JS into a fresh temp dir and imports its index. */
export async function importGenerated<T = Record<string, unknown>>(files: readonly OutputFile[]): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "qapi-gen-stubs-"));
  writeFileSync(join(dir, "package.json"), '{"type":"module"}');
  for (const f of files) {
    if (!f.path.endsWith(".ts")) continue;
    const js = ts.transpileModule(f.content, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
    const out = join(dir, f.path.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  return (await import(pathToFileURL(join(dir, "index.js")).href)) as T;
}

export interface CompileResult {
  errors: string[];
}

/** Type-checks generated files (plus extra test files) under the consumer settings, in a temp dir. */
export function typecheck(files: readonly OutputFile[], extra: Record<string, string> = {}): string[] {
  const dir = mkdtempSync(join(tmpdir(), "qapi-gen-types-"));
  writeFileSync(join(dir, "package.json"), '{"type":"module"}');
  const names: string[] = [];
  const write = (path: string, content: string): void => {
    const out = join(dir, path);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, content);
    names.push(out);
  };
  for (const f of files) if (/\.m?ts$/.test(f.path)) write(f.path, f.content);
  for (const [p, c] of Object.entries(extra)) write(p, c);
  // the consumer settings; the default libraries are trusted (they are slow to check)
  const options: ts.CompilerOptions = { ...STRICT_OPTIONS, skipLibCheck: true };
  const program = ts.createProgram(names, options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file === undefined || d.start === undefined) return msg;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName.slice(dir.length + 1)}:${line + 1}: ${msg}`;
  });
}
