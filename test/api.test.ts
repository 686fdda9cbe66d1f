// The programmatic API (the package root): generate and checkSchema return files,
// models and located diagnostics as values; nothing prints, nothing exits, nothing is
// written unless asked.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EnumType, ObjectType, checkSchema, generate } from "../generator/index.js";
import { filesBelow, folderWith } from "./cli-run.js";

const DOCUMENTED = "##\n# @Foo:\n#\n# A thing.\n#\n# @a: its a\n##\n{ 'struct': 'Foo', 'data': { 'a': 'int' } }\n";

let printed: string[];
beforeEach(() => {
  printed = [];
  const capture = (chunk: unknown): boolean => (printed.push(String(chunk)), true);
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(printed, "the API printed something").toEqual([]);
});

describe("checkSchema", () => {
  it("returns the checked model, and the files read", async () => {
    const dir = folderWith({ "s.json": "{ 'include': 'inc.json' }\n{ 'struct': 'Foo', 'data': { 'c': 'Color' } }\n", "inc.json": "{ 'enum': 'Color', 'data': [ 'red' ] }\n" });
    const result = await checkSchema({ schema: "s.json", cwd: dir });
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.schema?.lookupType("Foo")).toBeInstanceOf(ObjectType);
    expect(result.schema?.lookupType("Color")).toBeInstanceOf(EnumType);
    expect(result.inputs).toEqual([join(dir, "s.json"), join(dir, "inc.json")]);
  });

  it("reports a schema error as a located value, not an exception", async () => {
    const result = await checkSchema({ schema: "t.json", files: { "t.json": "{ 'struct': 'Foo',\n  'data': { 'a': 'Bar' } }\n" } });
    expect(result.ok).toBe(false);
    expect(result.schema).toBeUndefined();
    expect(result.errors).toEqual([
      {
        severity: "error",
        file: "t.json",
        line: 1,
        column: undefined,
        message: "member 'a' uses unknown type 'Bar'",
        text: "t.json: In struct 'Foo':\nt.json:1: member 'a' uses unknown type 'Bar'",
      },
    ]);
  });

  it("gives syntax errors a column, and includes their chain", async () => {
    const files = { "a.json": "{ 'include': 'b.json' }\n", "b.json": "{ 'enum': 'E', 'data': [ 'x' }\n" };
    const { errors } = await checkSchema({ schema: "a.json", files });
    expect(errors.map((e) => [e.file, e.line, e.column])).toEqual([["b.json", 1, 30]]);
    expect(errors[0]?.text).toBe("In file included from a.json:1:\nb.json:1:30: expected ',' or ']'");
  });

  it("doc comment problems are warnings, or errors with strict", async () => {
    const files = { "t.json": "##\n# @Foo:\n# @nope: no such member\n##\n{ 'struct': 'Foo', 'data': {} }\n" };
    const lenient = await checkSchema({ schema: "t.json", files });
    expect(lenient.ok).toBe(true);
    expect(lenient.warnings.map((w) => [w.severity, w.file, w.line])).toEqual([["warning", "t.json", 3]]);
    expect(lenient.warnings[0]?.text).toMatch(/^t\.json:3: warning: /);
    const strict = await checkSchema({ schema: "t.json", files, strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.errors[0]?.message).toBe(lenient.warnings[0]?.message);
  });

  it("records a missing include among the inputs, so that watching it sees it appear", async () => {
    const dir = folderWith({ "s.json": "{ 'include': 'later.json' }\n" });
    const result = await checkSchema({ schema: "s.json", cwd: dir });
    expect(result.errors[0]?.text).toBe("s.json:1: can't read include file 'later.json': No such file or directory");
    expect(result.inputs).toEqual([join(dir, "s.json"), join(dir, "later.json")]);
  });

  it("in-memory files: nothing is read from disk", async () => {
    const dir = folderWith({ "t.json": DOCUMENTED });
    const result = await checkSchema({ schema: "t.json", cwd: dir, files: {} });
    expect(result.errors[0]?.text).toBe("can't read schema file 't.json': No such file or directory");
  });

  it("misuse is a TypeError naming the option", async () => {
    await expect(checkSchema({ schema: "t.json", int64: "bigint" } as never)).rejects.toThrow("unknown option 'int64'");
    await expect(generate({ schema: "t.json", int64: "float" } as never)).rejects.toThrow(
      "option 'int64' takes 'number' or 'bigint', not 'float'",
    );
    await expect(generate({ schema: "t.json", defines: ["not a symbol"] })).rejects.toThrow(TypeError);
    await expect(generate({} as never)).rejects.toThrow("'schema' must be a path");
  });
});

