// Embeds qmp/core into the generator at build time (run by `npm run build`): every
// output gets these files verbatim as runtime/*, as TypeScript (`--target ts`) or as
// JavaScript with declarations (`--target js`, compiled and formatted here, once,
// rather than on every generation). Also lists each file's public exports, which
// the generated index re-exports. Writes generator/backend/runtime-files.generated.ts.
// Declarations come from one program over qmp/core, as tsc emits them:
// ts.transpileDeclaration (TypeScript 5.9) declares a member with a computed name,
// such as `static [Symbol.hasInstance]()`, twice (as a property and as a method),
// which a consumer's tsc then reports as a duplicate identifier.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import ts from "typescript";

const coreDir = new URL("./", import.meta.url);
const outUrl = new URL("../../generator/backend/runtime-files.generated.ts", import.meta.url);

const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  isolatedDeclarations: true,
  declaration: true,
  removeComments: false,
};

/** Public exports: declarations whose name has no `$` and whose doc is not @internal. */
function publicExports(source, fileName) {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const out = [];
  const seen = new Set();
  for (const st of sf.statements) {
    const exported = ts.getCombinedModifierFlags(st) & ts.ModifierFlags.Export;
    if (!exported || st.name === undefined || st.name.text.includes("$")) continue;
    if (ts.getJSDocTags(st).some((t) => t.tagName.text === "internal") || seen.has(st.name.text)) continue;
    seen.add(st.name.text);
    const type =
      ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isModuleDeclaration(st);
    out.push({ name: st.name.text, type });
  }
  return out;
}

const format = (text, parser) => prettier.format(text, { parser });

/** The `.d.ts` of every file of qmp/core, by file name, from one program (isolatedDeclarations checked). */
function declarations(names) {
  const paths = names.map((n) => fileURLToPath(new URL(n, coreDir)));
  const options = {
    ...compilerOptions,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    emitDeclarationOnly: true,
    lib: ["lib.es2022.d.ts"],
    types: [],
    skipLibCheck: true,
  };
  const program = ts.createProgram(paths, options);
  const out = new Map();
  const emitted = program.emit(undefined, (file, text) => out.set(basename(file).replace(/\.d\.ts$/, ".ts"), text));
  // the declaration emitter's own problems (isolatedDeclarations); the build's tsc checks the rest
  const problems = [...program.getSyntacticDiagnostics(), ...emitted.diagnostics];
  if (problems.length > 0) {
    const d = problems[0];
    const where = d.file === undefined ? "qmp/core" : `qmp/core/${basename(d.file.fileName)}`;
    throw new Error(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  }
  return out;
}

const names = readdirSync(coreDir).filter((f) => f.endsWith(".ts")).sort();
const dtsOf = declarations(names);
const files = [];
for (const name of names) {
  const source = readFileSync(new URL(name, coreDir), "utf8");
  if ((await format(source, "typescript")) !== source) {
    throw new Error(`qmp/core/${name} is not prettier-formatted (it ships verbatim): run prettier --write`);
  }
  const js = ts.transpileModule(source, { compilerOptions, fileName: name }).outputText;
  const dts = dtsOf.get(name);
  files.push({
    name: name.replace(/\.ts$/, ""),
    ts: source,
    js: await format(js, "babel"),
    dts: await format(dts, "typescript"),
    exports: publicExports(source, name),
  });
}

const text = `// Generated from qmp/core by qmp/core/embed.mjs. Do not edit.

/** A file of the runtime every output carries (qmp/core), in each target's form. */
export interface RuntimeFile {
  /** The module name: runtime/NAME in the output. */
  readonly name: string;
  readonly ts: string;
  readonly js: string;
  readonly dts: string;
  /** Its public exports (the generated index re-exports them); \`type\` for types only. */
  readonly exports: readonly { readonly name: string; readonly type: boolean }[];
}

export const RUNTIME_FILES: readonly RuntimeFile[] = ${JSON.stringify(files, null, 2)};
`;

let previous = "";
try {
  previous = readFileSync(outUrl, "utf8");
} catch {
  // first build
}
if (previous !== text) writeFileSync(outUrl, text);
