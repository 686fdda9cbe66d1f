// The README's TypeScript examples compile against the committed out/ and the QMP
// runtime, under the strict settings the generated code promises, so the README stays
// true to the API.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, it } from "vitest";
import { OPTIONS, argOf, flagOf, optionNames, type OptionSpec } from "../generator/api/options.js";

const root = fileURLToPath(new URL("..", import.meta.url));

function examples(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

it("the README has TypeScript examples", () => {
  expect(examples().length).toBeGreaterThanOrEqual(3);
});

it("every TypeScript example in the README compiles", () => {
  // Inside the project, so that the examples' imports resolve as a user's would.
  const dir = mkdtempSync(join(root, ".readme-"));
  try {
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    const files = examples().map((code, i) => {
      const file = join(dir, `example${i}.ts`);
      const source = code
        .replaceAll('"qapi-gen/qmp"', JSON.stringify(join(root, "qmp/index.js")))
        .replaceAll('"@qapi-gen/qmp"', JSON.stringify(join(root, "qmp/index.js")))
        .replaceAll('"qapi-gen"', JSON.stringify(join(root, "generator/index.js")))
        .replaceAll('"./out/index.js"', JSON.stringify(join(root, "out/index.js")));
      writeFileSync(file, `${source}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: ["node"],
      typeRoots: [join(root, "node_modules/@types")],
      noEmit: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(diagnostics).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("the README's option table is the option table", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const rows = [...readme.matchAll(/^\| `(-[^`]+)` \| (?:`(\w+)`)? *\| (.*) \|$/gm)].map((m) => ({
    flags: (m[1] as string).replaceAll("\\|", "|"),
    key: m[2],
    text: m[3] as string,
  }));
  const expected = optionNames().map((name) => {
    const spec: OptionSpec = OPTIONS[name];
    const arg = argOf(name);
    const flags = `${spec.cli.short === undefined ? "" : `-${spec.cli.short}, `}--${flagOf(name)}${arg === undefined ? "" : ` ${arg}`}`;
    return { flags, key: spec.config ? name : undefined };
  });
  expect(rows.map(({ flags, key }) => ({ flags, key }))).toEqual(expected);
  for (const [i, name] of optionNames().entries()) expect(rows[i]?.text).toContain(OPTIONS[name].description);
});
