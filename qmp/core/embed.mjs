// Embeds qmp/core into the generator at build time (run by `npm run build`): every
// output gets these files verbatim as runtime/*, as TypeScript (`--target ts`) or as
// JavaScript with declarations (`--target js`, compiled and formatted here, once,
// rather than on every generation). Also lists each file's public exports, which
// the generated index re-exports. Writes generator/backend/runtime-files.generated.ts.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
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

const files = [];
for (const name of readdirSync(coreDir).filter((f) => f.endsWith(".ts")).sort()) {
  const source = readFileSync(new URL(name, coreDir), "utf8");
  if ((await format(source, "typescript")) !== source) {
    throw new Error(`qmp/core/${name} is not prettier-formatted (it ships verbatim): run prettier --write`);
  }
  const js = ts.transpileModule(source, { compilerOptions, fileName: name }).outputText;
  const dts = ts.transpileDeclaration(source, { compilerOptions, fileName: name });
  if (dts.diagnostics !== undefined && dts.diagnostics.length > 0) {
    const d = dts.diagnostics[0];
    throw new Error(`qmp/core/${name}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  }
  files.push({
    name: name.replace(/\.ts$/, ""),
    ts: source,
    js: await format(js, "babel"),
    dts: await format(dts.outputText, "typescript"),
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