describe("generate", () => {
  it("returns the files and writes nothing unless asked", async () => {
    const dir = folderWith({ "t.json": DOCUMENTED });
    const result = await generate({ schema: "t.json", cwd: dir });
    expect(result.ok).toBe(true);
    expect(result.output).toBeUndefined();
    expect(result.files.map((f) => f.path)).toContain("types/t.ts");
    expect(result.files.find((f) => f.path === "types/t.ts")?.content).toContain("export interface Foo {");
    expect(filesBelow(dir)).toEqual(["t.json"]);
  });

  it("options change the output as on the command line", async () => {
    const files = { "t.json": "{ 'struct': 'Foo', 'data': { 'a': 'int', 'b': { 'type': 'str', 'if': 'CONFIG_B' } } }\n" };
    const types = async (options: object): Promise<string> =>
      (await generate({ schema: "t.json", files, ...options })).files.find((f) => f.path === "types/t.ts")?.content ?? "";
    expect(await types({})).toMatch(/a: number;[\s\S]*b: string;/);
    expect(await types({ int64: "bigint" })).toContain("a: bigint;");
    expect(await types({ defines: [] })).not.toContain("b: string;");
    expect(await types({ defines: ["CONFIG_B"] })).toContain("b: string;");
  });

  it("write: replaces the output folder and says what changed", async () => {
    const dir = folderWith({ "t.json": DOCUMENTED });
    const first = await generate({ schema: "t.json", cwd: dir, output: "gen", write: true });
    expect(first.output?.written).toBe(true);
    expect(first.output?.dir).toBe(join(dir, "gen"));
    expect(first.output?.changed).toEqual(first.files.map((f) => f.path));
    expect(readFileSync(join(dir, "gen/types/t.ts"), "utf8")).toBe(first.files.find((f) => f.path === "types/t.ts")?.content);

    const again = await generate({ schema: "t.json", cwd: dir, output: "gen", write: true });
    expect(again.output).toMatchObject({ written: false, changed: [], removed: [] });
    expect(again.output?.unchanged).toEqual(first.files.map((f) => f.path));

    writeFileSync(join(dir, "t.json"), DOCUMENTED.replace("'int'", "'str'"));
    const edited = await generate({ schema: "t.json", cwd: dir, output: "gen", write: true });
    expect(edited.output?.written).toBe(true);
    expect(edited.output?.changed.length).toBeGreaterThan(0);
    expect(edited.output?.changed.length).toBeLessThan(first.files.length);
    expect(edited.output?.removed).toEqual([]);
  });

  it("check: compares without writing", async () => {
    const dir = folderWith({ "t.json": DOCUMENTED });
    const missing = await generate({ schema: "t.json", cwd: dir, output: "gen", check: true });
    expect(missing.output?.written).toBe(false);
    expect(missing.output?.changed.length).toBe(missing.files.length);
    expect(existsSync(join(dir, "gen"))).toBe(false);
    await generate({ schema: "t.json", cwd: dir, output: "gen", write: true });
    writeFileSync(join(dir, "gen/stray.ts"), "");
    const stray = await generate({ schema: "t.json", cwd: dir, output: "gen", check: true });
    expect(stray.output).toMatchObject({ changed: [], removed: ["stray.ts"], written: false });
    expect(existsSync(join(dir, "gen/stray.ts"))).toBe(true);
  });

  it("a schema error writes nothing and returns no files", async () => {
    const dir = folderWith({ "t.json": "{ 'struct': 'Foo', 'data': { 'a': 'Bar' } }\n" });
    const result = await generate({ schema: "t.json", cwd: dir, write: true });
    expect(result.ok).toBe(false);
    expect(result.files).toEqual([]);
    expect(result.errors[0]?.text).toContain("t.json:1: member 'a' uses unknown type 'Bar'");
    expect(filesBelow(dir)).toEqual(["t.json"]);
  });

  it("an output folder qapi-gen may not replace is an error value", async () => {
    const dir = folderWith({ "t.json": DOCUMENTED, "gen/mine.txt": "user file\n" });
    const result = await generate({ schema: "t.json", cwd: dir, output: "gen", write: true });
    expect(result.ok).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ severity: "error", file: undefined, line: undefined });
    expect(result.errors[0]?.message).toContain("not written by qapi-gen");
    expect(filesBelow(dir)).toEqual(["gen/mine.txt", "t.json"]);
  });
});
