// The package root as consumers' compilers see it, read with ts-morph from the built
// declarations: they type-check alone (every file they name ships), every export is
// documented, and the API's option types are the option table's.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Node, Project, ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { OPTIONS } from "../generator/api/options.js";

const ENTRY = fileURLToPath(new URL("../dist/generator/index.d.ts", import.meta.url));
const TYPE_ROOTS = fileURLToPath(new URL("../node_modules/@types", import.meta.url));

describe.skipIf(!existsSync(ENTRY))("the package root's declarations", () => {
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      strict: true,
      exactOptionalPropertyTypes: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: false,
      types: ["node"],
      typeRoots: [TYPE_ROOTS],
    },
  });
  const root = project.addSourceFileAtPath(ENTRY);
  project.resolveSourceFileDependencies();
  const exported = root.getExportedDeclarations();

  it("type-check on their own", () => {
    const problems = project.getPreEmitDiagnostics().map((d) => `${d.getSourceFile()?.getFilePath()}: ${d.getMessageText().toString()}`);
    expect(problems).toEqual([]);
  });

  it("document every export", () => {
    const undocumented: string[] = [];
    for (const [name, declarations] of exported) {
      for (const d of declarations) {
        const documented = Node.isVariableDeclaration(d) ? d.getVariableStatementOrThrow() : d;
        if (!Node.isJSDocable(documented) || documented.getJsDocs().length === 0) undocumented.push(name);
      }
    }
    expect(exported.size).toBeGreaterThan(10);
    expect(undocumented).toEqual([]);
  });

  function properties(typeName: string): Record<string, string> {
    const [decl] = exported.get(typeName) ?? [];
    if (decl === undefined) throw new Error(`${typeName} is not exported`);
    const entries = decl.getType().getProperties().map((p) => [p.getName(), p.getTypeAtLocation(decl).getText(decl)] as const);
    return Object.fromEntries(entries);
  }

  it("take the option table's options", () => {
    const apiKeys = (scope: string[]): string[] =>
      Object.entries(OPTIONS)
        .filter(([, spec]) => "api" in spec && scope.includes(spec.api))
        .map(([name]) => name);
    const source = ["cwd", "files", "schema"];
    expect(Object.keys(properties("CheckOptions")).sort()).toEqual([...source, ...apiKeys(["check"])].sort());
    const generate = properties("GenerateOptions");
    expect(Object.keys(generate).sort()).toEqual([...source, ...apiKeys(["check", "generate"]), "write"].sort());
    expect(generate["int64"]).toBe('"number" | "bigint"');
    expect(generate["defines"]).toBe("readonly string[]");
    expect(generate["strict"]).toBe("boolean");
  });
});
describe.skipIf(existsSync(ENTRY))("the package root's declarations", () => {
  it(`skipped: ${ENTRY} not built (run npm run build)`, () => {});
});
