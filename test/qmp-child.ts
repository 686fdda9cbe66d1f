// Test helper: run the QMP client in a child Node process, to see how the process as a
// whole behaves (does it exit, does anything reach stderr). The child needs plain JS,
// so the qmp/ sources are transpiled (types stripped, no type check) into a temp dir.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll } from "vitest";

const QMP_DIR = join(import.meta.dirname, "..", "qmp");

/** Transpile qmp/*.ts into `outDir`; returns outDir. */
export function transpileQmp(outDir: string): string {
  // The package's sources, its core/ folder included (not its dist/ or node_modules/).
  const sources = readdirSync(QMP_DIR, { recursive: true, encoding: "utf8" }).filter(
    (n) => n.endsWith(".ts") && !n.endsWith(".d.ts") && !/^(dist|node_modules)\//.test(n),
  );
  for (const f of sources) {
    const out = ts.transpileModule(readFileSync(join(QMP_DIR, f), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    mkdirSync(dirname(join(outDir, f)), { recursive: true });
    writeFileSync(join(outDir, f.replace(/\.ts$/, ".js")), out.outputText);
  }
  return outDir;
}

/**
 * For the suite that calls this: a temp dir with qmp/ transpiled into it, made before
 * its tests and removed after. Returns { lib, work } getters.
 */
export function transpiledForSuite(): { readonly lib: string; readonly work: string } {
  let work = "";
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "qmp-child-"));
    transpileQmp(join(work, "qmp"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  return {
    get lib() {
      return join(work, "qmp");
    },
    get work() {
      return work;
    },
  };
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  /** Options for node itself, e.g. --max-old-space-size=64 to make unbounded growth fatal. */
  nodeArgs?: readonly string[];
}

/** Run `node [nodeArgs] script ...args` to its end. */
export function runChild(script: string, args: readonly string[], options: ChildOptions = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
